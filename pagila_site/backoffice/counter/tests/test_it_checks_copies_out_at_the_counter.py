"""Checking copies out at the counter: each scanned copy is rented through rental_create; a
refused one is said next to its id while the others still rent."""

import re

import pytest
from django.contrib.auth.models import Permission

from pagila_site.testsupport.data import sql_all, sql_one

pytestmark = pytest.mark.django_db


def _open_rentals_of(customer_id):
    return sql_all(
        "SELECT inventory_id, staff_id FROM rental WHERE customer_id = %s AND return_date IS NULL "
        "AND rental_date > now() - interval '1 hour' ORDER BY inventory_id",
        [customer_id],
    )


def test_two_copies_one_refused_the_other_rented(clerk_admin, desk_customer, store_1_copies, store_2_copy):
    mine = store_1_copies[0]
    response = clerk_admin.post(
        f"/admin/counter/customers/{desk_customer}/check-out/", {"copies": f"{store_2_copy} {mine}"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/counter/customers/{desk_customer}/?focus=check-out"
    # Rented as the clerk's own staff member, 1.
    assert _open_rentals_of(desk_customer) == [(mine, 1)]
    events = clerk_admin.get(response["Location"]).context["events"]
    rental_id, title = sql_one(
        "SELECT r.rental_id, f.title FROM rental r JOIN inventory i USING (inventory_id) "
        "JOIN film f USING (film_id) WHERE r.inventory_id = %s AND r.return_date IS NULL",
        [mine],
    )
    assert [(e["inventory_id"], e["outcome"], e["rental_id"], e["film"]) for e in events] == [
        (mine, "rented", rental_id, title),
        (store_2_copy, "refused", None, ""),
    ]
    assert events[1]["detail"] == f"Copy {store_2_copy} is not held by any of your stores."


def test_a_copy_out_on_a_rental_is_refused_next_to_its_id(clerk_admin, desk_customer):
    out = sql_one(
        "SELECT min(r.inventory_id) FROM rental r JOIN inventory i USING (inventory_id) "
        "WHERE r.return_date IS NULL AND i.store_id = 1"
    )[0]
    response = clerk_admin.post(f"/admin/counter/customers/{desk_customer}/check-out/", {"copies": str(out)})
    page = clerk_admin.get(response["Location"])
    assert page.context["events"][0] == {
        "step": "check-out",
        "outcome": "refused",
        "inventory_id": out,
        "rental_id": None,
        "film": "",
        "detail": "This copy is out on an open rental.",
        "hold": None,
    }
    assert '<tr class="outcome-refused">' in page.content.decode()


def test_an_inactive_customer_is_refused(clerk_admin, store_1_copies):
    inactive = sql_one("SELECT min(customer_id) FROM customer WHERE store_id = 1 AND active = 0")[0]
    response = clerk_admin.post(
        f"/admin/counter/customers/{inactive}/check-out/", {"copies": str(store_1_copies[0])}
    )
    events = clerk_admin.get(response["Location"]).context["events"]
    assert [(e["outcome"], e["detail"]) for e in events] == [
        ("refused", "This customer is inactive and cannot rent.")
    ]
    assert _open_rentals_of(inactive) == []


def test_each_scan_rents_one_copy(clerk_admin, desk_customer, store_1_copies):
    for copy in store_1_copies[:2]:
        clerk_admin.post(f"/admin/counter/customers/{desk_customer}/check-out/", {"copies": str(copy)})
    assert _open_rentals_of(desk_customer) == [(store_1_copies[0], 1), (store_1_copies[1], 1)]


def test_what_is_not_an_id_is_refused_and_nothing_rents(clerk_admin, desk_customer, store_1_copies):
    response = clerk_admin.post(
        f"/admin/counter/customers/{desk_customer}/check-out/", {"copies": f"{store_1_copies[0]} x12"}
    )
    events = clerk_admin.get(response["Location"]).context["events"]
    assert [(e["outcome"], e["detail"]) for e in events] == [("refused", "Not an inventory id: x12.")]
    assert _open_rentals_of(desk_customer) == []


def test_the_cursor_is_back_in_the_check_out_box(clerk_admin, desk_customer, store_1_copies):
    response = clerk_admin.post(
        f"/admin/counter/customers/{desk_customer}/check-out/", {"copies": str(store_1_copies[0])}
    )
    page = clerk_admin.get(response["Location"]).content.decode()
    focused = re.findall(r"<(?:input|a|button)\b[^>]*\bautofocus\b[^>]*>", page)
    assert len(focused) == 1
    assert 'id="id_check_out_copies"' in focused[0]


def test_a_clerk_without_add_rental_cannot_check_out(clerk_admin, clerk, desk_customer, store_1_copies):
    clerk.groups.clear()
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_customer", "view_rental", "change_rental"])
    )
    response = clerk_admin.post(
        f"/admin/counter/customers/{desk_customer}/check-out/", {"copies": str(store_1_copies[0])}
    )
    assert response.status_code == 403
    assert _open_rentals_of(desk_customer) == []


def test_another_stores_customer_cannot_be_rented_to(clerk_admin, store_2_customer, store_1_copies):
    response = clerk_admin.post(
        f"/admin/counter/customers/{store_2_customer}/check-out/", {"copies": str(store_1_copies[0])}
    )
    assert response.status_code == 404
    assert _open_rentals_of(store_2_customer) == []


def test_a_get_does_not_rent(clerk_admin, desk_customer, store_1_copies):
    response = clerk_admin.get(
        f"/admin/counter/customers/{desk_customer}/check-out/", {"copies": str(store_1_copies[0])}
    )
    assert response.status_code == 405
    assert _open_rentals_of(desk_customer) == []


def test_a_rented_copy_shows_its_due_date(clerk_admin, desk_customer, store_1_copies):
    copy = store_1_copies[0]
    response = clerk_admin.post(f"/admin/counter/customers/{desk_customer}/check-out/", {"copies": str(copy)})
    [event] = clerk_admin.get(response["Location"]).context["events"]
    due = sql_one(
        "SELECT r.rental_date + f.rental_duration * interval '1 day' FROM rental r "
        "JOIN inventory i USING (inventory_id) JOIN film f USING (film_id) "
        "WHERE r.inventory_id = %s AND r.return_date IS NULL",
        [copy],
    )[0]
    assert event["detail"] == f"Due {due:%Y-%m-%d %H:%M}"
