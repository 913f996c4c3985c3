"""A return backdated for a drop box: ``returned_at`` on POST /rentals/{id}/return/, the fee at
that time, and its limits (not before the rental, not in the future, RETURN_BACKDATE_DAYS back)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils.dateparse import parse_datetime

from pagila_site.testsupport.data import db_clock, film_of, sql_one
from pagila_site.testsupport.rentals import pagila_fee

pytestmark = pytest.mark.django_db


def old_rental(days_ago: float) -> int:
    """A rental of a copy on the shelf, made ``days_ago`` days ago by plain SQL."""
    copy = sql_one(
        "SELECT min(inventory_id) FROM inventory i WHERE store_id = 1 AND NOT EXISTS "
        "(SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL)"
    )[0]
    return sql_one(
        "INSERT INTO rental (rental_date, inventory_id, customer_id, staff_id) "
        "VALUES (now() - make_interval(secs => %s), %s, 1, 1) RETURNING rental_id",
        [days_ago * 86400, copy],
    )[0]


def back(client, rental_id, returned_at):
    return client.post(f"/api/v1/rentals/{rental_id}/return/", {"returned_at": returned_at}, format="json")


def test_a_backdated_return_owes_the_fee_at_that_time(clerk_client):
    rental = old_rental(days_ago=10)  # due after the film's rental_duration (3 to 7 days)
    returned_at = db_clock() - timedelta(days=6, hours=12)

    response = back(clerk_client, rental, returned_at.isoformat())

    assert response.status_code == 200, response.json()
    body = response.json()
    assert parse_datetime(body["return_date"]) == returned_at
    film = film_of(body["inventory_id"])
    expected = pagila_fee(film, parse_datetime(body["rental_date"]), returned_at)
    assert Decimal(body["amount_due"]) == expected
    # Returned now it would have owed more: days late count up to the drop, not the scan.
    now_fee = pagila_fee(film, parse_datetime(body["rental_date"]), db_clock())
    assert now_fee > expected


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (timedelta(minutes=5), "A return can't be in the future."),
        (-timedelta(days=7, minutes=5), "A return may be backdated by at most 7 days."),
    ],
)
def test_it_refuses_a_return_outside_the_limits(clerk_client, offset, message):
    rental = old_rental(days_ago=30)
    response = back(clerk_client, rental, (db_clock() + offset).isoformat())
    assert response.status_code == 400
    assert response.json()["errors"] == {"returned_at": [message]}
    assert sql_one("SELECT return_date FROM rental WHERE rental_id = %s", [rental]) == (None,)


def test_it_refuses_a_return_before_the_rental(clerk_client):
    rental = old_rental(days_ago=1)
    response = back(clerk_client, rental, (db_clock() - timedelta(days=2)).isoformat())
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["returned_at"]
    assert response.json()["errors"]["returned_at"][0].startswith("A return can't be before the rental (")


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00Z", 12, ""])
def test_it_refuses_a_malformed_returned_at(clerk_client, value):
    rental = old_rental(days_ago=1)
    response = back(clerk_client, rental, value)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["returned_at"]


def test_the_limit_is_a_setting(clerk_client, settings):
    settings.RETURN_BACKDATE_DAYS = 30
    rental = old_rental(days_ago=40)
    assert back(clerk_client, rental, (db_clock() - timedelta(days=20)).isoformat()).status_code == 200
