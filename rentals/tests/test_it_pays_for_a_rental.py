"""POST /api/v1/rentals/{rental_id}/payments/: a payment now, of at most what the rental owes."""

from decimal import Decimal

import pytest
from django.utils.dateparse import parse_datetime

from pagila_site.testsupport.data import db_clock, film_of, sql_one
from pagila_site.testsupport.rentals import pay, returned_rental

pytestmark = pytest.mark.django_db

# Customer 1's rental 1476 (copy 3021): owes 22.98, Pagila's payment of it was 9.99.
OWING_RENTAL, OWED = 1476, Decimal("12.99")


def _stored(payment_id: int):
    return sql_one(
        "SELECT rental_id, customer_id, staff_id, amount, payment_date, tableoid::regclass::text "
        "FROM payment WHERE payment_id = %s",
        [payment_id],
    )


def test_it_stores_a_payment_now_by_the_database_clock(auth_client):
    before = db_clock()
    response = pay(auth_client, OWING_RENTAL, "3.99", staff_id=2)
    after = db_clock()

    assert response.status_code == 201
    body = response.json()
    assert before <= parse_datetime(body["payment_date"]) <= after
    assert body == {
        "payment_id": body["payment_id"],
        "rental_id": OWING_RENTAL,
        "customer_id": 1,
        "staff_id": 2,
        "amount": "3.99",
        "payment_date": body["payment_date"],
    }
    assert _stored(body["payment_id"]) == (
        OWING_RENTAL,
        1,
        2,
        Decimal("3.99"),
        parse_datetime(body["payment_date"]),
        "payment_default",
    )


def test_it_numbers_the_payment_from_pagilas_sequence(auth_client):
    response = pay(auth_client, OWING_RENTAL)
    assert response.json()["payment_id"] == sql_one("SELECT last_value FROM payment_payment_id_seq")[0]


def test_it_points_location_at_the_new_payment(auth_client):
    response = pay(auth_client, OWING_RENTAL)
    assert response["Location"] == f"/api/v1/payments/{response.json()['payment_id']}/"
    assert auth_client.get(response["Location"]).json() == response.json()


def test_it_takes_the_customer_from_the_rental(auth_client, copy_in_stock):
    rental_id = returned_rental(copy_in_stock, days=1, customer_id=7)
    assert pay(auth_client, rental_id, "0.50").json()["customer_id"] == 7


def test_it_lowers_the_rentals_balance(auth_client):
    pay(auth_client, OWING_RENTAL, "2.00")
    rental = auth_client.get(f"/api/v1/rentals/{OWING_RENTAL}/").json()
    assert (rental["amount_due"], rental["amount_paid"], rental["balance"]) == ("22.98", "11.99", "10.99")


def test_it_takes_exactly_the_balance(auth_client):
    response = pay(auth_client, OWING_RENTAL, f"{OWED}")
    assert response.status_code == 201
    assert auth_client.get(f"/api/v1/rentals/{OWING_RENTAL}/").json()["balance"] == "0.00"


def test_it_takes_payment_for_an_open_rental_up_to_what_it_owes_now(auth_client, copy_in_stock):
    rental_id = auth_client.post(
        "/api/v1/customers/1/rentals/", {"inventory_id": copy_in_stock, "staff_id": 1}, format="json"
    ).json()["rental_id"]
    rate = film_of(copy_in_stock)["rental_rate"]
    assert pay(auth_client, rental_id, f"{rate}").status_code == 201
    assert pay(auth_client, rental_id, "0.01").status_code == 409


def test_it_pays_without_a_trailing_slash(auth_client):
    response = auth_client.post(
        f"/api/v1/rentals/{OWING_RENTAL}/payments", {"amount": "1.00", "staff_id": 1}, format="json"
    )
    assert response.status_code == 201


def test_it_accepts_a_json_number(auth_client):
    response = pay(auth_client, OWING_RENTAL, 1.5)
    assert response.status_code == 201
    assert response.json()["amount"] == "1.50"
