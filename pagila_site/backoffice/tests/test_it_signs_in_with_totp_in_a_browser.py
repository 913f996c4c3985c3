"""Two-factor sign-in in headless Chromium, end to end, against a real server on its own database:
enrol an authenticator from the user tools (its key read off the page, as a phone would), sign
out, sign in with the password and then a code, and reach the counter and Ask AI. The pages must
run under the Content-Security-Policy with no violation. Screenshots: two-factor-*.png."""

import pytest

from pagila_site.testsupport import browser as chromium
from pagila_site.testsupport.browser import expect
from pagila_site.testsupport.browser import screenshot as _shot
from pagila_site.testsupport.two_factor import Authenticator

pytestmark = chromium.MARKS

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI}`);
});
"""


@pytest.fixture(scope="module")
def browser():
    with chromium.launch() as running:
        yield running


@pytest.fixture
def page(browser, backoffice_server):
    with chromium.guarded_page(browser, backoffice_server, init_script=RECORD_VIOLATIONS) as page:
        yield page


def _password(page, next_path="/admin/"):
    page.goto(f"/admin/login/?next={next_path}")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin")
    page.click("input[type=submit]")


def _no_violations(page):
    assert page.evaluate("window.cspViolations") == []


def test_staff_enrol_then_sign_in_with_a_code(page):
    _password(page)
    page.wait_for_url("**/admin/")
    page.click("#user-tools a:text-is('Two-factor authentication')")
    page.wait_for_url("**/admin/two-factor/")
    qr = page.locator(".qr-code-frame svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] > 150
    assert box["height"] > 150
    _no_violations(page)
    _shot(page, "two-factor-enrol")

    phone = Authenticator.from_secret(page.inner_text("#two-factor-secret"))
    page.fill("#id_otp_token", phone.code())
    page.click("#two-factor-form input[type=submit]")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    _shot(page, "two-factor-recovery-codes")
    page.click("#two-factor-continue")
    page.wait_for_url("**/admin/")

    page.click("#logout-form button")
    _password(page, "/admin/counter/")
    expect(page.locator("#two-factor-form")).to_be_visible()
    assert page.url.endswith("/admin/login/?next=/admin/counter/")
    assert "Password accepted for admin." in page.inner_text("#content-main")
    _no_violations(page)
    _shot(page, "two-factor-code-step")
    # The password alone opens no admin page.
    for path in ["/admin/", "/admin/counter/", "/admin/ask-ai/"]:
        page.goto(path)
        expect(page.locator("#id_username")).to_be_visible()
        assert "/admin/login/" in page.url, path
    _password(page, "/admin/counter/")

    page.fill("#id_otp_token", phone.wrong_code())
    page.click("#two-factor-form input[type=submit]")
    expect(page.locator(".errornote")).to_have_text("Wrong code, or a code already used.")
    _shot(page, "two-factor-wrong-code")
    # The device makes the next try wait a second after a wrong code.
    page.wait_for_timeout(1100)
    page.fill("#id_otp_token", phone.code())
    page.click("#two-factor-form input[type=submit]")
    page.wait_for_url("**/admin/counter/")
    assert page.goto("/admin/ask-ai/").status == 200
    page.goto("/admin/two-factor/")
    expect(page.locator("#two-factor-status")).to_contain_text("You have 10 unused recovery codes.")
    _no_violations(page)
    _shot(page, "two-factor-manage")
