"""Receipts of the counter: what a visit rented and returned, read back from the database, and
nothing of another store's."""

import pytest

from pagila_site.testsupport.data import sql_all, sql_one

pytestmark = pytest.mark.django_db


def _visit(client, customer_id, *, rent=(), give_back=()):
    """Rent ``rent`` and return ``give_back`` at the counter; the receipt link it then offers."""
    for copy in rent:
        client.post(f"/admin/counter/customers/{customer_id}/check-out/", {"copies": str(copy)})
    for copy in give_back:
        client.post(f"/admin/counter/customers/{customer_id}/check-in/", {"copies": str(copy)})
    return client.get(f"/admin/counter/customers/{customer_id}/").context["receipt_url"]


def test_the_visits_receipt_shows_what_was_rented_and_returned(clerk_admin, desk_customer, store_1_copies):
    kept, returned = store_1_copies[:2]
    url = _visit(clerk_admin, desk_customer, rent=[kept, returned], give_back=[returned])
    rentals = sql_all(
        "SELECT rental_id, inventory_id FROM rental WHERE inventory_id IN (%s, %s) "
        "AND rental_date > now() - interval '1 hour' ORDER BY rental_id",
        [kept, returned],
    )
    assert url == f"/admin/counter/receipts/{rentals[0][0]}-{rentals[1][0]}/"
    response = clerk_admin.get(url)
    assert response.status_code == 200
    receipt = response.context["receipt"]
    assert [(r.pk, r.inventory_id) for r in receipt.rented] == [rentals[0]]
    assert [(r.pk, r.inventory_id) for r in receipt.returned] == [rentals[1]]
    rate = sql_one(
        "SELECT f.rental_rate FROM inventory i JOIN film f USING (film_id) WHERE inventory_id = %s",
        [returned],
    )[0]
    assert receipt.fees == rate
    page = response.content.decode()
    assert f'<td class="money" id="receipt-fees">${rate}</td>' in page
    assert 'id="receipt-no-payments"' in page


def test_a_rentals_receipt_lists_its_payments(clerk_admin):
    # One of Pagila's returned rentals of a store 1 customer, with its payment.
    rental_id, amount = sql_one(
        "SELECT p.rental_id, p.amount FROM payment p JOIN customer c ON c.customer_id = p.customer_id "
        "WHERE c.store_id = 1 ORDER BY p.payment_id LIMIT 1"
    )
    response = clerk_admin.get(f"/admin/counter/receipts/{rental_id}/")
    assert response.status_code == 200
    assert [payment.amount for payment in response.context["receipt"].payments] == [amount]
    assert f'<td class="money" id="receipt-paid">${amount}</td>' in response.content.decode()


def test_another_stores_rental_has_no_receipt(clerk_admin):
    other = sql_one(
        "SELECT min(r.rental_id) FROM rental r JOIN inventory i USING (inventory_id) "
        "JOIN customer c ON c.customer_id = r.customer_id WHERE i.store_id = 2 AND c.store_id = 2"
    )[0]
    assert clerk_admin.get(f"/admin/counter/receipts/{other}/").status_code == 404


def test_a_receipt_with_another_stores_rental_among_them_is_404(clerk_admin):
    mine, other = sql_one(
        "SELECT min(r.rental_id) FILTER (WHERE c.store_id = 1), "
        "  min(r.rental_id) FILTER (WHERE i.store_id = 2 AND c.store_id = 2) "
        "FROM rental r JOIN inventory i USING (inventory_id) JOIN customer c ON c.customer_id = r.customer_id"
    )
    assert clerk_admin.get(f"/admin/counter/receipts/{mine}/").status_code == 200
    assert clerk_admin.get(f"/admin/counter/receipts/{mine}-{other}/").status_code == 404


def test_a_receipt_is_one_customers(clerk_admin):
    first, second = sql_one(
        "SELECT min(rental_id) FILTER (WHERE customer_id = 1), min(rental_id) FILTER (WHERE customer_id = 2) "
        "FROM rental"
    )
    assert clerk_admin.get(f"/admin/counter/receipts/{first}-{second}/").status_code == 404
