"""A blocked customer's page says why as soon as it opens, before any scan: what they owe and how
many rentals are overdue, against the limits, and who may rent past it."""

from decimal import Decimal

import pytest

from pagila_site.testsupport.data import sql_one

pytestmark = pytest.mark.django_db


def _make_overdue(customer_id: int, count: int) -> None:
    """``count`` more rentals of store 1's copies to the customer, from 2022: overdue by years."""
    for _ in range(count):
        sql_one(
            "INSERT INTO rental (rental_date, inventory_id, customer_id, staff_id) "
            "SELECT '2022-02-14', min(inventory_id), %s, 1 FROM inventory i WHERE store_id = 1 "
            "AND NOT EXISTS (SELECT 1 FROM rental r "
            "                WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL) "
            "RETURNING 1",
            [customer_id],
        )


def _block_note(page) -> str:
    html = page.content.decode()
    start = html.index('<p class="errornote block-note" id="blocked">')
    return " ".join(html[start : html.index("</p>", start)].split())


def test_a_customer_owing_more_than_the_limit_is_blocked_with_the_figure(clerk_admin, blocked_customer):
    page = clerk_admin.get(f"/admin/counter/customers/{blocked_customer}/")
    balance = page.context["customer"].balance
    assert balance > Decimal("50.00")
    assert page.context["blocked"] == [f"owes ${balance:,.2f} (over $50.00)"]
    assert f"<strong>Blocked:</strong> owes ${balance:,.2f} (over $50.00)." in _block_note(page)


def test_more_than_two_overdue_rentals_are_said_with_their_count(clerk_admin, blocked_customer):
    _make_overdue(blocked_customer, 2)
    page = clerk_admin.get(f"/admin/counter/customers/{blocked_customer}/")
    balance = page.context["customer"].balance
    assert page.context["blocked"] == [
        f"owes ${balance:,.2f} (over $50.00)",
        "3 rentals overdue (over 2)",
    ]
    assert f"owes ${balance:,.2f} (over $50.00); 3 rentals overdue (over 2)." in _block_note(page)


def test_the_limits_are_the_settings(clerk_admin, blocked_customer, settings):
    _make_overdue(blocked_customer, 1)
    settings.CIRCULATION_MAX_BALANCE = Decimal("100000.00")
    settings.CIRCULATION_MAX_OVERDUE = 1
    page = clerk_admin.get(f"/admin/counter/customers/{blocked_customer}/")
    assert page.context["blocked"] == ["2 rentals overdue (over 1)"]


def test_a_customer_who_may_rent_shows_no_block(clerk_admin):
    # Customer 1 of store 1 has nothing out and owes nothing.
    page = clerk_admin.get("/admin/counter/customers/1/")
    assert page.context["blocked"] == []
    assert 'id="blocked"' not in page.content.decode()


def test_a_clerk_is_told_only_a_manager_may_rent_past_it(clerk_admin, blocked_customer):
    page = clerk_admin.get(f"/admin/counter/customers/{blocked_customer}/")
    assert "Only a manager may rent past the block" in _block_note(page)
    assert 'name="override_reason"' not in page.content.decode()


def test_a_manager_is_offered_the_override_reason(manager_admin, blocked_customer):
    page = manager_admin.get(f"/admin/counter/customers/{blocked_customer}/")
    assert "To rent anyway, give an override reason with the copies." in _block_note(page)
    html = page.content.decode()
    check_out_form = html[
        html.index('id="check-out-form"') : html.index("</form>", html.index('id="check-out-form"'))
    ]
    assert 'name="override_reason" id="id_check_out_override_reason" maxlength="500"' in check_out_form


def test_a_manager_is_not_offered_an_override_for_a_customer_who_may_rent(manager_admin):
    assert 'name="override_reason"' not in manager_admin.get("/admin/counter/customers/1/").content.decode()
