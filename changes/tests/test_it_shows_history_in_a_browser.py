"""A customer's History page and the change log in headless Chromium, against a real server on
its own database: one change made by plain SQL from outside the app, one through the admin's own
form. Screenshots go to artifacts/screenshots/."""

import psycopg
import pytest

from pagila_site.testsupport import browser as chromium
from pagila_site.testsupport import live
from pagila_site.testsupport.browser import expect
from pagila_site.testsupport.browser import screenshot as _shot

pytestmark = chromium.MARKS


@pytest.fixture(scope="module")
def browser():
    with chromium.launch() as running:
        yield running


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    """The app on a private clone of the template, after customer 1 moved house by ``psql``."""
    env = {"DJANGO_DEBUG": "true"}
    with live.private_database("test_changes", django_db_blocker) as database_url:
        live.ensure_dev_access(database_url, env)
        with psycopg.connect(database_url) as conn:
            conn.execute(
                "UPDATE customer SET address_id = 6, last_name = 'SMITH-JONES' WHERE customer_id = 1"
            )
        with live.serve(database_url, env=env) as running:
            yield running.url


@pytest.fixture
def page(browser, server):
    """A page signed in to the back office as the development superuser."""
    with chromium.guarded_page(browser, server) as page:
        chromium.sign_in(page)
        yield page


def test_a_customers_history_shows_who_changed_what_from_where(page):
    page.goto("/admin/customers/customer/1/change/")
    page.fill("#id_email", "mary.smith@example.com")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto("/admin/customers/customer/1/history/")
    rows = page.locator("#change-records tbody tr")
    expect(rows).to_have_count(2)
    newest, oldest = rows.nth(0), rows.nth(1)
    expect(newest.locator("td").nth(1)).to_have_text(
        "email MARY.SMITH@sakilacustomer.org → mary.smith@example.com"
    )
    expect(newest.locator("td").nth(2)).to_have_text("admin")  # the user
    expect(newest.locator("td").nth(3)).to_have_text("admin")  # where from: the back office
    expect(oldest.locator("td").nth(1)).to_contain_text("last_name SMITH → SMITH-JONES")
    expect(oldest.locator("td").nth(3)).to_have_text("SQL")
    # Django's own log of the admin's edit, below the records.
    expect(page.locator("#change-history")).to_contain_text("Changed Email.")
    _shot(page, "customer-history")

    page.click("#change-records .change-records-footer a")
    page.wait_for_url("**/admin/changes/change/?table=customer&object_id=1")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    _shot(page, "change-log")
