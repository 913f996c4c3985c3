"""Fixtures of the counter's tests: Pagila's rows they work with, picked with plain SQL (see
``pagila_site/testsupport/data.py``)."""

import pytest

from pagila_site.testsupport.data import sql_all, sql_one


@pytest.fixture
def desk_customer(db) -> int:
    """The lowest active customer of store 1, the clerk's store."""
    return sql_one("SELECT min(customer_id) FROM customer WHERE store_id = 1 AND active = 1")[0]


@pytest.fixture
def store_1_copies(db) -> list[int]:
    """Three copies held by store 1 and in stock."""
    rows = sql_all(
        "SELECT inventory_id FROM inventory i WHERE store_id = 1 AND NOT EXISTS ("
        "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL"
        ") ORDER BY inventory_id LIMIT 3"
    )
    return [row[0] for row in rows]


@pytest.fixture
def store_2_copy(db) -> int:
    """A copy held by store 2 (not the clerk's) and in stock."""
    return sql_one(
        "SELECT min(inventory_id) FROM inventory i WHERE store_id = 2 AND NOT EXISTS ("
        "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL)"
    )[0]


@pytest.fixture
def store_2_customer(db) -> int:
    """The lowest active customer of store 2 (not the clerk's)."""
    return sql_one("SELECT min(customer_id) FROM customer WHERE store_id = 2 AND active = 1")[0]
