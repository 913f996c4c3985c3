"""The back office shows a clerk only its stores' rows: changelists (counts included), change
pages, autocomplete and the rental form. Expectations from plain SQL on Pagila's data."""

import pytest

from pagila_site.testsupport.data import sql_one

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "sql"),
    [
        ("/admin/customers/customer/", "SELECT count(*) FROM customer WHERE store_id IN (1, 25)"),
        ("/admin/rentals/inventory/", "SELECT count(*) FROM inventory WHERE store_id IN (1, 25)"),
        (
            "/admin/rentals/rental/",
            "SELECT count(*) FROM rental r JOIN inventory i USING (inventory_id) JOIN customer c "
            "USING (customer_id) WHERE i.store_id IN (1, 25) OR c.store_id IN (1, 25)",
        ),
        (
            "/admin/rentals/paymentledgerentry/",
            # The rental's copy or customer, or the payment's own customer (five of Pagila's
            # payments name another customer than their rental's).
            "SELECT count(*) FROM payment p JOIN rental r USING (rental_id) "
            "JOIN inventory i USING (inventory_id) JOIN customer c ON c.customer_id = r.customer_id "
            "JOIN customer payer ON payer.customer_id = p.customer_id "
            "WHERE i.store_id IN (1, 25) OR c.store_id IN (1, 25) OR payer.store_id IN (1, 25)",
        ),
    ],
)
def test_a_clerks_changelist_counts_only_its_stores(clerk_admin, path, sql, settings):
    # The clerk's rentals and payments are over the 10,000 the lists count to: count them all.
    settings.PAGINATION_COUNT_LIMIT = 100_000
    response = clerk_admin.get(path)
    assert response.status_code == 200
    assert response.context["cl"].result_count == sql_one(sql)[0]


def test_a_clerk_gets_no_change_page_for_another_stores_customer(clerk_admin):
    other = sql_one("SELECT min(customer_id) FROM customer WHERE store_id = 2")[0]
    response = clerk_admin.get(f"/admin/customers/customer/{other}/change/")
    # The admin's answer to an object outside get_queryset(): back to the index with a message.
    assert response.status_code == 302


def test_the_customer_autocomplete_offers_only_the_clerks_customers(clerk_admin):
    # Every customer whose name has an "a": both stores have many.
    response = clerk_admin.get(
        "/admin/autocomplete/",
        {"app_label": "rentals", "model_name": "rental", "field_name": "customer", "term": "a"},
    )
    assert response.status_code == 200
    ids = [int(result["id"]) for result in response.json()["results"]]
    assert ids
    stores = sql_one("SELECT array_agg(DISTINCT store_id) FROM customer WHERE customer_id = ANY(%s)", [ids])[
        0
    ]
    assert stores == [1]


def test_the_staff_autocomplete_offers_the_clerk_only_itself(clerk_admin):
    response = clerk_admin.get(
        "/admin/autocomplete/",
        {"app_label": "rentals", "model_name": "rental", "field_name": "staff", "term": ""},
    )
    assert [int(result["id"]) for result in response.json()["results"]] == [1]


def test_the_rental_form_refuses_another_stores_customer(clerk_admin):
    other = sql_one("SELECT min(customer_id) FROM customer WHERE store_id = 2")[0]
    copy = sql_one(
        "SELECT min(inventory_id) FROM inventory i WHERE store_id = 1 AND NOT EXISTS ("
        "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL)"
    )[0]
    before = sql_one("SELECT count(*) FROM rental")[0]
    response = clerk_admin.post(
        "/admin/rentals/rental/add/", {"customer": other, "inventory": copy, "staff": 1}
    )
    assert response.status_code == 200
    assert "customer" in response.context["adminform"].form.errors
    assert sql_one("SELECT count(*) FROM rental")[0] == before


def test_the_rental_form_refuses_a_copy_of_another_store(clerk_admin):
    mine = sql_one("SELECT min(customer_id) FROM customer WHERE store_id = 1")[0]
    copy = sql_one(
        "SELECT min(inventory_id) FROM inventory i WHERE store_id = 2 AND NOT EXISTS ("
        "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL)"
    )[0]
    response = clerk_admin.post(
        "/admin/rentals/rental/add/", {"customer": mine, "inventory": copy, "staff": 1}
    )
    assert response.status_code == 200
    assert "inventory" in response.context["adminform"].form.errors


def test_a_clerk_rents_through_the_admin_form(clerk_admin):
    mine = sql_one("SELECT min(customer_id) FROM customer WHERE store_id = 1 AND active = 1")[0]
    copy = sql_one(
        "SELECT min(inventory_id) FROM inventory i WHERE store_id = 1 AND NOT EXISTS ("
        "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL)"
    )[0]
    response = clerk_admin.post(
        "/admin/rentals/rental/add/", {"customer": mine, "inventory": copy, "staff": 1}
    )
    assert response.status_code == 302
    assert sql_one("SELECT staff_id FROM rental WHERE inventory_id = %s AND return_date IS NULL", [copy]) == (
        1,
    )
