"""A hold slip: the printable page kept with a copy on the hold shelf (hold, customer, film,
copy, store, until when), for holds in the clerk's scope only."""

import pytest

from customers.scope import EVERY_STORE
from pagila_site.testsupport.data import sql_one
from rentals.holds import hold_cancel, hold_place

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_hold(clerk_admin, held_film) -> dict:
    """``held_film``'s hold, made ready by checking its first copy in at the counter."""
    clerk_admin.post("/admin/counter/check-in/", {"copies": str(held_film["copies"][0])})
    return held_film


def test_the_slip_names_the_hold_customer_film_copy_store_and_expiry(clerk_admin, ready_hold):
    hold_id, holder = ready_hold["hold_id"], ready_hold["holder"]
    response = clerk_admin.get(f"/admin/counter/holds/{hold_id}/slip/")
    assert response.status_code == 200
    first, last = sql_one("SELECT first_name, last_name FROM customer WHERE customer_id = %s", [holder])
    expires = sql_one(
        "SELECT to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM hold WHERE hold_id = %s",
        [hold_id],
    )[0]
    html = response.content.decode()
    assert f'<p class="slip-customer" id="slip-customer">{first} {last} (#{holder})</p>' in html
    assert f'<dd id="slip-hold">{hold_id}</dd>' in html
    assert f'<dd id="slip-film">{ready_hold["title"]}</dd>' in html
    assert f'<dd id="slip-copy">{ready_hold["copies"][0]}</dd>' in html
    assert '<dd id="slip-store">1</dd>' in html
    assert f'<dd id="slip-expires">{expires}</dd>' in html
    assert 'id="slip-not-ready"' not in html
    # The same print stylesheet as the receipts: the admin around it is not printed.
    assert 'class="receipt hold-slip"' in html
    assert "pagila_site/counter.css" in html


def test_a_slip_of_another_stores_customer_names_them_by_id(clerk_admin, held_film):
    outsider, first, last = sql_one(
        "SELECT customer_id, first_name, last_name FROM customer WHERE store_id = 2 AND active = 1 "
        "ORDER BY customer_id LIMIT 1"
    )
    hold_cancel(scope=EVERY_STORE, hold_id=held_film["hold_id"])
    hold = hold_place(scope=EVERY_STORE, customer_id=outsider, film_id=held_film["film_id"], store_id=1)
    html = clerk_admin.get(f"/admin/counter/holds/{hold.pk}/slip/").content.decode()
    assert f'id="slip-customer">#{outsider}</p>' in html
    assert first not in html
    assert last not in html
    assert 'id="back-to-customer"' not in html


def test_a_cancelled_holds_slip_says_it_holds_no_copy(clerk_admin, ready_hold):
    hold_cancel(scope=EVERY_STORE, hold_id=ready_hold["hold_id"])
    html = clerk_admin.get(f"/admin/counter/holds/{ready_hold['hold_id']}/slip/").content.decode()
    assert "This hold is cancelled." in html
    assert '<dd id="slip-copy">—</dd>' in html


def test_another_stores_hold_has_no_slip(clerk_admin, store_2_customer):
    film_id = sql_one("SELECT min(film_id) FROM inventory WHERE store_id = 2")[0]
    hold = hold_place(scope=EVERY_STORE, customer_id=store_2_customer, film_id=film_id, store_id=2)
    assert clerk_admin.get(f"/admin/counter/holds/{hold.pk}/slip/").status_code == 404
