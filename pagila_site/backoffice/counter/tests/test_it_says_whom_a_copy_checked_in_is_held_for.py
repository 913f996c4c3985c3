"""Checking in a copy that a hold waits for: the counter says for whom it is set aside (by name
and id when the customer is the clerk's, by id alone otherwise) and links the hold slip."""

import pytest

from customers.scope import EVERY_STORE
from pagila_site.testsupport.data import sql_one
from rentals.holds import hold_cancel, hold_place

pytestmark = pytest.mark.django_db


def _name(customer_id: int) -> str:
    return " ".join(
        sql_one("SELECT first_name, last_name FROM customer WHERE customer_id = %s", [customer_id])
    )


def test_the_customers_page_says_whom_the_copy_is_set_aside_for(clerk_admin, held_film):
    copy = held_film["copies"][0]
    response = clerk_admin.post(
        f"/admin/counter/customers/{held_film['renter']}/check-in/", {"copies": str(copy)}
    )
    page = clerk_admin.get(response["Location"])
    holder = held_film["holder"]
    assert page.context["events"][0]["hold"] == {
        "hold_id": held_film["hold_id"],
        "customer_id": holder,
        "customer": f"{_name(holder)} (#{holder})",
    }
    html = page.content.decode()
    assert (
        f"Set aside for hold {held_film['hold_id']} of <strong>{_name(holder)} (#{holder})</strong>" in html
    )
    assert f'href="/admin/counter/holds/{held_film["hold_id"]}/slip/" class="slip-link" accesskey="l"' in html
    assert sql_one("SELECT status, inventory_id FROM hold WHERE hold_id = %s", [held_film["hold_id"]]) == (
        "ready",
        copy,
    )


def test_a_copy_with_no_hold_waiting_says_nothing_of_holds(clerk_admin, held_film):
    hold_cancel(scope=EVERY_STORE, hold_id=held_film["hold_id"])
    response = clerk_admin.post(
        f"/admin/counter/customers/{held_film['renter']}/check-in/", {"copies": str(held_film["copies"][0])}
    )
    page = clerk_admin.get(response["Location"])
    assert page.context["events"][0]["outcome"] == "returned"
    assert page.context["events"][0]["hold"] is None
    assert "Set aside for hold" not in page.content.decode()


def test_the_start_pages_check_in_opens_the_renter_with_the_hold_said(clerk_admin, held_film):
    response = clerk_admin.post("/admin/counter/check-in/", {"copies": str(held_film["copies"][1])})
    assert response["Location"] == f"/admin/counter/customers/{held_film['renter']}/?focus=check-in"
    events = clerk_admin.get(response["Location"]).context["events"]
    assert [(e["outcome"], e["hold"]["hold_id"]) for e in events] == [("returned", held_film["hold_id"])]


def test_another_stores_customer_is_named_by_id_only(clerk_admin, held_film):
    """A superuser placed a hold at store 1 for a customer of store 2, behind the store 1
    customer's: the first copy back goes to the store 1 customer, the second to them."""
    outsider, first, last = sql_one(
        "SELECT customer_id, first_name, last_name FROM customer WHERE store_id = 2 AND active = 1 "
        "ORDER BY customer_id LIMIT 1"
    )
    hold = hold_place(scope=EVERY_STORE, customer_id=outsider, film_id=held_film["film_id"], store_id=1)
    copies = " ".join(map(str, held_film["copies"]))
    response = clerk_admin.post(
        f"/admin/counter/customers/{held_film['renter']}/check-in/", {"copies": copies}
    )
    page = clerk_admin.get(response["Location"])
    second = page.context["events"][0]
    assert second["hold"] == {"hold_id": hold.pk, "customer_id": outsider, "customer": f"#{outsider}"}
    html = page.content.decode()
    assert f"of <strong>#{outsider}</strong>" in html
    assert first not in html
    assert last not in html


def test_copies_of_several_customers_say_the_hold_in_a_message(clerk_admin, held_film):
    other = sql_one(
        "SELECT r.inventory_id FROM rental r JOIN inventory i USING (inventory_id) "
        "JOIN customer c ON c.customer_id = r.customer_id "
        "WHERE r.return_date IS NULL AND i.store_id = 1 AND c.store_id = 1 AND r.customer_id <> %s "
        "ORDER BY r.rental_id LIMIT 1",
        [held_film["renter"]],
    )[0]
    copy = held_film["copies"][0]
    response = clerk_admin.post("/admin/counter/check-in/", {"copies": f"{copy} {other}"})
    assert response["Location"] == "/admin/counter/?focus=check-in"
    html = clerk_admin.get(response["Location"]).content.decode()
    holder = held_film["holder"]
    assert (
        f"Copy {copy} is set aside for hold {held_film['hold_id']} of {_name(holder)} (#{holder}): put it on "
        f'the hold shelf with its <a href="/admin/counter/holds/{held_film["hold_id"]}/slip/">slip</a>.'
    ) in html
