"""Holds and transfers at the counter, driven in headless Chromium by keyboard alone: a clerk
rents out both copies of a film, places a hold for another customer, checks a copy in and is told
whom it is set aside for, prints the hold slip, walks the hold shelf (where an expired hold is
flagged), then sends a copy to another of their stores and receives it with one scan.

No click anywhere: typed text, Tab, arrow keys, Enter and the pages' access keys (Alt+letter).
Screenshots go to artifacts/screenshots/.
"""

import psycopg
import pytest

from pagila_site.testsupport import browser as chromium
from pagila_site.testsupport import live
from pagila_site.testsupport.browser import access_key as _access_key
from pagila_site.testsupport.browser import expect
from pagila_site.testsupport.browser import press as _key
from pagila_site.testsupport.browser import scan as _scan
from pagila_site.testsupport.browser import screenshot as _shot
from pagila_site.testsupport.data import sql_one

pytestmark = chromium.MARKS

CLERK, PASSWORD = "desk", "desk-password"


@pytest.fixture(scope="module")
def browser():
    with chromium.launch() as running:
        yield running


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    """The app on a private clone with the clerk of staff member 1 (stores 1 and 25): its URL and
    its database's, which the test changes as a clock would (a hold reaching its expiry)."""
    with live.desk_server("test_holds", django_db_blocker, username=CLERK, password=PASSWORD, staff_id=1) as (
        running,
        database_url,
    ):
        yield (running.url, database_url)


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    """Rows of the template (the server's clone holds the same), read before the browser starts:
    a film whose only two copies are at store 1 and in stock, a customer of store 1 to rent them
    (``renter``), the next to hold the film (``holder``), and a third copy of store 1 to send."""
    with django_db_blocker.unblock():
        film_id, title = sql_one(
            "SELECT f.film_id, f.title FROM film f JOIN inventory i USING (film_id) GROUP BY f.film_id "
            "HAVING count(*) = 2 AND bool_and(i.store_id = 1) "
            "AND NOT EXISTS (SELECT 1 FROM rental r JOIN inventory j USING (inventory_id) "
            "                WHERE j.film_id = f.film_id AND r.return_date IS NULL) "
            "ORDER BY f.film_id LIMIT 1"
        )
        copies = sql_one(
            "SELECT array_agg(inventory_id ORDER BY inventory_id) FROM inventory WHERE film_id = %s",
            [film_id],
        )[0]
        renter, holder = sql_one(
            "SELECT min(customer_id), (array_agg(customer_id ORDER BY customer_id))[2] FROM customer "
            "WHERE store_id = 1 AND active = 1"
        )
        holder_name = " ".join(
            sql_one("SELECT first_name, last_name FROM customer WHERE customer_id = %s", [holder])
        )
        to_send = sql_one(
            "SELECT min(inventory_id) FROM inventory i WHERE store_id = 1 AND film_id <> %s AND NOT EXISTS ("
            "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL)",
            [film_id],
        )[0]
    return {
        "film_id": film_id,
        "title": title,
        "copies": copies,
        "renter": renter,
        "holder": holder,
        "holder_name": holder_name,
        "to_send": to_send,
    }


@pytest.fixture
def page(browser, server):
    with chromium.guarded_page(browser, server[0]) as page:
        yield page


def _sign_in(page, then):
    chromium.sign_in_by_keyboard(page, CLERK, PASSWORD, then)


