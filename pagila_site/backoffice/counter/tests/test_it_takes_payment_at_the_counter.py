"""Taking payment at the counter, through payment_create: what the visit owes in one keystroke,
or any amount for one of the customer's rentals; refusals are the service's."""

from decimal import Decimal

import pytest

from pagila_site.testsupport.data import sql_all, sql_one

pytestmark = pytest.mark.django_db


def _payments_of(rental_ids):
    return sql_all(
        "SELECT rental_id, amount, staff_id FROM payment WHERE rental_id = ANY(%s) "
        "AND payment_date > now() - interval '1 hour' ORDER BY rental_id",
        [list(rental_ids)],
    )


def _rented_now(copies):
    return [
        row[0]
        for row in sql_all(
            "SELECT rental_id FROM rental WHERE inventory_id = ANY(%s) AND return_date IS NULL "
            "ORDER BY rental_id",
            [list(copies)],
        )
    ]


def test_the_visit_is_paid_rental_by_rental(clerk_admin, desk_customer, store_1_copies):
    copies = store_1_copies[:2]
    clerk_admin.post(
        f"/admin/counter/customers/{desk_customer}/check-out/", {"copies": " ".join(map(str, copies))}
    )
    page = clerk_admin.get(f"/admin/counter/customers/{desk_customer}/")
    rates = sql_all(
        "SELECT f.rental_rate FROM inventory i JOIN film f USING (film_id) WHERE inventory_id = ANY(%s) "
        "ORDER BY inventory_id",
        [copies],
    )
    assert page.context["visit_owed"] == sum(rate for (rate,) in rates)
    response = clerk_admin.post(f"/admin/counter/customers/{desk_customer}/pay-visit/")
    assert response["Location"] == f"/admin/counter/customers/{desk_customer}/?focus=receipt"
    rentals = _rented_now(copies)
    # Taken by the clerk's own staff member, 1.
    assert _payments_of(rentals) == [(rentals[0], rates[0][0], 1), (rentals[1], rates[1][0], 1)]
    after = clerk_admin.get(response["Location"])
    assert [(e["outcome"], e["detail"]) for e in after.context["events"][:2]] == [
        ("paid", f"Paid ${rates[1][0]}"),
        ("paid", f"Paid ${rates[0][0]}"),
    ]
    assert after.context["visit_owed"] == Decimal("0.00")
    assert 'id="nothing-owed"' in after.content.decode()


def test_a_visits_receipt_shows_its_payments_and_nothing_owed(clerk_admin, desk_customer, store_1_copies):
    copy = store_1_copies[0]
    clerk_admin.post(f"/admin/counter/customers/{desk_customer}/check-out/", {"copies": str(copy)})
    clerk_admin.post(f"/admin/counter/customers/{desk_customer}/pay-visit/")
    [rental_id] = _rented_now([copy])
    receipt = clerk_admin.get(f"/admin/counter/receipts/{rental_id}/")
    [(_, amount, _)] = _payments_of([rental_id])
    assert receipt.context["receipt"].paid == amount
    assert receipt.context["receipt"].balance == Decimal("0.00")
    assert '<strong id="receipt-balance">$0.00</strong>' in receipt.content.decode()


def test_a_fee_over_999_99_is_paid_up_to_what_one_payment_holds(clerk_admin):
    # One of Pagila's 2022 rentals still open: four years late, its fee passes 999.99.
    rental_id, inventory_id, customer_id = sql_one(
        "SELECT r.rental_id, r.inventory_id, r.customer_id FROM rental r "
        "JOIN inventory i USING (inventory_id) JOIN customer c ON c.customer_id = r.customer_id "
        "WHERE r.return_date IS NULL AND i.store_id = 1 AND c.store_id = 1 ORDER BY r.rental_id LIMIT 1"
    )
    clerk_admin.post(f"/admin/counter/customers/{customer_id}/check-in/", {"copies": str(inventory_id)})
    paid_before = sql_one("SELECT coalesce(sum(amount), 0) FROM payment WHERE rental_id = %s", [rental_id])[0]
    clerk_admin.post(f"/admin/counter/customers/{customer_id}/pay-visit/")
    assert _payments_of([rental_id]) == [(rental_id, Decimal("999.99"), 1)]
    page = clerk_admin.get(f"/admin/counter/customers/{customer_id}/")
    fee = sql_one(
        "SELECT f.rental_rate + greatest(0, extract(day FROM r.return_date - "
        "(r.rental_date + f.rental_duration * interval '1 day'))) + f.replacement_cost "
        "FROM rental r JOIN inventory i USING (inventory_id) JOIN film f USING (film_id) "
        "WHERE r.rental_id = %s",
        [rental_id],
    )[0]
    assert page.context["visit_owed"] == fee - paid_before - Decimal("999.99")


