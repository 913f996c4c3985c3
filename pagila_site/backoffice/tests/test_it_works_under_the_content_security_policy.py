"""The pages people use still work under the Content-Security-Policy, with no violation at all.

Each page is driven in headless Chromium (a back-office server of its own, ``backoffice_server``)
while the page records every ``securitypolicyviolation`` event;
a page passes when it did its job and the record is empty. The one expected entry is ReDoc's
footer logo, which it fetches from its vendor's CDN: the contract wants nothing from a CDN, and
the policy is what keeps it away. Requests to other hosts are refused, as in the other browser
tests.
"""

import pytest

from pagila_site.testsupport import browser as chromium
from pagila_site.testsupport.browser import expect

pytestmark = chromium.MARKS


@pytest.fixture(scope="module")
def browser():
    with chromium.launch() as running:
        yield running


RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI} (${event.sourceFile})`);
});
"""


@pytest.fixture
def page(browser, backoffice_server):
    # ReDoc's footer logo asks its vendor's CDN; the policy refuses it and the test says so.
    with chromium.guarded_page(
        browser, backoffice_server, init_script=RECORD_VIOLATIONS, outside_allowed=True
    ) as page:
        yield page


def _violations(page):
    return page.evaluate("window.cspViolations")


def _log_in(page):
    page.goto("/admin/login/")
    assert _violations(page) == []
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def test_the_header_is_sent_with_the_admin(page):
    response = page.goto("/admin/login/")
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]


def test_the_dashboard_draws_its_charts(page):
    _log_in(page)
    assert page.locator(".chart-card svg").count() == 3
    assert _violations(page) == []


def test_the_rental_form_autocompletes(page):
    _log_in(page)
    page.goto("/admin/rentals/rental/add/")
    page.click("#id_customer + .select2 .select2-selection")
    page.fill(".select2-search__field", "MARY SMITH")
    page.locator(".select2-results__option", has_text="MARY SMITH").first.wait_for()
    assert _violations(page) == []


def test_ask_ai_streams_an_answer(page):
    _log_in(page)
    page.goto("/admin/ask-ai/")
    page.fill("#question", "Which films suit a rainy day?")
    page.click("#ask-button")
    # Not wait_for_function: Playwright runs that through eval, which the policy refuses.
    expect(page.locator("#ask-status")).to_have_text("Done.")
    assert page.inner_text("#answer") == "Try SUNRISE LEAGUE:\na gentle family drama."
    assert _violations(page) == []


def test_the_counter_finds_a_customer_and_prints_a_receipt(page):
    _log_in(page)
    page.goto("/admin/counter/")
    page.keyboard.type("ann")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # counter.js walks the matches with the arrow keys.
    page.keyboard.press("ArrowDown")
    expect(page.locator("#customer-results a").nth(1)).to_be_focused()
    page.goto("/admin/counter/receipts/1/")
    # counter.js shows the Print button.
    expect(page.locator("#print-button")).to_be_visible()
    assert _violations(page) == []


def test_swagger_ui_renders_and_calls_the_api(page):
    page.goto("/api/docs/")
    operation = page.locator(".opblock", has=page.locator("[data-path='/api/v1/categories/']"))
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text() == "200"
    assert _violations(page) == []


def test_redoc_renders_and_searches(page):
    page.goto("/api/redoc/")
    assert page.locator("h1").first.inner_text() == "Pagila back office API (1.0.0)"
    page.fill("input[placeholder='Search...']", "films")
    page.get_by_role("search").get_by_text("List films").wait_for()
    # ReDoc's footer logo comes from the vendor's CDN: the policy is what keeps it away.
    assert _violations(page) == ["img-src blocked https://cdn.redoc.ly/redoc/logo-mini.svg ()"]
