"""The counter driven in headless Chromium by keyboard alone, as a clerk with a barcode scanner
works: sign in, find a customer, scan copies out (one refused) and back in, take payment, open
the receipt.

No click anywhere: every step is typed, Tab or Enter (a scanner types the id and Enter). The
server is the app on a private clone of the template with a clerk made by ``manage.py
staff_account``, as the README tells a desk to. Screenshots go to artifacts/screenshots/.
"""

from decimal import Decimal

import pytest

from pagila_site.testsupport import browser as chromium
from pagila_site.testsupport import live
from pagila_site.testsupport.browser import access_key as _access_key
from pagila_site.testsupport.browser import expect
from pagila_site.testsupport.browser import scan as _scan
from pagila_site.testsupport.browser import screenshot as _shot
from pagila_site.testsupport.data import sql_one

pytestmark = chromium.MARKS


@pytest.fixture(scope="module")
def browser():
    with chromium.launch() as running:
        yield running


CLERK, PASSWORD = "desk", "desk-password"


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    # The walk rents to whichever customer a name search finds, most of whom Pagila's history
    # leaves owing more than 50.00: this server lets them. Blocks at the counter have a browser
    # test of their own.
    with live.desk_server(
        "test_counter",
        django_db_blocker,
        username=CLERK,
        password=PASSWORD,
        staff_id=1,
        env={"CIRCULATION_MAX_BALANCE": "100000", "CIRCULATION_MAX_OVERDUE": "1000"},
    ) as (running, _database):
        yield running.url


@pytest.fixture(scope="module")
def copies(django_db_setup, django_db_blocker):
    """Two copies of store 1 in stock and one of store 2, read from the test database (a clone of
    the template, like the server's). Asked for before the browser starts: Playwright's event
    loop would make Django refuse the query."""
    in_stock = (
        "SELECT inventory_id FROM inventory i WHERE store_id = %s AND NOT EXISTS ("
        "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL"
        ") ORDER BY inventory_id LIMIT 1 OFFSET %s"
    )
    with django_db_blocker.unblock():
        return {
            "mine": sql_one(in_stock, [1, 0])[0],
            "also_mine": sql_one(in_stock, [1, 1])[0],
            "theirs": sql_one(in_stock, [2, 0])[0],
            # A customer of store 1 with one of Pagila's open (2022, so overdue) rentals.
            "overdue_customer": sql_one(
                "SELECT min(r.customer_id) FROM rental r JOIN customer c USING (customer_id) "
                "WHERE r.return_date IS NULL AND c.store_id = 1"
            )[0],
        }


@pytest.fixture
def page(browser, server):
    with chromium.guarded_page(browser, server) as page:
        yield page


def _sign_in(page, then):
    chromium.sign_in_by_keyboard(page, CLERK, PASSWORD, then)