def test_any_amount_is_taken_for_one_rental(clerk_admin, desk_customer, store_1_copies):
    copy = store_1_copies[0]
    clerk_admin.post(f"/admin/counter/customers/{desk_customer}/check-out/", {"copies": str(copy)})
    [rental_id] = _rented_now([copy])
    response = clerk_admin.post(
        f"/admin/counter/customers/{desk_customer}/pay/", {"rental": str(rental_id), "amount": "0.50"}
    )
    assert response["Location"] == f"/admin/counter/customers/{desk_customer}/?focus=pay"
    assert _payments_of([rental_id]) == [(rental_id, Decimal("0.50"), 1)]


def test_more_than_owed_is_refused_with_the_services_reason(clerk_admin, desk_customer, store_1_copies):
    copy = store_1_copies[0]
    clerk_admin.post(f"/admin/counter/customers/{desk_customer}/check-out/", {"copies": str(copy)})
    [rental_id] = _rented_now([copy])
    rate = sql_one(
        "SELECT f.rental_rate FROM inventory i JOIN film f USING (film_id) WHERE inventory_id = %s", [copy]
    )[0]
    response = clerk_admin.post(
        f"/admin/counter/customers/{desk_customer}/pay/", {"rental": str(rental_id), "amount": "50"}
    )
    [event, *_] = clerk_admin.get(response["Location"]).context["events"]
    assert (event["outcome"], event["detail"]) == (
        "refused",
        f"The payment of 50.00 exceeds the rental's balance of {rate}.",
    )
    assert _payments_of([rental_id]) == []


def test_another_customers_rental_is_not_paid_here(clerk_admin, desk_customer):
    other = sql_one(
        "SELECT min(r.rental_id) FROM rental r JOIN customer c USING (customer_id) "
        "WHERE c.store_id = 1 AND r.customer_id <> %s",
        [desk_customer],
    )[0]
    response = clerk_admin.post(
        f"/admin/counter/customers/{desk_customer}/pay/", {"rental": str(other), "amount": "1.00"}
    )
    [event] = clerk_admin.get(response["Location"]).context["events"]
    assert (event["outcome"], event["detail"]) == ("refused", f"Rental {other} is not this customer's.")
    assert _payments_of([other]) == []


def test_an_amount_that_is_no_number_is_refused(clerk_admin, desk_customer):
    response = clerk_admin.post(
        f"/admin/counter/customers/{desk_customer}/pay/", {"rental": "1", "amount": "ten"}
    )
    [event] = clerk_admin.get(response["Location"]).context["events"]
    assert (event["outcome"], event["detail"]) == ("refused", "Not an amount: ten.")


def test_the_customers_balance_is_shown(clerk_admin, desk_customer):
    # Pagila's fee rule over every rental of the customer, less what was paid (the contract's balance).
    expected = sql_one(
        "SELECT sum(f.rental_rate"
        "  + greatest(0, extract(day FROM coalesce(r.return_date, statement_timestamp())"
        "      - (r.rental_date + f.rental_duration * interval '1 day')))"
        "  + CASE WHEN coalesce(r.return_date, statement_timestamp()) - r.rental_date"
        "      > f.rental_duration * 2 * interval '1 day' THEN f.replacement_cost ELSE 0 END"
        "  - coalesce((SELECT sum(p.amount) FROM payment p WHERE p.rental_id = r.rental_id), 0))"
        " FROM rental r JOIN inventory i USING (inventory_id) JOIN film f USING (film_id)"
        " WHERE r.customer_id = %s",
        [desk_customer],
    )[0]
    response = clerk_admin.get(f"/admin/counter/customers/{desk_customer}/")
    assert response.context["customer"].balance == expected
    assert f">${expected}</dd>" in response.content.decode()
