"""The counter's customer page: open rentals overdue first with the fee so far (Pagila's rule,
were they returned now), and the latest payments."""

import pytest

from customers.scope import EVERY_STORE
from pagila_site.testsupport.data import sql_all, sql_one
from rentals.services import rental_create

pytestmark = pytest.mark.django_db

# What Pagila's rule charges for an open rental returned at the statement's time.
FEE_SO_FAR = (
    "SELECT f.rental_rate"
    " + greatest(0, extract(day FROM statement_timestamp()"
    "   - (r.rental_date + f.rental_duration * interval '1 day')))"
    " + CASE WHEN statement_timestamp() - r.rental_date > f.rental_duration * 2 * interval '1 day'"
    "   THEN f.replacement_cost ELSE 0 END"
    " FROM rental r JOIN inventory i USING (inventory_id) JOIN film f USING (film_id) WHERE r.rental_id = %s"
)


@pytest.fixture
def customer_with_overdue_rental(db):
    """``(customer_id, rental_id)``: a store 1 customer with one of Pagila's 2022 open rentals."""
    return sql_one(
        "SELECT r.customer_id, r.rental_id FROM rental r JOIN customer c USING (customer_id) "
        "WHERE r.return_date IS NULL AND c.store_id = 1 ORDER BY r.rental_id LIMIT 1"
    )


def test_overdue_rentals_come_first_with_their_fee_so_far(clerk_admin, customer_with_overdue_rental):
    customer_id, overdue_id = customer_with_overdue_rental
    copy = sql_one(
        "SELECT min(inventory_id) FROM inventory i WHERE store_id = 1 AND NOT EXISTS ("
        "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL)"
    )[0]
    fresh = rental_create(  # an overdue customer is blocked: overridden
        scope=EVERY_STORE,
        customer_id=customer_id,
        inventory_id=copy,
        staff_id=1,
        override_reason="test",
        may_override=True,
    )
    overdue = sql_all(
        "SELECT r.rental_id FROM rental r JOIN inventory i USING (inventory_id) JOIN film f USING (film_id) "
        "WHERE r.customer_id = %s AND r.return_date IS NULL AND r.rental_id <> %s "
        "ORDER BY r.rental_date + f.rental_duration * interval '1 day', r.rental_id",
        [customer_id, fresh.pk],
    )
    assert overdue_id in [row[0] for row in overdue]
    response = clerk_admin.get(f"/admin/counter/customers/{customer_id}/")
    rentals = response.context["open_rentals"]
    assert [(r.pk, r.overdue) for r in rentals] == [*((row[0], True) for row in overdue), (fresh.pk, False)]
    assert [r.fee_so_far for r in rentals[:-1]] == [sql_one(FEE_SO_FAR, [row[0]])[0] for row in overdue]
    rate = sql_one(
        "SELECT f.rental_rate FROM inventory i JOIN film f USING (film_id) WHERE inventory_id = %s", [copy]
    )
    assert rentals[-1].fee_so_far == rate[0]


def test_the_latest_five_payments_are_shown(clerk_admin, desk_customer):
    expected = sql_all(
        "SELECT payment_id FROM payment WHERE customer_id = %s "
        "ORDER BY payment_date DESC, payment_id DESC LIMIT 5",
        [desk_customer],
    )
    response = clerk_admin.get(f"/admin/counter/customers/{desk_customer}/")
    assert [payment.payment_id for payment in response.context["payments"]] == [row[0] for row in expected]
    assert len(expected) == 5


def test_an_inactive_customer_is_marked_so(clerk_admin):
    inactive = sql_one("SELECT min(customer_id) FROM customer WHERE store_id = 1 AND active = 0")[0]
    page = clerk_admin.get(f"/admin/counter/customers/{inactive}/").content.decode()
    assert '<span class="badge badge-alert" id="inactive">inactive: cannot rent</span>' in page


def test_an_unlinked_superuser_may_check_in_but_not_out(superuser_client, desk_customer):
    response = superuser_client.get(f"/admin/counter/customers/{desk_customer}/")
    page = response.content.decode()
    assert 'id="check-out-form"' not in page
    assert 'id="unlinked"' in page
    assert 'id="check-in-form"' in page
