"""Marking a scanned copy damaged, lost, withdrawn or good again at the counter, through
copy_condition_set: on a customer's page the result joins the visit, on the start page it is a
message; a copy marked lost while out on a rental is returned owing its replacement cost."""

import re

import pytest
from django.contrib.auth.models import Permission

from changes.models import Change
from customers.scope import EVERY_STORE
from pagila_site.testsupport.data import sql_one
from rentals.services import rental_create

pytestmark = pytest.mark.django_db


def _condition(inventory_id):
    return sql_one("SELECT condition FROM inventory WHERE inventory_id = %s", [inventory_id])[0]


def _title(inventory_id):
    return sql_one(
        "SELECT f.title FROM inventory i JOIN film f USING (film_id) WHERE i.inventory_id = %s",
        [inventory_id],
    )[0]


def _rate_and_replacement(inventory_id):
    """What a rental of the copy lost the day it was rented owes: its rate and the copy."""
    return sql_one(
        "SELECT f.rental_rate + f.replacement_cost FROM inventory i JOIN film f USING (film_id) "
        "WHERE i.inventory_id = %s",
        [inventory_id],
    )[0]


def _mark(client, customer_id, data):
    response = client.post(f"/admin/counter/customers/{customer_id}/condition/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/counter/customers/{customer_id}/?focus=condition"
    return client.get(response["Location"])


def test_a_copy_marked_damaged_joins_the_visit_and_rents_no_more(clerk_admin, desk_customer, store_1_copies):
    copy = store_1_copies[0]
    page = _mark(clerk_admin, desk_customer, {"copy": copy, "condition": "damaged", "note": "Disc cracked"})
    assert page.context["events"] == [
        {
            "step": "condition",
            "outcome": "marked",
            "inventory_id": copy,
            "rental_id": None,
            "film": _title(copy),
            "detail": "Marked damaged: Disc cracked",
            "hold": None,
        }
    ]
    assert _condition(copy) == "damaged"
    [update] = Change.objects.of("inventory", copy)
    assert (update.reason, update.source, update.changes["condition"]) == (
        "Disc cracked",
        "counter",
        ["good", "damaged"],
    )
    # Nothing to receipt: the visit's receipt lists rentals.
    assert page.context["receipt_url"] is None
    refused = clerk_admin.post(f"/admin/counter/customers/{desk_customer}/check-out/", {"copies": copy})
    assert clerk_admin.get(refused["Location"]).context["events"][0]["detail"] == (
        "This copy is not in good condition (damaged, lost or withdrawn)."
    )


def test_the_cursor_is_back_in_the_condition_box(clerk_admin, desk_customer, store_1_copies):
    page = _mark(
        clerk_admin, desk_customer, {"copy": store_1_copies[0], "condition": "withdrawn", "note": "Old"}
    )
    focused = re.findall(r"<(?:input|a|button|select)\b[^>]*\bautofocus\b[^>]*>", page.content.decode())
    assert len(focused) == 1
    assert 'id="id_condition_copy"' in focused[0]


def test_a_copy_the_customer_lost_is_returned_owing_its_replacement_cost(
    clerk_admin, desk_customer, store_1_copies
):
    copy = store_1_copies[0]
    rental = rental_create(scope=EVERY_STORE, customer_id=desk_customer, inventory_id=copy, staff_id=1)
    owed = _rate_and_replacement(copy)
    page = _mark(
        clerk_admin, desk_customer, {"copy": copy, "condition": "lost", "note": "Left it on a train"}
    )
    [event] = page.context["events"]
    assert (event["outcome"], event["rental_id"]) == ("marked", rental.pk)
    assert event["detail"] == (
        f"Marked lost: Left it on a train. Rental {rental.pk} returned, owing ${owed} "
        "(the replacement cost included)"
    )
    assert sql_one("SELECT return_date IS NOT NULL, lost FROM rental WHERE rental_id = %s", [rental.pk]) == (
        True,
        True,
    )
    # The visit's payment takes it, and its receipt shows it.
    assert page.context["visit_owed"] == owed
    assert page.context["receipt_url"] == f"/admin/counter/receipts/{rental.pk}/"


def test_a_lost_copy_is_said_from_the_start_page_with_its_customer(
    clerk_admin, desk_customer, store_1_copies
):
    copy = store_1_copies[0]
    rental = rental_create(scope=EVERY_STORE, customer_id=desk_customer, inventory_id=copy, staff_id=1)
    response = clerk_admin.post(
        "/admin/counter/condition/", {"copy": copy, "condition": "lost", "note": "Gone"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/counter/?focus=condition"
    page = clerk_admin.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        f"Copy {copy} ({_title(copy)}): Marked lost: Gone. Rental {rental.pk} of customer #{desk_customer} "
        f"returned, owing ${_rate_and_replacement(copy)} (the replacement cost included)."
    ]


def test_a_copy_marked_good_again_is_back_in_stock(clerk_admin, desk_customer, store_1_copies):
    copy = store_1_copies[0]
    _mark(clerk_admin, desk_customer, {"copy": copy, "condition": "damaged", "note": "Scratched"})
    page = _mark(clerk_admin, desk_customer, {"copy": copy, "condition": "good", "note": "Polished"})
    assert page.context["events"][0]["detail"] == "Marked good: Polished"
    assert _condition(copy) == "good"
    rented = clerk_admin.post(f"/admin/counter/customers/{desk_customer}/check-out/", {"copies": copy})
    assert clerk_admin.get(rented["Location"]).context["events"][0]["outcome"] == "rented"


def test_another_stores_copy_is_refused(clerk_admin, desk_customer, store_2_copy):
    page = _mark(
        clerk_admin, desk_customer, {"copy": store_2_copy, "condition": "damaged", "note": "Cracked"}
    )
    assert [(e["outcome"], e["detail"]) for e in page.context["events"]] == [
        ("refused", f"No copy with inventory id {store_2_copy} in your stores.")
    ]
    assert _condition(store_2_copy) == "good"


def test_a_note_is_required(clerk_admin, desk_customer, store_1_copies):
    copy = store_1_copies[0]
    page = _mark(clerk_admin, desk_customer, {"copy": copy, "condition": "damaged", "note": " "})
    assert [(e["outcome"], e["detail"]) for e in page.context["events"]] == [
        ("refused", "This field is required.")
    ]
    assert _condition(copy) == "good"


def test_an_unknown_condition_is_refused_on_the_start_page(clerk_admin, store_1_copies):
    copy = store_1_copies[0]
    response = clerk_admin.post(
        "/admin/counter/condition/", {"copy": copy, "condition": "burnt", "note": "x"}
    )
    page = clerk_admin.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        "Select a valid choice. burnt is not one of the available choices."
    ]
    assert _condition(copy) == "good"


def test_a_user_without_the_permission_may_not_and_is_not_offered_the_form(
    clerk_admin, clerk, desk_customer, store_1_copies
):
    clerk.groups.clear()
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_customer", "view_rental", "change_rental"])
    )
    data = {"copy": store_1_copies[0], "condition": "damaged", "note": "x"}
    assert clerk_admin.post(f"/admin/counter/customers/{desk_customer}/condition/", data).status_code == 403
    assert clerk_admin.post("/admin/counter/condition/", data).status_code == 403
    assert _condition(store_1_copies[0]) == "good"
    assert (
        'id="condition-form"'
        not in clerk_admin.get(f"/admin/counter/customers/{desk_customer}/").content.decode()
    )
    assert 'id="condition-form"' not in clerk_admin.get("/admin/counter/").content.decode()
