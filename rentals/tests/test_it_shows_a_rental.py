"""GET /api/v1/rentals/{rental_id}/: the rental object, due date and overdue flag from SQL."""

from decimal import Decimal

import pytest
from django.utils.dateparse import parse_datetime

from pagila_site.testsupport.data import db_clock, film_of
from pagila_site.testsupport.rentals import pagila_fee

pytestmark = pytest.mark.django_db


def test_it_shows_an_open_overdue_rental(auth_client):
    before = db_clock()
    response = auth_client.get("/api/v1/rentals/13421/")
    after = db_clock()
    assert response.status_code == 200
    # Owed were it returned now: the fee may step up by a dollar between the two clock readings.
    owed = {pagila_fee(film_of(9), parse_datetime("2022-02-14T15:16:03Z"), now) for now in (before, after)}
    body = response.json()
    assert Decimal(body["balance"]) + Decimal("4.99") in owed  # Pagila's payment 31947
    assert body == {
        "rental_id": 13421,
        "rental_date": "2022-02-14T15:16:03Z",
        "return_date": None,
        "due_date": "2022-02-17T15:16:03Z",
        "overdue": True,
        "customer_id": 366,
        "inventory_id": 9,
        "staff_id": 1,
        "film": {"film_id": 2, "title": "ACE GOLDFINGER"},
        "amount_due": None,
        "amount_paid": "4.99",
        "balance": body["balance"],
    }


def test_it_shows_a_returned_rental_as_not_overdue(auth_client):
    response = auth_client.get("/api/v1/rentals/1/")
    assert response.status_code == 200
    assert response.json() == {
        "rental_id": 1,
        "rental_date": "2022-05-24T21:53:30Z",
        "return_date": "2022-05-26T21:04:30Z",
        "due_date": "2022-05-31T21:53:30Z",
        "overdue": False,
        "customer_id": 130,
        "inventory_id": 367,
        "staff_id": 1,
        "film": {"film_id": 80, "title": "BLANKET BEVERLY"},
        # Two days out, on time: the rate, which Pagila's payment 16940 paid in full.
        "amount_due": "2.99",
        "amount_paid": "2.99",
        "balance": "0.00",
    }


@pytest.mark.parametrize("rental_id", ["999999", str(2**31), "9" * 40])
def test_it_answers_404_for_an_unknown_rental(auth_client, rental_id):
    response = auth_client.get(f"/api/v1/rentals/{rental_id}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_answers_404_for_a_rental_id_that_is_not_a_number(auth_client):
    response = auth_client.get("/api/v1/rentals/abc/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_serves_the_rental_without_a_trailing_slash(auth_client):
    assert auth_client.get("/api/v1/rentals/1").json()["rental_id"] == 1


def test_it_ignores_list_filters_on_a_rental(auth_client):
    # Rental 1 is customer 130's and returned: neither parameter applies to a detail.
    response = auth_client.get("/api/v1/rentals/1/", {"status": "lost", "customer_id": "2"})
    assert response.status_code == 200
    assert response.json()["rental_id"] == 1
