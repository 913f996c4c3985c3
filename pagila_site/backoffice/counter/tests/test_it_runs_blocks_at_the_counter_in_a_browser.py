"""Blocks, a copy's condition and a drop-box return at the counter, in headless Chromium by
keyboard alone: a manager opens a customer the block rule refuses and reads why before any scan,
sees a copy refused for it, rents past it with an override reason, marks a copy damaged with a
note, and checks the customer's old rental in as returned the day before.

No click anywhere: typed text, Tab, arrow keys, Enter and the pages' access keys (Alt+letter).
Screenshots go to artifacts/screenshots/.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from pagila_site.testsupport import browser as chromium
from pagila_site.testsupport import live
from pagila_site.testsupport.browser import access_key as _access_key
from pagila_site.testsupport.browser import expect
from pagila_site.testsupport.browser import press as _key
from pagila_site.testsupport.browser import scan as _scan
from pagila_site.testsupport.browser import screenshot as _shot
from pagila_site.testsupport.data import sql_all, sql_one

pytestmark = chromium.MARKS

MANAGER, PASSWORD = "boss", "desk-password"


@pytest.fixture(scope="module")
def browser():
    with chromium.launch() as running:
        yield running


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    """The app on a private clone with a manager of staff member 1 (stores 1 and 25)."""
    with live.desk_server(
        "test_blocks", django_db_blocker, username=MANAGER, password=PASSWORD, staff_id=1, manager=True
    ) as (running, _database):
        yield running.url


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    """Rows of the template (the server's clone holds the same): a customer of store 1 blocked
    for what one of Pagila's 2022 rentals still open owes (``customer``, that rental's copy
    ``out``), and two copies of store 1 on the shelf (``to_rent``, ``to_mark``)."""
    with django_db_blocker.unblock():
        customer, out = sql_one(
            "SELECT r.customer_id, min(r.inventory_id) FROM rental r JOIN customer c USING (customer_id) "
            "WHERE r.return_date IS NULL AND c.store_id = 1 AND c.active = 1 GROUP BY r.customer_id "
            "HAVING count(*) = 1 ORDER BY r.customer_id LIMIT 1"
        )
        to_rent, to_mark = (
            row[0]
            for row in sql_all(
                "SELECT inventory_id FROM inventory i WHERE store_id = 1 AND NOT EXISTS ("
                "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL"
                ") ORDER BY inventory_id LIMIT 2"
            )
        )
    return {"customer": customer, "out": out, "to_rent": to_rent, "to_mark": to_mark}


@pytest.fixture
def page(browser, server):
    with chromium.guarded_page(browser, server) as page:
        yield page


def _sign_in(page, then):
    chromium.sign_in_by_keyboard(page, MANAGER, PASSWORD, then)


def test_a_manager_serves_a_blocked_customer_by_keyboard_alone(data, page):
    _sign_in(page, "/admin/counter/")
    page.wait_for_url("**/admin/counter/")
    expect(page.locator("#condition-form")).to_be_visible()
    expect(page.locator("#id_check_in_returned_at")).to_be_visible()
    _shot(page, "counter-start-condition-and-drop-box")

    # The block is on the card as the page opens, with its figure and the limit.
    expect(page.locator("#id_q")).to_be_focused()
    _scan(page, str(data["customer"]))
    blocked = page.locator("#blocked")
    expect(blocked).to_contain_text("Blocked: owes $")
    expect(blocked).to_contain_text("(over $50.00)")
    expect(blocked).to_contain_text("To rent anyway, give an override reason with the copies.")
    expect(page.locator("#id_check_out_copies")).to_be_focused()
    _shot(page, "counter-blocked-customer")

    # A scan without a reason: refused in the visit, with what to do.
    _scan(page, str(data["to_rent"]))
    newest = page.locator("#visit-log tbody tr").first
    expect(newest).to_have_class("outcome-refused")
    expect(newest).to_contain_text("Blocked (owes more than $50.00): give an override reason to rent anyway.")

    # The override: the copy, Alt+V, the reason, Enter.
    expect(page.locator("#id_check_out_copies")).to_be_focused()
    page.keyboard.type(str(data["to_rent"]))
    _access_key(page, "v")
    expect(page.locator("#id_check_out_override_reason")).to_be_focused()
    _scan(page, "Settled the 2022 disc in cash")
    expect(newest).to_have_class("outcome-rented")
    expect(newest).to_contain_text("Block overridden: Settled the 2022 disc in cash")
    _shot(page, "counter-block-overridden")

    # Alt+M: a copy marked damaged (the list starts there), with a note.
    _access_key(page, "m")
    expect(page.locator("#id_condition_copy")).to_be_focused()
    page.keyboard.type(str(data["to_mark"]))
    page.keyboard.press("Tab")
    expect(page.locator("#id_condition_condition")).to_be_focused()
    expect(page.locator("#id_condition_condition")).to_have_value("damaged")
    page.keyboard.press("Tab")
    _scan(page, "Cracked down the middle")
    expect(newest).to_have_class("outcome-marked")
    expect(newest).to_contain_text("Marked damaged: Cracked down the middle")
    expect(page.locator("#id_condition_copy")).to_be_focused()
    _shot(page, "counter-copy-marked-damaged")

    # The customer's old copy came through the drop box yesterday morning: Alt+I, the copy, Alt+B,
    # the time typed segment by segment as Chromium's en-US box reads it (month, day, year,
    # ArrowRight, hour, minute, AM), Enter. (ArrowDown on the day would wrap within the month on
    # its 1st, into the future.)
    _access_key(page, "i")
    expect(page.locator("#id_check_in_copies")).to_be_focused()
    page.keyboard.type(str(data["out"]))
    _access_key(page, "b")
    returned_at = page.locator("#id_check_in_returned_at")
    expect(returned_at).to_be_focused()
    yesterday = timezone.localtime() - timedelta(days=1)
    page.keyboard.type(f"{yesterday:%m%d%Y}")
    page.keyboard.press("ArrowRight")  # a year may have six digits: no moving on by itself
    page.keyboard.type("0900A")
    expect(returned_at).to_have_value(f"{yesterday:%Y-%m-%d}T09:00")
    _key(page, "Enter")
    expect(newest).to_have_class("outcome-returned")
    expect(newest).to_contain_text(f"(returned {yesterday:%Y-%m-%d} 09:00)")
    expect(page.locator("#id_check_in_copies")).to_be_focused()
    _shot(page, "counter-drop-box-check-in")
