"""POST /api/v1/customers/{customer_id}/rentals/: renting a copy that is in stock."""

from datetime import timedelta

import pytest
from django.utils.dateparse import parse_datetime

from pagila_site.testsupport.data import db_clock, film_of, sql_one
from pagila_site.testsupport.rentals import rent

pytestmark = pytest.mark.django_db


def test_it_rents_an_in_stock_copy_now_by_the_database_clock(auth_client, copy_in_stock):
    before = db_clock()
    response = rent(auth_client, 1, copy_in_stock, staff_id=2)
    after = db_clock()

    assert response.status_code == 201
    body = response.json()
    rental_date = parse_datetime(body["rental_date"])
    assert before <= rental_date <= after
    film = film_of(copy_in_stock)
    assert body == {
        "rental_id": body["rental_id"],
        "rental_date": body["rental_date"],
        "return_date": None,
        "due_date": (rental_date + timedelta(days=film["rental_duration"]))
        .isoformat()
        .replace("+00:00", "Z"),
        "overdue": False,
        "customer_id": 1,
        "inventory_id": copy_in_stock,
        "staff_id": 2,
        "film": {"film_id": film["film_id"], "title": film["title"]},
        "amount_due": None,
        "amount_paid": "0.00",
        # Owed were it returned now: its rate.
        "balance": f"{film['rental_rate']:.2f}",
    }


def test_it_points_location_at_the_new_rental(auth_client, copy_in_stock):
    response = rent(auth_client, 1, copy_in_stock)
    assert response.status_code == 201
    assert response["Location"] == f"/api/v1/rentals/{response.json()['rental_id']}/"
    assert auth_client.get(response["Location"]).json() == response.json()


def test_it_stores_an_open_rental_of_that_copy(auth_client, copy_in_stock):
    response = rent(auth_client, 12, copy_in_stock)  # a customer the block rule lets rent
    stored = sql_one(
        "SELECT inventory_id, customer_id, staff_id, return_date FROM rental WHERE rental_id = %s",
        [response.json()["rental_id"]],
    )
    assert stored == (copy_in_stock, 12, 1, None)


def test_it_rents_a_copy_again_once_it_is_returned(auth_client, copy_in_stock):
    first = rent(auth_client, 1, copy_in_stock)
    auth_client.post(f"/api/v1/rentals/{first.json()['rental_id']}/return/")

    again = rent(auth_client, 30, copy_in_stock)
    assert again.status_code == 201
    assert again.json()["customer_id"] == 30
