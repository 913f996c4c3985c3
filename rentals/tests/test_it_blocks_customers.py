"""The block rule on Pagila's own data: customers who owe more than CIRCULATION_MAX_BALANCE (every
open rental from 2022 owes its replacement cost by now) or have more than CIRCULATION_MAX_OVERDUE
rentals overdue may not rent, unless a manager overrides with a reason."""

import pytest
from rest_framework.test import APIClient

from customers.services import staff_account_set
from pagila_site.services import token_issue
from pagila_site.testsupport.data import sql_one
from pagila_site.testsupport.rentals import rent

pytestmark = pytest.mark.django_db


def a_customer(store_id: int, *, open_rentals: str) -> int:
    """An active customer of the store with one of Pagila's open (2022, overdue) rentals, or, for
    ``">2"``, two more rentals of the same month made overdue by plain SQL."""
    customer = sql_one(
        "SELECT r.customer_id FROM rental r JOIN customer c USING (customer_id) "
        "WHERE r.return_date IS NULL AND c.store_id = %s AND c.active = 1 GROUP BY r.customer_id "
        "HAVING count(*) = 1 ORDER BY r.customer_id LIMIT 1",
        [store_id],
    )[0]
    if open_rentals == ">2":
        for _ in range(2):
            sql_one(
                "INSERT INTO rental (rental_date, inventory_id, customer_id, staff_id) "
                "VALUES ('2022-02-14', %s, %s, 1) RETURNING 1",
                [a_copy(store_id), customer],
            )
    return customer


def a_copy(store_id: int) -> int:
    return sql_one(
        "SELECT min(inventory_id) FROM inventory i WHERE store_id = %s AND NOT EXISTS "
        "(SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL)",
        [store_id],
    )[0]


@pytest.fixture
def manager_client(db):
    """A manager of store 2 (Pagila's staff member 2, in the Manager group)."""
    user, _ = staff_account_set(username="manager2", staff_id=2, password="manager-password", manager=True)
    _token, raw = token_issue(user=user, name="desk")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_a_customer_with_an_open_2022_rental_is_blocked_for_balance(clerk_client):
    customer = a_customer(1, open_rentals="1")

    detail = clerk_client.get(f"/api/v1/customers/{customer}/").json()

    assert detail["blocked_reasons"] == ["balance"]
    refused = rent(clerk_client, customer, a_copy(1))
    assert refused.status_code == 409
    body = refused.json()
    assert (body["code"], body["reasons"]) == ("customer_blocked", ["balance"])
    assert "owes more than allowed" in body["detail"]


def test_more_than_two_overdue_rentals_block_for_both(clerk_client):
    customer = a_customer(1, open_rentals=">2")
    assert clerk_client.get(f"/api/v1/customers/{customer}/").json()["blocked_reasons"] == [
        "balance",
        "overdue",
    ]
    assert rent(clerk_client, customer, a_copy(1)).json()["reasons"] == ["balance", "overdue"]


def test_a_customer_who_owes_nothing_is_not_blocked(clerk_client):
    customer = sql_one(
        "SELECT min(customer_id) FROM customer c WHERE store_id = 1 AND active = 1 AND NOT EXISTS "
        "(SELECT 1 FROM rental r WHERE r.customer_id = c.customer_id AND r.return_date IS NULL)"
    )[0]
    assert clerk_client.get(f"/api/v1/customers/{customer}/").json()["blocked_reasons"] == []


def test_a_clerks_override_is_403(clerk_client):
    customer = a_customer(1, open_rentals="1")
    response = clerk_client.post(
        f"/api/v1/customers/{customer}/rentals/",
        {"inventory_id": a_copy(1), "override_reason": "Paid cash at the desk"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Renting past a block (override_reason) needs the override_block permission.",
        "code": "override_not_allowed",
    }


def test_a_managers_override_needs_a_reason_kept_in_the_change_record(manager_client):
    customer = a_customer(2, open_rentals="1")
    copy = a_copy(2)

    without = manager_client.post(
        f"/api/v1/customers/{customer}/rentals/", {"inventory_id": copy}, format="json"
    )
    assert (without.status_code, without.json()["code"]) == (409, "customer_blocked")

    reason = "Brought the 2022 disc back today; settling up next visit."
    with_reason = manager_client.post(
        f"/api/v1/customers/{customer}/rentals/",
        {"inventory_id": copy, "override_reason": reason},
        format="json",
    )
    assert with_reason.status_code == 201, with_reason.json()
    rental_id = with_reason.json()["rental_id"]
    changes = manager_client.get("/api/v1/changes/", {"table": "rental", "object_id": rental_id}).json()
    [insert] = changes["results"]
    assert (insert["action"], insert["user"], insert["reason"]) == ("insert", "manager2", reason)


@pytest.mark.parametrize("reason", ["", "x" * 501, 12])
def test_an_override_reason_is_1_to_500_characters(manager_client, reason):
    customer = a_customer(2, open_rentals="1")
    response = manager_client.post(
        f"/api/v1/customers/{customer}/rentals/",
        {"inventory_id": a_copy(2), "override_reason": reason},
        format="json",
    )
    if reason == 12:  # DRF's CharField takes a number as its text
        assert response.status_code == 201
        return
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["override_reason"]


def test_the_copys_refusal_comes_before_the_block(clerk_client):
    customer = a_customer(1, open_rentals="1")
    out = sql_one(
        "SELECT min(r.inventory_id) FROM rental r JOIN inventory i USING (inventory_id) "
        "WHERE r.return_date IS NULL AND i.store_id = 1"
    )[0]
    assert rent(clerk_client, customer, out).json()["code"] == "not_in_stock"


def test_blocked_customers_may_return_pay_and_hold(clerk_client):
    customer = a_customer(1, open_rentals="1")
    rental = sql_one(
        "SELECT rental_id FROM rental WHERE customer_id = %s AND return_date IS NULL", [customer]
    )[0]
    film = sql_one("SELECT min(film_id) FROM inventory WHERE store_id = 1")[0]
    assert (
        clerk_client.post(
            f"/api/v1/customers/{customer}/holds/", {"film_id": film, "store_id": 1}, format="json"
        ).status_code
        == 201
    )
    assert clerk_client.post(f"/api/v1/rentals/{rental}/return/").status_code == 200
    assert (
        clerk_client.post(
            f"/api/v1/rentals/{rental}/payments/", {"amount": "1.00"}, format="json"
        ).status_code
        == 201
    )


def test_the_limits_are_settings(clerk_client, settings):
    customer = a_customer(1, open_rentals=">2")
    settings.CIRCULATION_MAX_BALANCE = 10_000
    settings.CIRCULATION_MAX_OVERDUE = 100
    assert clerk_client.get(f"/api/v1/customers/{customer}/").json()["blocked_reasons"] == []
    assert rent(clerk_client, customer, a_copy(1)).status_code == 201
