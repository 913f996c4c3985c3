"""Headless Chromium for the browser tests: Debian's Chromium driven by Playwright.

``pytestmark = browser.MARKS`` skips a module, saying why, where Chromium or Playwright is
missing; :func:`launch` starts the browser (a module's ``browser`` fixture), :func:`guarded_page`
opens a page that may ask nothing of another host, :func:`access_key` presses Alt+letter as a
clerk does, and :func:`screenshot` writes ``artifacts/screenshots/<name>.png`` for people to look
at.
"""

import contextlib
import os
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"

MARKS = [
    pytest.mark.full_data,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    ),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect


@contextlib.contextmanager
def launch():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def guarded_page(browser, base_url: str, *, init_script: str | None = None, outside_allowed: bool = False):
    """A page of a fresh context on ``base_url``. Requests to any other host are refused and,
    unless ``outside_allowed``, fail the test at the end: the pages must need nothing from a CDN."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1400, "height": 1000})
    if init_script:
        context.add_init_script(init_script)
    outside = []

    def guard(route):
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    try:
        yield context.new_page()
    finally:
        context.close()
    if not outside_allowed:
        assert outside == [], f"pages asked other hosts: {outside}"


def sign_in(page, username: str = "admin", password: str = "admin") -> None:  # noqa: S107 - make run's development superuser
    """Sign ``page`` in to the back office (the development superuser by default)."""
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def access_key(page, letter: str, *, leaves: bool = False) -> None:
    """Alt+``letter``, as a clerk presses it (``leaves``: and wait for the page it opens). Chromium
    matches access keys by the key's unmodified text, which Playwright's
    ``keyboard.press("Alt+n")`` leaves out (nothing happens), so the key goes through the DevTools
    protocol with it, as a real keyboard's would."""
    key = {
        "modifiers": 1,  # Alt
        "key": letter,
        "code": f"Key{letter.upper()}",
        "windowsVirtualKeyCode": ord(letter.upper()),
    }
    down = {"type": "keyDown", "text": letter, "unmodifiedText": letter, **key}
    cdp = page.context.new_cdp_session(page)
    try:
        if leaves:
            with page.expect_navigation():
                cdp.send("Input.dispatchKeyEvent", down)
        else:
            cdp.send("Input.dispatchKeyEvent", down)
        cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", **key})
    finally:
        cdp.detach()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def scan(page, text: str) -> None:
    """What a barcode scanner does: type into the focused box, then Enter; wait for the next page."""
    with page.expect_navigation():
        page.keyboard.type(text)
        page.keyboard.press("Enter")


def press(page, keys: str) -> None:
    """``keys`` (Enter on a box, a link or a button) that open a page: wait for it."""
    with page.expect_navigation():
        page.keyboard.press(keys)


def sign_in_by_keyboard(page, username: str, password: str, then: str) -> None:
    """Sign in as a clerk at the desk does, typing only, landing on ``then``."""
    page.goto(f"/admin/login/?next={then}")
    # The login form puts the cursor in the user name box; typing before it does would be lost.
    expect(page.locator("#id_username")).to_be_focused()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    scan(page, password)
