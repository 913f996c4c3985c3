"""POST /api/v1/rentals/{rental_id}/return/: return_date by the database clock, and the fee due."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils.dateparse import parse_datetime

from pagila_site.testsupport.data import db_clock, film_of, sql_one
from pagila_site.testsupport.rentals import amount_paid, pagila_fee, rent

pytestmark = pytest.mark.django_db

# One of Pagila's 183 open rentals: ACE GOLDFINGER (copy 9), rented 2022-02-14 15:16:03 UTC.
OLD_OPEN_RENTAL = 13421


def _open_rental(inventory_id: int, rented_ago: timedelta) -> int:
    """An open rental of ``inventory_id`` that started ``rented_ago`` before the database's now."""
    return sql_one(
        "INSERT INTO rental (rental_date, inventory_id, customer_id, staff_id) "
        "VALUES (statement_timestamp() - %s, %s, 1, 1) RETURNING rental_id",
        [rented_ago, inventory_id],
    )[0]


def test_it_returns_an_old_open_rental_with_its_late_fees_and_replacement_cost(auth_client):
    assert sql_one(
        "SELECT return_date, inventory_id FROM rental WHERE rental_id = %s", [OLD_OPEN_RENTAL]
    ) == (
        None,
        9,
    )
    before = db_clock()
    response = auth_client.post(f"/api/v1/rentals/{OLD_OPEN_RENTAL}/return/")
    after = db_clock()

    assert response.status_code == 200
    body = response.json()
    rental_date, return_date = parse_datetime(body["rental_date"]), parse_datetime(body["return_date"])
    assert before <= return_date <= after
    film = film_of(9)
    assert body == {
        "rental_id": OLD_OPEN_RENTAL,
        "rental_date": "2022-02-14T15:16:03Z",
        "return_date": body["return_date"],
        "due_date": "2022-02-17T15:16:03Z",
        "overdue": False,
        "customer_id": 366,
        "inventory_id": 9,
        "staff_id": body["staff_id"],
        "film": {"film_id": 2, "title": "ACE GOLDFINGER"},
        "amount_due": f"{pagila_fee(film, rental_date, return_date):.2f}",
        # Pagila's own payment of this rental, taken when it was rented in 2022.
        "amount_paid": f"{amount_paid(OLD_OPEN_RENTAL):.2f}",
        "balance": f"{pagila_fee(film, rental_date, return_date) - amount_paid(OLD_OPEN_RENTAL):.2f}",
        "set_aside_for": None,  # no hold waits for the film at the copy's store
    }
    # Years late: the rate, a dollar a day since 2022-02-17, and the replacement cost.
    days_late = (return_date - parse_datetime("2022-02-17T15:16:03Z")).days
    assert Decimal(body["amount_due"]) == Decimal("4.99") + days_late + Decimal("12.99")


def test_it_stores_the_return_date(auth_client):
    response = auth_client.post(f"/api/v1/rentals/{OLD_OPEN_RENTAL}/return/")
    stored = sql_one("SELECT return_date FROM rental WHERE rental_id = %s", [OLD_OPEN_RENTAL])[0]
    assert stored == parse_datetime(response.json()["return_date"])


def test_it_charges_only_the_rate_for_a_copy_returned_on_time(auth_client, copy_in_stock):
    rental_id = _open_rental(copy_in_stock, timedelta(hours=1))
    response = auth_client.post(f"/api/v1/rentals/{rental_id}/return/")
    assert response.status_code == 200
    assert response.json()["amount_due"] == f"{film_of(copy_in_stock)['rental_rate']:.2f}"


@pytest.mark.parametrize(
    ("late", "extra_days"),
    [(timedelta(hours=23), 0), (timedelta(days=2, hours=23), 2), (timedelta(days=3, hours=1), 3)],
)
def test_it_charges_a_dollar_per_whole_day_late(auth_client, copy_in_stock, late, extra_days):
    film = film_of(copy_in_stock)
    assert late < timedelta(days=film["rental_duration"])  # not yet "lost"
    rental_id = _open_rental(copy_in_stock, timedelta(days=film["rental_duration"]) + late)
    response = auth_client.post(f"/api/v1/rentals/{rental_id}/return/")
    assert response.json()["amount_due"] == f"{film['rental_rate'] + extra_days:.2f}"


@pytest.mark.parametrize(("beyond_twice", "lost"), [(timedelta(hours=-1), False), (timedelta(hours=1), True)])
def test_it_adds_the_replacement_cost_beyond_twice_the_rental_duration(
    auth_client, copy_in_stock, beyond_twice, lost
):
    film = film_of(copy_in_stock)
    duration = timedelta(days=film["rental_duration"])
    rental_id = _open_rental(copy_in_stock, 2 * duration + beyond_twice)
    response = auth_client.post(f"/api/v1/rentals/{rental_id}/return/")
    days_late = (duration + beyond_twice) // timedelta(days=1)
    expected = film["rental_rate"] + days_late + (film["replacement_cost"] if lost else 0)
    assert response.json()["amount_due"] == f"{expected:.2f}"


def test_it_refuses_to_return_a_returned_rental(auth_client):
    first = auth_client.post(f"/api/v1/rentals/{OLD_OPEN_RENTAL}/return/")
    again = auth_client.post(f"/api/v1/rentals/{OLD_OPEN_RENTAL}/return/")
    assert again.status_code == 409
    assert again.json() == {"detail": "This rental has already been returned.", "code": "already_returned"}
    stored = sql_one("SELECT return_date FROM rental WHERE rental_id = %s", [OLD_OPEN_RENTAL])[0]
    assert stored == parse_datetime(first.json()["return_date"])


def test_it_refuses_to_return_one_of_pagilas_returned_rentals(auth_client):
    response = auth_client.post("/api/v1/rentals/1/return/")
    assert response.status_code == 409
    assert response.json()["code"] == "already_returned"


@pytest.mark.parametrize("rental_id", [999999, 2**31, 10**30])
def test_it_answers_404_for_an_unknown_rental(auth_client, rental_id):
    response = auth_client.post(f"/api/v1/rentals/{rental_id}/return/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_makes_the_copy_rentable_again(auth_client):
    auth_client.post(f"/api/v1/rentals/{OLD_OPEN_RENTAL}/return/")
    response = rent(auth_client, 1, 9)
    assert response.status_code == 201
