"""``"pay": true`` on renting and returning: the payment of what the rental then owes, taken in
the same transaction and answered as ``"payment"``."""

from decimal import Decimal

import pytest
from django.db import connection
from django.utils.dateparse import parse_datetime

from pagila_site.testsupport.data import film_of, sql_one
from pagila_site.testsupport.rentals import pagila_fee, rent, returned_rental

pytestmark = pytest.mark.django_db

# One of Pagila's open rentals, years late (ACE GOLDFINGER, copy 9, Pagila paid 4.99 of it).
OLD_OPEN_RENTAL = 13421
NAME_A_STAFF_MEMBER = "This field is required: this account is not linked to a staff member."


def _return(client, rental_id, body=None):
    return client.post(f"/api/v1/rentals/{rental_id}/return/", body, format="json")


def _payments_of(rental_id: int) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT payment_id, amount, tableoid::regclass::text FROM payment WHERE rental_id = %s "
            "ORDER BY payment_id",
            [rental_id],
        )
        return cursor.fetchall()


def _open_rental(inventory_id: int, days: int) -> int:
    return sql_one(
        "INSERT INTO rental (rental_date, inventory_id, customer_id, staff_id) "
        "VALUES (statement_timestamp() - make_interval(days => %s), %s, 1, 1) RETURNING rental_id",
        [days, inventory_id],
    )[0]


def test_it_pays_the_rest_on_a_return_dated_today(auth_client, copy_in_stock):
    film = film_of(copy_in_stock)
    rental_id = _open_rental(copy_in_stock, days=film["rental_duration"] + 2)  # two days late

    response = _return(auth_client, rental_id, {"pay": True, "staff_id": 2})

    assert response.status_code == 200
    body = response.json()
    owed = f"{film['rental_rate'] + 2:.2f}"
    [(payment_id, amount, partition)] = _payments_of(rental_id)
    assert (amount, partition) == (Decimal(owed), "payment_default")
    assert (body["amount_due"], body["amount_paid"], body["balance"]) == (owed, owed, "0.00")
    assert body["payment"] == {
        "payment_id": payment_id,
        "rental_id": rental_id,
        "customer_id": 1,
        "staff_id": 2,
        "amount": owed,
        "payment_date": body["payment"]["payment_date"],
    }
    # Both are the database's now() of a statement of the same transaction, the payment's later.
    assert parse_datetime(body["payment"]["payment_date"]) >= parse_datetime(body["return_date"])


def test_it_pays_the_rental_rate_on_renting(auth_client, copy_in_stock):
    response = rent(auth_client, 1, body={"inventory_id": copy_in_stock, "staff_id": 1, "pay": True})

    assert response.status_code == 201
    body = response.json()
    rate = f"{film_of(copy_in_stock)['rental_rate']:.2f}"
    assert (body["amount_due"], body["amount_paid"], body["balance"]) == (None, rate, "0.00")
    assert body["payment"]["amount"] == rate
    assert _payments_of(body["rental_id"]) == [
        (body["payment"]["payment_id"], Decimal(rate), "payment_default")
    ]


def test_it_answers_no_payment_and_stores_none_when_nothing_is_owed(auth_client, copy_in_stock):
    rented = rent(auth_client, 1, body={"inventory_id": copy_in_stock, "staff_id": 1, "pay": True}).json()

    response = _return(auth_client, rented["rental_id"], {"pay": True, "staff_id": 1})

    assert response.status_code == 200
    assert response.json()["payment"] is None
    assert response.json()["balance"] == "0.00"
    assert len(_payments_of(rented["rental_id"])) == 1  # the rate, paid on renting


def test_it_pays_at_most_99999_and_leaves_the_rest_owed(auth_client):
    response = _return(auth_client, OLD_OPEN_RENTAL, {"pay": True, "staff_id": 1})

    body = response.json()
    owed = pagila_fee(film_of(9), parse_datetime(body["rental_date"]), parse_datetime(body["return_date"]))
    assert owed > Decimal("999.99") + Decimal("4.99")
    assert body["payment"]["amount"] == "999.99"
    assert (body["amount_due"], body["amount_paid"], body["balance"]) == (
        f"{owed:.2f}",
        "1004.98",
        f"{owed - Decimal('1004.98'):.2f}",
    )


def test_it_answers_no_payment_key_without_pay(auth_client, copy_in_stock):
    rented = rent(auth_client, 1, copy_in_stock).json()
    returned = _return(auth_client, rented["rental_id"]).json()
    assert "payment" not in rented
    assert "payment" not in returned
    assert _payments_of(rented["rental_id"]) == []


def test_it_needs_an_unlinked_superuser_to_name_who_takes_the_payment_on_return(auth_client):
    response = _return(auth_client, OLD_OPEN_RENTAL, {"pay": True})
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Invalid input: staff_id: {NAME_A_STAFF_MEMBER}",
        "code": "invalid",
        "errors": {"staff_id": [NAME_A_STAFF_MEMBER]},
    }
    # Nothing happened: the rental is still open.
    assert sql_one("SELECT return_date FROM rental WHERE rental_id = %s", [OLD_OPEN_RENTAL]) == (None,)


def test_it_rolls_the_return_back_when_the_payment_is_refused(auth_client):
    response = _return(auth_client, OLD_OPEN_RENTAL, {"pay": True, "staff_id": 999999})
    assert response.status_code == 400
    assert sql_one("SELECT return_date FROM rental WHERE rental_id = %s", [OLD_OPEN_RENTAL]) == (None,)


def test_it_returns_a_rental_with_pay_false_as_without_a_body(auth_client, copy_in_stock):
    rental_id = returned_rental(copy_in_stock, days=1)
    sql_one("UPDATE rental SET return_date = NULL WHERE rental_id = %s RETURNING rental_id", [rental_id])
    response = _return(auth_client, rental_id, {"pay": False})
    assert response.status_code == 200
    assert "payment" not in response.json()
