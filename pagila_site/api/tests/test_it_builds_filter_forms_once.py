"""``pagila_site.api.filters.FilterSet``: one form class per FilterSet, one form per request."""

import pytest

from films.filters import FilmFilter
from rentals.filters import CustomerRentalFilter, RentalFilter


def test_it_builds_a_filtersets_form_class_once():
    assert type(FilmFilter(data={}).form) is type(FilmFilter(data={"rating": "PG"}).form)


def test_it_gives_a_subclass_a_form_class_of_its_own():
    assert "customer_id" in RentalFilter(data={}).form.fields
    assert "customer_id" not in CustomerRentalFilter(data={}).form.fields


@pytest.mark.django_db
def test_it_keeps_each_requests_data_and_errors_apart(api_client):
    refused = api_client.get("/api/v1/films/", {"rating": "X"})
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["rating"]
    accepted = api_client.get("/api/v1/films/", {"rating": "PG", "page_size": 100})
    assert accepted.status_code == 200
    assert {film["rating"] for film in accepted.json()["results"]} == {"PG"}
