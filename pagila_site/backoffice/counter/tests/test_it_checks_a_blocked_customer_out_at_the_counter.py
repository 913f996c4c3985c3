"""Checking copies out to a blocked customer: each copy is refused with the block's reason in the
visit, as other refusals are; a manager rents past it with an override reason, which the rental's
change record keeps; a clerk's reason is refused, never a 500."""

import pytest

from changes.models import Change
from pagila_site.testsupport.data import sql_all

pytestmark = pytest.mark.django_db


def _open_rentals_of(customer_id):
    return [
        row[0]
        for row in sql_all(
            "SELECT inventory_id FROM rental WHERE customer_id = %s AND return_date IS NULL "
            "AND rental_date > now() - interval '1 hour' ORDER BY inventory_id",
            [customer_id],
        )
    ]


def _check_out(client, customer_id, data):
    response = client.post(f"/admin/counter/customers/{customer_id}/check-out/", data)
    assert response.status_code == 302
    return client.get(response["Location"]).context["events"]


def test_each_copy_is_refused_with_the_block_for_a_clerk(clerk_admin, blocked_customer, store_1_copies):
    copies = store_1_copies[:2]
    events = _check_out(clerk_admin, blocked_customer, {"copies": " ".join(map(str, copies))})
    assert [(e["inventory_id"], e["outcome"], e["detail"]) for e in events] == [
        (copy, "refused", "Blocked (owes more than $50.00): only a manager may rent anyway.")
        for copy in reversed(copies)
    ]
    assert _open_rentals_of(blocked_customer) == []


def test_a_manager_without_a_reason_is_refused_and_told_to_give_one(
    manager_admin, blocked_customer, store_1_copies
):
    events = _check_out(
        manager_admin, blocked_customer, {"copies": store_1_copies[0], "override_reason": "  "}
    )
    assert [(e["outcome"], e["detail"]) for e in events] == [
        ("refused", "Blocked (owes more than $50.00): give an override reason to rent anyway.")
    ]
    assert _open_rentals_of(blocked_customer) == []


def test_a_managers_override_rents_and_keeps_the_reason(manager_admin, blocked_customer, store_1_copies):
    reason = "Paid the 2022 disc in cash; receipt 8812."
    events = _check_out(
        manager_admin,
        blocked_customer,
        {"copies": f"{store_1_copies[0]} {store_1_copies[1]}", "override_reason": reason},
    )
    assert [e["outcome"] for e in events] == ["rented", "rented"]
    assert events[0]["detail"].endswith(f". Block overridden: {reason}")
    assert _open_rentals_of(blocked_customer) == store_1_copies[:2]
    for event in events:
        [insert] = Change.objects.of("rental", event["rental_id"])
        assert (insert.action, insert.user, insert.reason, insert.source) == (
            "insert",
            "clerk1",
            reason,
            "counter",
        )


def test_a_clerks_override_reason_is_refused_and_nothing_rents(clerk_admin, blocked_customer, store_1_copies):
    events = _check_out(
        clerk_admin, blocked_customer, {"copies": store_1_copies[0], "override_reason": "I say so"}
    )
    assert [(e["outcome"], e["detail"]) for e in events] == [
        ("refused", "Only a manager may rent past a block: nothing was rented with the override reason.")
    ]
    assert _open_rentals_of(blocked_customer) == []


def test_an_override_reason_over_500_characters_is_refused(manager_admin, blocked_customer, store_1_copies):
    events = _check_out(
        manager_admin, blocked_customer, {"copies": store_1_copies[0], "override_reason": "x" * 501}
    )
    assert [(e["outcome"], e["detail"]) for e in events] == [
        ("refused", "Ensure this value has at most 500 characters (it has 501).")
    ]
    assert _open_rentals_of(blocked_customer) == []


def test_a_customer_who_may_rent_rents_without_a_reason(clerk_admin, desk_customer, store_1_copies):
    events = _check_out(clerk_admin, desk_customer, {"copies": store_1_copies[0]})
    assert [e["outcome"] for e in events] == ["rented"]