def test_a_clerk_checks_a_copy_out_and_back_in_by_keyboard_alone(copies, page):
    _sign_in(page, "/admin/counter/")
    page.wait_for_url("**/admin/counter/")

    # Find: several matches are a list, the first has the focus, arrows walk it.
    expect(page.locator("#id_q")).to_be_focused()
    _scan(page, "ann")
    results = page.locator("#customer-results a")
    assert results.count() > 1
    expect(results.first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(results.nth(1)).to_be_focused()
    name = results.nth(1).locator(".name").inner_text()
    _shot(page, "counter-find")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".customer-card h1")).to_contain_text(name)

    # Check out: one scan rents one copy; two ids at once, one of another store's copies.
    expect(page.locator("#id_check_out_copies")).to_be_focused()
    _scan(page, str(copies["mine"]))
    expect(page.locator("#id_check_out_copies")).to_be_focused()
    _scan(page, f"{copies['theirs']} {copies['also_mine']}")
    log = page.locator("#visit-log tbody tr")
    assert log.count() == 3
    assert log.nth(0).locator(".copy").inner_text() == str(copies["also_mine"])
    assert log.nth(0).locator(".badge").inner_text() == "rented"
    assert log.nth(1).locator(".copy").inner_text() == str(copies["theirs"])
    assert log.nth(1).locator(".badge").inner_text() == "refused"
    assert f"Copy {copies['theirs']} is not held by any of your stores." in log.nth(1).inner_text()
    assert log.nth(2).locator(".badge").inner_text() == "rented"
    open_copies = page.locator("#open-rentals td.copy").all_inner_texts()
    assert str(copies["mine"]) in open_copies
    assert str(copies["also_mine"]) in open_copies
    _shot(page, "counter-checked-out")

    # Check in: Tab past the Rent button to the check-in box.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#id_check_in_copies")).to_be_focused()
    _scan(page, str(copies["mine"]))
    expect(page.locator("#id_check_in_copies")).to_be_focused()
    returned = page.locator("#visit-log tbody tr").first
    assert returned.locator(".badge").inner_text() == "returned"
    assert returned.locator("td").last.inner_text().startswith("Fee $")
    assert str(copies["mine"]) not in page.locator("#open-rentals td.copy").all_inner_texts()
    _shot(page, "counter-checked-in")

    # Take payment: Alt+T presses "Take $… for this visit" (Tab would pass the check-in's time
    # box, for the drop box, on the way); the cursor then waits on the receipt link.
    owed = Decimal(
        page.locator("#pay-visit").inner_text().removeprefix("Take $").removesuffix(" for this visit")
    )
    _access_key(page, "t", leaves=True)
    paid = page.locator("#visit-log tbody tr.outcome-paid td:last-child").all_inner_texts()
    assert len(paid) == 2
    assert sum(Decimal(text.removeprefix("Paid $")) for text in paid) == owed
    expect(page.locator("#nothing-owed")).to_be_visible()
    expect(page.locator("#receipt-link")).to_be_focused()
    _shot(page, "counter-paid")

    with page.expect_navigation():
        page.keyboard.press("Enter")
    rented = page.locator("#receipt-rented tbody td:nth-child(2)").all_inner_texts()
    assert rented == [str(copies["also_mine"])]
    returned = page.locator("#receipt-returned tbody td:nth-child(2)").all_inner_texts()
    assert returned == [str(copies["mine"])]
    assert page.locator("#receipt-payments tbody tr").count() == 2
    assert page.inner_text("#receipt-paid") == f"${owed}"
    assert page.inner_text("#receipt-balance") == "$0.00"
    expect(page.locator("#print-button")).to_be_focused()
    _shot(page, "counter-receipt")

    # Printed, the admin around the receipt is gone.
    page.emulate_media(media="print")
    expect(page.locator("#header")).to_be_hidden()
    expect(page.locator(".breadcrumbs")).to_be_hidden()
    expect(page.locator("#print-button")).to_be_hidden()
    expect(page.locator("#receipt")).to_be_visible()
    _shot(page, "counter-receipt-print")


def test_overdue_rentals_come_first_with_their_fee_so_far(copies, page):
    _sign_in(page, "/admin/counter/")
    expect(page.locator("#id_q")).to_be_focused()
    # A scanned customer card: the id and Enter open the customer.
    _scan(page, str(copies["overdue_customer"]))
    expect(page.locator(".customer-card h1")).to_contain_text(f"#{copies['overdue_customer']}")
    first = page.locator("#open-rentals tbody tr").first
    expect(first).to_have_class("overdue")
    assert first.locator(".badge").inner_text() == "overdue"
    _shot(page, "counter-overdue")


def test_the_changelist_offers_its_csv_export(page):
    _sign_in(page, "/admin/rentals/rental/%3Fstatus%3Dopen")
    link = page.locator("#export-csv")
    assert link.get_attribute("href") == "/admin/rentals/rental/export-csv/?status=open"
    with page.expect_download() as download:
        link.focus()
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "rentals.csv"
    _shot(page, "changelist-export-csv")
