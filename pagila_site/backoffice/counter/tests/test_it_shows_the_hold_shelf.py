"""The hold shelf of one of the clerk's stores: its ready holds with copy, customer and expiry,
soonest to expire first; an expired one flagged with what happens to it."""

import pytest

from customers.scope import EVERY_STORE
from pagila_site.testsupport.data import sql_one
from rentals.holds import hold_place

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_holds(desk_customer, two_copy_film) -> list[int]:
    """Two ready holds at store 1, one per copy of ``two_copy_film``, of the desk customer and the
    next one; the second's expiry moved a day earlier."""
    other = sql_one(
        "SELECT min(customer_id) FROM customer WHERE store_id = 1 AND active = 1 AND customer_id > %s",
        [desk_customer],
    )[0]
    holds = [
        hold_place(scope=EVERY_STORE, customer_id=customer, film_id=two_copy_film["film_id"], store_id=1).pk
        for customer in (desk_customer, other)
    ]
    sql_one(
        "UPDATE hold SET expires_at = expires_at - interval '1 day' WHERE hold_id = %s RETURNING 1",
        [holds[1]],
    )
    return holds


def test_it_lists_the_ready_holds_soonest_to_expire_first(clerk_admin, ready_holds, two_copy_film):
    page = clerk_admin.get("/admin/counter/holds/?store=1")
    assert page.status_code == 200
    assert [(h.pk, h.inventory_id, h.shown_status) for h in page.context["ready"]] == [
        (ready_holds[1], two_copy_film["copies"][1], "ready"),
        (ready_holds[0], two_copy_film["copies"][0], "ready"),
    ]
    html = page.content.decode()
    first, last = sql_one(
        "SELECT c.first_name, c.last_name FROM hold h JOIN customer c USING (customer_id) WHERE hold_id = %s",
        [ready_holds[1]],
    )
    assert f"{first} {last}" in html
    # The cursor is on the first slip, for Enter to open it.
    assert f'href="/admin/counter/holds/{ready_holds[1]}/slip/" class="slip-link" autofocus' in html
    assert 'id="expired-note"' not in html


def test_an_expired_hold_is_flagged_until_the_worker_passes_it_on(clerk_admin, ready_holds):
    sql_one(
        "UPDATE hold SET expires_at = now() - interval '1 minute' WHERE hold_id = %s RETURNING 1",
        [ready_holds[0]],
    )
    page = clerk_admin.get("/admin/counter/holds/?store=1")
    assert [h.shown_status for h in page.context["ready"]] == ["expired", "ready"]
    html = page.content.decode()
    assert "expired: being passed on" in html
    assert "1 hold expired (marked below). Nothing to do at the desk: within a minute" in html


def test_the_shelf_shows_the_store_the_clerk_manages_first(clerk_admin, ready_holds):
    """Staff member 1 manages store 1, where the copies and the desk are, and belongs to 25."""
    page = clerk_admin.get("/admin/counter/holds/")
    assert page.context["store_id"] == 1
    assert page.context["ready"]


def test_another_stores_shelf_is_not_shown(clerk_admin, store_2_customer):
    film_id = sql_one("SELECT min(film_id) FROM inventory WHERE store_id = 2")[0]
    hold_place(scope=EVERY_STORE, customer_id=store_2_customer, film_id=film_id, store_id=2)
    page = clerk_admin.get("/admin/counter/holds/?store=2")
    assert page.status_code == 200
    assert page.context["store_id"] == 1
    assert all(hold.store_id == 1 for hold in page.context["ready"])
    [message] = [str(m) for m in page.context["messages"]]
    assert message.startswith("Select a valid choice.")
