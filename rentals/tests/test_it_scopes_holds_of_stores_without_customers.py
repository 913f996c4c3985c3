"""A clerk whose stores have no customers (most of a chain's) sees the holds at those stores, by the
stores' condition alone: with the customers' one beside it, PostgreSQL walked every hold to find them."""

import pytest

from customers.scope import EVERY_STORE, scope_of
from customers.services import staff_account_set
from rentals.holds import hold_place
from rentals.models import Hold

pytestmark = pytest.mark.django_db


def test_it_scopes_holds_by_store_alone_for_stores_without_customers():
    # Pagila's staff member 4 belongs to store 3 and manages store 4: neither has a customer.
    user, _ = staff_account_set(username="clerk4", staff_id=4, password="clerk-password")
    scope = scope_of(user)
    theirs = hold_place(scope=EVERY_STORE, customer_id=1, film_id=1, store_id=3).hold_id
    hold_place(scope=EVERY_STORE, customer_id=2, film_id=1, store_id=1)

    holds = Hold.objects.in_scope(scope)

    assert (scope.store_ids, scope.has_customers) == (frozenset({3, 4}), False)
    assert list(holds.values_list("hold_id", flat=True)) == [theirs]
    assert '"customer"' not in str(holds.query)