def test_a_clerk_serves_a_hold_by_keyboard_alone(data, page, server):
    _sign_in(page, "/admin/counter/")
    page.wait_for_url("**/admin/counter/")
    expect(page.locator("#hold-shelf-link")).to_be_visible()

    # The renter takes both copies: no copy of the film is left on store 1's shelf.
    expect(page.locator("#id_q")).to_be_focused()
    _scan(page, str(data["renter"]))
    expect(page.locator("#id_check_out_copies")).to_be_focused()
    _scan(page, " ".join(map(str, data["copies"])))
    assert page.locator("#visit-log .badge-rented").count() == 2
    _access_key(page, "n", leaves=True)

    # The holder asks for the film: by its id, at store 1 (the form starts at the customer's own
    # store, and Enter in the store list places the hold).
    expect(page.locator("#id_q")).to_be_focused()
    _scan(page, str(data["holder"]))
    _access_key(page, "h")
    expect(page.locator("#id_hold_film")).to_be_focused()
    page.keyboard.type(str(data["film_id"]))
    page.keyboard.press("Tab")
    expect(page.locator("#id_hold_store")).to_be_focused()
    expect(page.locator("#id_hold_store")).to_have_value("1")
    _key(page, "Enter")
    expect(page.locator(".messagelist")).to_contain_text(
        f"{data['title']}, number 1 in the queue at store 1."
    )
    expect(page.locator("#customer-holds tbody tr")).to_have_count(1)
    expect(page.locator("#customer-holds tbody tr")).to_contain_text("waiting number 1")
    expect(page.locator("#id_hold_film")).to_be_focused()
    expect(page.locator("#id_hold_store")).to_have_value("1")
    _shot(page, "counter-hold-placed")

    # A copy comes back at the start page's check-in: the renter's page says it is the holder's.
    _access_key(page, "n", leaves=True)
    _access_key(page, "i")
    expect(page.locator("#id_check_in_copies")).to_be_focused()
    _scan(page, str(data["copies"][0]))
    expect(page.locator(".customer-card h1")).to_contain_text(f"#{data['renter']}")
    newest = page.locator("#visit-log tbody tr").first
    expect(newest.locator(".set-aside-for")).to_contain_text(
        f"of {data['holder_name']} (#{data['holder']}): put it on the hold shelf."
    )
    expect(page.locator("#id_check_in_copies")).to_be_focused()
    _shot(page, "counter-check-in-held")

    # Alt+L: the newest hold slip, its Print button under the cursor.
    _access_key(page, "l", leaves=True)
    expect(page.locator("#slip-customer")).to_have_text(f"{data['holder_name']} (#{data['holder']})")
    expect(page.locator("#slip-film")).to_have_text(data["title"])
    expect(page.locator("#slip-copy")).to_have_text(str(data["copies"][0]))
    expect(page.locator("#slip-store")).to_have_text("1")
    expect(page.locator("#print-button")).to_be_focused()
    _shot(page, "counter-hold-slip")
    page.emulate_media(media="print")
    expect(page.locator("#header")).to_be_hidden()
    expect(page.locator(".breadcrumbs")).to_be_hidden()
    expect(page.locator("#print-button")).to_be_hidden()
    expect(page.locator("#hold-slip")).to_be_visible()
    _shot(page, "counter-hold-slip-print")
    page.emulate_media(media="screen")

    # Alt+S: store 1's hold shelf, the cursor on the first slip.
    _access_key(page, "s", leaves=True)
    rows = page.locator("#hold-shelf tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(data["holder_name"])
    expect(rows.first.locator(".slip-link")).to_be_focused()
    _shot(page, "counter-hold-shelf")

    # Its expiry passes (as a clock would move it): flagged, with what happens next.
    with psycopg.connect(server[1], autocommit=True) as connection:
        connection.execute("UPDATE hold SET expires_at = now() - interval '1 minute' WHERE status = 'ready'")
    page.reload()
    expect(rows.first).to_have_class("hold-expired")
    expect(rows.first).to_contain_text("expired: being passed on")
    expect(page.locator("#expired-note")).to_contain_text("within a minute")
    _shot(page, "counter-hold-shelf-expired")


def test_the_shelf_store_is_chosen_by_keyboard(data, page):
    _sign_in(page, "/admin/counter/holds/")
    page.wait_for_url("**/admin/counter/holds/")
    store = page.locator("#id_shelf_store")
    _access_key(page, "s")  # the cursor starts on the first slip when the shelf has any
    expect(store).to_be_focused()
    expect(store).to_have_value("1")  # the store the clerk manages
    page.keyboard.press("ArrowDown")
    _key(page, "Enter")
    assert page.url.endswith("/admin/counter/holds/?store=25")
    expect(page.locator("#shelf-title")).to_contain_text("store 25")
    expect(page.locator("#shelf-empty")).to_be_visible()


def test_a_copy_sent_to_another_of_the_clerks_stores_is_received_by_one_scan(data, page):
    _sign_in(page, "/admin/counter/transfers/")
    page.wait_for_url("**/admin/counter/transfers/")
    expect(page.locator("#id_receive_scan")).to_be_focused()

    _access_key(page, "d")
    expect(page.locator("#id_send_copy")).to_be_focused()
    page.keyboard.type(str(data["to_send"]))
    page.keyboard.press("Tab")
    _scan(page, "25")
    expect(page.locator(".messagelist")).to_contain_text(
        f"Copy {data['to_send']} is on its way from store 1 to store 25"
    )
    expect(page.locator("#transfers-coming tbody tr")).to_have_count(1)
    expect(page.locator("#transfers-going tbody tr")).to_have_count(1)
    _shot(page, "counter-transfers")

    _access_key(page, "i")
    expect(page.locator("#id_receive_scan")).to_be_focused()
    _scan(page, str(data["to_send"]))
    expect(page.locator(".messagelist")).to_contain_text(f"copy {data['to_send']} (")
    expect(page.locator(".messagelist")).to_contain_text(f"put copy {data['to_send']} on the shelf.")
    expect(page.locator("#id_receive_scan")).to_be_focused()
    expect(page.locator("#transfers-coming")).to_have_count(0)
    _shot(page, "counter-transfer-received")
