"""The counter's customer page runs the same number of queries whatever the customer has out."""

import pytest

from customers.scope import EVERY_STORE
from pagila_site.testsupport.data import sql_all, sql_one
from pagila_site.testsupport.queries import queries
from rentals.services import rental_create

pytestmark = pytest.mark.django_db


def _without_open_rentals(count: int) -> list[int]:
    rows = sql_all(
        "SELECT customer_id FROM customer c WHERE store_id = 1 AND active = 1 AND NOT EXISTS ("
        "  SELECT 1 FROM rental r WHERE r.customer_id = c.customer_id AND r.return_date IS NULL"
        ") ORDER BY customer_id LIMIT %s",
        [count],
    )
    return [row[0] for row in rows]


def _copies_in_stock(count: int) -> list[int]:
    rows = sql_all(
        "SELECT inventory_id FROM inventory i WHERE store_id = 1 AND NOT EXISTS ("
        "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL"
        ") ORDER BY inventory_id LIMIT %s",
        [count],
    )
    return [row[0] for row in rows]


def test_it_runs_the_same_queries_for_one_open_rental_and_for_six(clerk_admin, query_baseline):
    one, six = _without_open_rentals(2)
    copies = _copies_in_stock(7)
    for customer_id, rented in ((one, copies[:1]), (six, copies[1:])):
        for copy in rented:
            rental_create(  # six open rentals is a block: overridden
                scope=EVERY_STORE,
                customer_id=customer_id,
                inventory_id=copy,
                staff_id=1,
                override_reason="test",
                may_override=True,
            )
    assert sql_one("SELECT count(*) FROM rental WHERE customer_id = %s AND return_date IS NULL", [six]) == (
        6,
    )
    url = "/admin/counter/customers/{}/"
    # Opening a customer starts their visit (a session write); looking again writes nothing.
    queries(clerk_admin, url.format(one))
    small = queries(clerk_admin, url.format(one))
    queries(clerk_admin, url.format(six))
    large = queries(clerk_admin, url.format(six))
    # A lookup per rental would make it grow with them. Session, user, the user's and the group's
    # permissions, whether they enrolled an authenticator, scope, customer, open rentals, recent
    # payments, open holds, the clerk's own store (the hold form's default): the baseline.
    assert small == large
    query_baseline(large)
