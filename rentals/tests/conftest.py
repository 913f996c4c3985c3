"""Fixtures of the rentals tests, picked from Pagila's own data with plain SQL.

Plain SQL on purpose: the expectations must not come from the querysets under test.
"""

import pytest
from django.db import connection


def sql_one(query: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()


def db_clock():
    """The database's clock now (``statement_timestamp()``, which the services' Now() is)."""
    return sql_one("SELECT statement_timestamp()")[0]


@pytest.fixture
def copy_in_stock(db) -> int:
    """The lowest inventory id with no open rental."""
    return sql_one(
        "SELECT inventory_id FROM inventory i WHERE NOT EXISTS ("
        "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL"
        ") ORDER BY inventory_id LIMIT 1"
    )[0]


@pytest.fixture
def copy_out(db) -> int:
    """A copy out on one of Pagila's 183 open rentals."""
    return sql_one("SELECT min(inventory_id) FROM rental WHERE return_date IS NULL")[0]


def film_of(inventory_id: int) -> dict:
    film_id, title, duration, rate, replacement = sql_one(
        "SELECT f.film_id, f.title, f.rental_duration, f.rental_rate, f.replacement_cost "
        "FROM inventory i JOIN film f USING (film_id) WHERE i.inventory_id = %s",
        [inventory_id],
    )
    return {
        "film_id": film_id,
        "title": title,
        "rental_duration": duration,
        "rental_rate": rate,
        "replacement_cost": replacement,
    }
