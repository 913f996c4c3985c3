"""Fixtures of the counter's tests: Pagila's rows they work with, picked with plain SQL (see
``pagila_site/testsupport/data.py``), and a hold waiting for a film, made through the services."""

import pytest

from customers.scope import EVERY_STORE
from customers.services import staff_account_set
from pagila_site.testsupport.data import sql_all, sql_one
from rentals.holds import hold_place
from rentals.services import rental_create


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


@pytest.fixture
def two_copy_film(db) -> dict:
    """A film with exactly two copies, both at store 1 and on its shelf: ``film_id``, ``title``,
    ``copies``."""
    film_id, title = sql_one(
        "SELECT f.film_id, f.title FROM film f JOIN inventory i USING (film_id) GROUP BY f.film_id "
        "HAVING count(*) = 2 AND bool_and(i.store_id = 1) "
        "AND NOT EXISTS (SELECT 1 FROM rental r JOIN inventory j USING (inventory_id) "
        "                WHERE j.film_id = f.film_id AND r.return_date IS NULL) "
        "ORDER BY f.film_id LIMIT 1"
    )
    copies = [
        row[0]
        for row in sql_all("SELECT inventory_id FROM inventory WHERE film_id = %s ORDER BY 1", [film_id])
    ]
    return {"film_id": film_id, "title": title, "copies": copies}


@pytest.fixture
def held_film(two_copy_film, desk_customer) -> dict:
    """``two_copy_film`` with both copies out to ``desk_customer`` (``renter``) and a hold of
    store 1's next active customer (``holder``) waiting for it at store 1: ``hold_id`` too."""
    holder = sql_one(
        "SELECT min(customer_id) FROM customer WHERE store_id = 1 AND active = 1 AND customer_id > %s",
        [desk_customer],
    )[0]
    for copy in two_copy_film["copies"]:
        rental_create(scope=EVERY_STORE, customer_id=desk_customer, inventory_id=copy, staff_id=1)
    hold = hold_place(scope=EVERY_STORE, customer_id=holder, film_id=two_copy_film["film_id"], store_id=1)
    assert hold.status == "waiting"
    return {**two_copy_film, "renter": desk_customer, "holder": holder, "hold_id": hold.pk}


@pytest.fixture
def blocked_customer(db) -> int:
    """An active customer of store 1 blocked for their balance alone: one of Pagila's 2022 rentals
    is still open, owing its replacement cost by now (one overdue rental is within the limit)."""
    return sql_one(
        "SELECT r.customer_id FROM rental r JOIN customer c USING (customer_id) "
        "WHERE r.return_date IS NULL AND c.store_id = 1 AND c.active = 1 GROUP BY r.customer_id "
        "HAVING count(*) = 1 ORDER BY r.customer_id LIMIT 1"
    )[0]


@pytest.fixture
def manager_admin(client, clerk):
    """The test client as ``clerk`` made a manager too (the Manager group: override_block)."""
    manager, _ = staff_account_set(username=clerk.username, staff_id=1, manager=True)
    client.force_login(manager)
    return client
