"""Fixtures of the rentals tests, picked from Pagila's own data with plain SQL.

Plain SQL on purpose: the expectations must not come from the querysets under test.
"""

import pytest

from pagila_site.testsupport.data import sql_one
from rentals.models import Rental


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


@pytest.fixture
def created_rentals(db):
    """Deletes, afterwards, every rental created during the test: in ``transaction=True`` tests
    they are committed, and Django's flush only empties our own managed tables."""
    last = sql_one("SELECT max(rental_id) FROM rental")[0]
    yield
    Rental.objects.filter(rental_id__gt=last).delete()
