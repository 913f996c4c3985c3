"""GET /api/v1/customers/{customer_id}/rentals/: one customer's rentals, newest first."""

import pytest
from model_bakery import baker

pytestmark = pytest.mark.django_db


def _ids(response):
    return [rental["rental_id"] for rental in response.json()["results"]]


def test_it_lists_the_customers_rentals_newest_first(auth_client):
    response = auth_client.get("/api/v1/customers/1/rentals/?page_size=3")
    assert response.status_code == 200
    assert response.json()["count"] == 32
    assert _ids(response) == [15315, 15298, 14825]


@pytest.mark.parametrize(("status", "count"), [("open", 3), ("overdue", 3), ("returned", 38)])
def test_it_filters_by_status(auth_client, status, count):
    response = auth_client.get(f"/api/v1/customers/75/rentals/?status={status}")
    assert response.json()["count"] == count
    assert {rental["customer_id"] for rental in response.json()["results"]} == {75}


@pytest.mark.parametrize("query", ["status=lost", "page=1&page_size=5&status=lost"])
def test_it_refuses_an_unknown_status(auth_client, query):
    response = auth_client.get(f"/api/v1/customers/75/rentals/?{query}")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "status": ["Select a valid choice. lost is not one of the available choices."]
    }


@pytest.mark.parametrize("customer_id", ["600", str(2**31), "9" * 30])
def test_it_answers_404_for_an_unknown_customer(auth_client, customer_id):
    response = auth_client.get(f"/api/v1/customers/{customer_id}/rentals/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_lists_a_customer_without_rentals_as_an_empty_page(auth_client):
    customer = baker.make("customers.Customer", store_id=1, address_id=1, active=1)
    response = auth_client.get(f"/api/v1/customers/{customer.pk}/rentals/")
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert auth_client.get(f"/api/v1/customers/{customer.pk}/rentals/?page=2").status_code == 404


def test_it_answers_404_for_a_page_past_the_end(auth_client):
    response = auth_client.get("/api/v1/customers/1/rentals/?page=3&page_size=16")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_links_the_next_and_previous_pages(auth_client):
    body = auth_client.get("/api/v1/customers/1/rentals/?page=2&page_size=10").json()
    assert body["count"] == 32
    assert len(body["results"]) == 10
    # Links are cursors (the contract's "Lists at a chain's scale"): the rows after and before.
    assert (
        auth_client.get(body["next"]).json()["results"]
        == (auth_client.get("/api/v1/customers/1/rentals/?page=3&page_size=10").json()["results"])
    )
    assert (
        auth_client.get(body["previous"]).json()["results"]
        == (auth_client.get("/api/v1/customers/1/rentals/?page_size=10").json()["results"])
    )
    last = auth_client.get("/api/v1/customers/1/rentals/?page=4&page_size=10").json()
    assert (len(last["results"]), last["next"]) == (2, None)
