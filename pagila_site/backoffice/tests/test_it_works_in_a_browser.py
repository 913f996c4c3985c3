"""The back office and the API docs in headless Chromium, against a real server on its own database.

The server is a uvicorn subprocess on a private clone of the Pagila template, so what the
browser changes (a rental, streaming flags) never leaks into other tests. Every request the
page makes to another host is blocked and recorded: the pages must need nothing from a CDN.
Screenshots go to artifacts/screenshots/. Without Debian's Chromium the tests skip, saying why.
"""

import pytest

from pagila_site.testsupport import browser as chromium
from pagila_site.testsupport.browser import screenshot as _shot
from pagila_site.testsupport.browser import sync_api
from pagila_site.testsupport.contract import CONTRACT_TAGS
from pagila_site.testsupport.fake_openai import Reply

pytestmark = chromium.MARKS


@pytest.fixture(scope="module")
def browser():
    with chromium.launch() as running:
        yield running


@pytest.fixture
def anonymous_page(browser, backoffice_server):
    with chromium.guarded_page(browser, backoffice_server) as page:
        yield page


@pytest.fixture
def page(anonymous_page):
    """A page logged in to the back office as the development superuser."""
    chromium.sign_in(anonymous_page)
    return anonymous_page


def test_the_dashboard_shows_figures_and_charts(page):
    assert page.inner_text(".key-figures").count("open rentals") == 1
    assert page.locator(".chart-card svg").count() == 3
    assert "Revenue by category" in page.inner_text(".chart-card:has(svg[aria-label='Revenue by category'])")
    _shot(page, "dashboard")


def test_staff_filter_and_search_films_then_switch_streaming_on(page):
    page.goto("/admin/films/film/")
    page.click("#changelist-filter a:text-is('Action')")
    assert "149 films" in page.inner_text("#changelist-form .paginator")
    page.fill("#searchbar", "GOLDFINGER")
    page.press("#searchbar", "Enter")
    page.wait_for_url("**q=GOLDFINGER**")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "ACE GOLDFINGER" in rows.first.inner_text()
    rows.first.locator("input.action-select").check()
    page.select_option("select[name=action]", "mark_streaming_on")
    page.click("button[name=index]")
    assert "1 film(s) marked available for streaming." in page.inner_text(".messagelist")
    _shot(page, "films-streaming-action")


def _pick(page, field, text):
    """Choose a value in an admin autocomplete (select2) widget."""
    page.click(f"#id_{field} + .select2 .select2-selection")
    page.fill(".select2-search__field", text)
    page.locator(".select2-results__option", has_text=text).first.click()


def _rent_in_the_admin(page, inventory_id):
    """Fill in and save the back office's rental form, as a clerk does."""
    page.goto("/admin/rentals/rental/add/")
    _pick(page, "customer", "MARY SMITH")
    page.fill("#id_inventory", str(inventory_id))
    _pick(page, "staff", "Warner Hudson")
    page.click("input[name=_save]")


def test_staff_rent_a_copy_and_a_double_rental_is_refused(page):
    _rent_in_the_admin(page, 2)
    assert "was added successfully" in page.inner_text(".messagelist")
    _shot(page, "rental-created")

    _rent_in_the_admin(page, 2)
    assert "This copy is out on an open rental." in page.inner_text(".errorlist")
    _shot(page, "rental-refused")


def test_the_ask_ai_page_shows_the_answer_as_it_streams(page):
    page.goto("/admin/ask-ai/")
    assert page.locator("#ai-not-configured").count() == 0
    page.fill("#question", "Which films suit a rainy day?")
    page.click("#ask-button")
    # Part of the answer is on screen while the rest is still being generated.
    # Locators, not wait_for_function: Playwright runs that through eval, which the page's CSP refuses.
    page.locator("#answer", has_text="SUNRISE").wait_for()
    assert page.inner_text("#ask-status") == "Answering…"
    assert "drama." not in page.inner_text("#answer")
    _shot(page, "ask-ai-streaming")
    sync_api.expect(page.locator("#ask-status")).to_have_text("Done.")
    assert page.inner_text("#answer") == "Try SUNRISE LEAGUE:\na gentle family drama."
    _shot(page, "ask-ai-done")


def test_the_api_docs_group_operations_by_the_contracts_tags(anonymous_page):
    page = anonymous_page
    page.goto("/api/docs/")
    groups = page.locator(".opblock-tag-section")
    groups.first.wait_for()
    _shot(page, "api-docs")

    tags = [group.locator("h3.opblock-tag").get_attribute("data-tag") for group in groups.all()]
    # Every tag of the contract, in its order, and no other group (no "default", no "v1").
    assert tags == CONTRACT_TAGS
    paths = {
        tag: [path.inner_text() for path in group.locator(".opblock-summary-path").all()]
        for tag, group in zip(tags, groups.all(), strict=True)
    }
    assert "/api/v1/categories/" in paths["films"]
    assert "/api/v1/customers/{customer_id}/rentals/" in paths["rentals"]
    assert "/api/v1/customers/{customer_id}/subscriptions/" in paths["subscriptions"]
    assert "/api/v1/ai/ask" in paths["ai"]
    # Each of the schema's operations is shown once, under its one tag.
    schema = page.request.get("/api/schema/?format=json").json()
    assert sum(map(len, paths.values())) == sum(map(len, schema["paths"].values()))


def test_the_ask_ai_page_lists_the_tools_the_model_uses(page, fake_ai):
    fake_ai.script(
        Reply(chunks=[], tool_calls=[("search_films", {"query": "sunrise"})]),
        Reply(chunks=["Found ", "it."]),
    )
    page.goto("/admin/ask-ai/")
    page.fill("#question", "Is SUNRISE LEAGUE in the catalogue?")
    page.click("#ask-button")
    sync_api.expect(page.locator("#ask-status")).to_have_text("Done.")
    # The arguments object the SSE event carries, as JSON.stringify writes it.
    assert page.inner_text("#ask-tools") == 'search_films({"query":"sunrise"})'
    assert page.inner_text("#answer") == "Found it."


def test_the_ask_ai_page_explains_a_failure_without_asking_again(page, fake_ai):
    fake_ai.script(Reply(status=500))
    asked = len(fake_ai.seen)
    page.goto("/admin/ask-ai/")
    page.fill("#question", "Which films suit a rainy day?")
    page.click("#ask-button")
    sync_api.expect(page.locator("#ask-status")).to_have_text("Error: The AI provider failed (500).")
    assert len(fake_ai.seen) == asked + 1


def test_the_rental_list_says_more_than_it_counts_and_drills_down_by_date(page):
    page.goto("/admin/rentals/rental/")
    paginator = page.inner_text("#changelist-form .paginator")
    assert "More than 10,000 rentals" in paginator
    assert "…" in paginator  # no last page is offered
    _shot(page, "rentals-changelist")
    # Years first when this module's other tests have rented today, else 2022's months.
    if page.locator(".toplinks a:text-is('2022')").count():
        page.click(".toplinks a:text-is('2022')")
        page.wait_for_url("**rental_date__year=2022**")
    page.click(".toplinks a:text-is('May 2022')")
    page.wait_for_url("**rental_date__month=5**")
    assert page.locator("#result_list tbody tr").count() == 50
    _shot(page, "rentals-changelist-may-2022")
