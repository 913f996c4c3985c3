"""Checking a copy in at the counter: its open rental is found by the inventory id, returned
through rental_return, and the fee shown is Pagila's rule for it."""

import pytest

from pagila_site.testsupport.data import sql_one

pytestmark = pytest.mark.django_db

# Pagila's fee for a returned rental, written out in SQL (the contract's rule).
FEE = (
    "SELECT f.rental_rate"
    " + greatest(0, extract(day FROM r.return_date - (r.rental_date + f.rental_duration * interval '1 day')))"
    " + CASE WHEN r.return_date - r.rental_date > f.rental_duration * 2 * interval '1 day'"
    "   THEN f.replacement_cost ELSE 0 END"
    " FROM rental r JOIN inventory i USING (inventory_id) JOIN film f USING (film_id) WHERE r.rental_id = %s"
)


@pytest.fixture
def overdue_rental(db):
    """``(rental_id, inventory_id, customer_id)``: one of Pagila's 2022 rentals still open, of a
    copy and a customer of store 1."""
    return sql_one(
        "SELECT r.rental_id, r.inventory_id, r.customer_id FROM rental r "
        "JOIN inventory i USING (inventory_id) JOIN customer c ON c.customer_id = r.customer_id "
        "WHERE r.return_date IS NULL AND i.store_id = 1 AND c.store_id = 1 ORDER BY r.rental_id LIMIT 1"
    )


def test_a_copy_checked_in_is_returned_with_its_fee(clerk_admin, overdue_rental):
    rental_id, inventory_id, customer_id = overdue_rental
    response = clerk_admin.post(
        f"/admin/counter/customers/{customer_id}/check-in/", {"copies": str(inventory_id)}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/counter/customers/{customer_id}/?focus=check-in"
    assert sql_one("SELECT return_date IS NOT NULL FROM rental WHERE rental_id = %s", [rental_id]) == (True,)
    fee = sql_one(FEE, [rental_id])[0]
    # Four years overdue: the replacement cost is in it.
    assert fee > 20
    title = sql_one(
        "SELECT f.title FROM inventory i JOIN film f USING (film_id) WHERE i.inventory_id = %s",
        [inventory_id],
    )[0]
    page = clerk_admin.get(response["Location"])
    assert page.context["events"] == [
        {
            "step": "check-in",
            "outcome": "returned",
            "inventory_id": inventory_id,
            "rental_id": rental_id,
            "film": title,
            "detail": f"Fee ${fee}",
            "hold": None,
        }
    ]
    assert f"<td>Fee ${fee}</td>" in page.content.decode()


def test_a_copy_just_rented_is_checked_in_for_its_rental_rate(clerk_admin, desk_customer, store_1_copies):
    copy = store_1_copies[0]
    clerk_admin.post(f"/admin/counter/customers/{desk_customer}/check-out/", {"copies": str(copy)})
    response = clerk_admin.post(f"/admin/counter/customers/{desk_customer}/check-in/", {"copies": str(copy)})
    events = clerk_admin.get(response["Location"]).context["events"]
    rate = sql_one(
        "SELECT f.rental_rate FROM inventory i JOIN film f USING (film_id) WHERE inventory_id = %s", [copy]
    )[0]
    assert [e["outcome"] for e in events] == ["returned", "rented"]
    assert events[0]["detail"] == f"Fee ${rate}"


def test_checking_in_from_the_start_page_opens_the_customer(clerk_admin, overdue_rental):
    rental_id, inventory_id, customer_id = overdue_rental
    response = clerk_admin.post("/admin/counter/check-in/", {"copies": str(inventory_id)})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/counter/customers/{customer_id}/?focus=check-in"
    events = clerk_admin.get(response["Location"]).context["events"]
    assert [(e["outcome"], e["rental_id"]) for e in events] == [("returned", rental_id)]


def test_a_copy_in_stock_is_not_checked_in(clerk_admin, desk_customer, store_1_copies):
    copy = store_1_copies[0]
    response = clerk_admin.post(f"/admin/counter/customers/{desk_customer}/check-in/", {"copies": str(copy)})
    events = clerk_admin.get(response["Location"]).context["events"]
    assert [(e["outcome"], e["detail"]) for e in events] == [
        ("refused", "This copy is not out on a rental in your stores.")
    ]


def test_another_customers_copy_is_refused_on_a_customers_page(clerk_admin, overdue_rental, desk_customer):
    rental_id, inventory_id, customer_id = overdue_rental
    assert customer_id != desk_customer
    response = clerk_admin.post(
        f"/admin/counter/customers/{desk_customer}/check-in/", {"copies": str(inventory_id)}
    )
    events = clerk_admin.get(response["Location"]).context["events"]
    assert [(e["outcome"], e["detail"]) for e in events] == [
        (
            "refused",
            f"This copy is out to customer {customer_id}, not to this customer: "
            "check it in from the counter's start page.",
        )
    ]
    assert sql_one("SELECT return_date FROM rental WHERE rental_id = %s", [rental_id]) == (None,)


def test_another_stores_open_rental_is_not_checked_in(clerk_admin):
    rental_id, inventory_id = sql_one(
        "SELECT r.rental_id, r.inventory_id FROM rental r JOIN inventory i USING (inventory_id) "
        "JOIN customer c ON c.customer_id = r.customer_id "
        "WHERE r.return_date IS NULL AND i.store_id = 2 AND c.store_id = 2 ORDER BY r.rental_id LIMIT 1"
    )
    response = clerk_admin.post("/admin/counter/check-in/", {"copies": str(inventory_id)})
    assert response["Location"] == "/admin/counter/?focus=check-in"
    page = clerk_admin.get(response["Location"])
    assert f"Copy {inventory_id} is not out on a rental in your stores." in page.content.decode()
    assert sql_one("SELECT return_date FROM rental WHERE rental_id = %s", [rental_id]) == (None,)


def test_a_copy_of_the_clerks_store_back_from_another_stores_customer_stays_on_the_counter(clerk_admin):
    """The rental is in scope by its copy, its customer is not: the copy is returned and said so
    on the counter's start page, never a redirect to a customer page the clerk may not open."""
    rental_id, inventory_id = sql_one(
        "SELECT r.rental_id, r.inventory_id FROM rental r JOIN inventory i USING (inventory_id) "
        "JOIN customer c ON c.customer_id = r.customer_id "
        "WHERE r.return_date IS NULL AND i.store_id = 1 AND c.store_id = 2 ORDER BY r.rental_id LIMIT 1"
    )
    response = clerk_admin.post("/admin/counter/check-in/", {"copies": str(inventory_id)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/counter/?focus=check-in"
    assert sql_one("SELECT return_date IS NOT NULL FROM rental WHERE rental_id = %s", [rental_id]) == (True,)
    assert clerk_admin.get(response["Location"]).status_code == 200
