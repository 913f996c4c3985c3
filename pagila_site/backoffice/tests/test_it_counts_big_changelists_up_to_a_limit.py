"""The changelists that grow with the history count no further than the limit
(``PAGINATION_COUNT_LIMIT``, lowered here so Pagila's data reaches it): a page costs what a page
costs, the list says "more than", offers no last page, and draws its date drill-down from its
first and last dates."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = [pytest.mark.django_db, pytest.mark.full_data]

LIMIT = 200


@pytest.fixture(autouse=True)
def _low_limit(settings):
    settings.PAGINATION_COUNT_LIMIT = LIMIT


def _get(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, [query["sql"] for query in captured]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/admin/rentals/rental/", "rentals"),
        ("/admin/rentals/paymentledgerentry/", "payments"),
        ("/admin/customers/customer/", "customers"),
        ("/admin/rentals/inventory/", "inventory"),
    ],
)
def test_a_list_over_the_limit_counts_up_to_it_and_says_more_than(superuser_client, url, name):
    response, queries = _get(superuser_client, url)
    changelist = response.context["cl"]
    assert changelist.paginator.capped
    assert changelist.result_count == LIMIT + 1
    counts = [sql for sql in queries if sql.startswith("SELECT COUNT(*)")]
    assert len(counts) == 1
    assert f"LIMIT {LIMIT + 1}" in counts[0]
    page = response.content.decode()
    assert f"More than {LIMIT} {name}" in page
    if response.context.get("action_form"):  # the ledger has no actions
        assert f"Select all {name} that match (more than {LIMIT})" in page


def test_pages_run_as_deep_as_the_limit_and_no_last_page_is_offered(superuser_client):
    response, _ = _get(superuser_client, "/admin/rentals/rental/?p=2")
    paginator = response.context["cl"].paginator
    assert paginator.num_pages == LIMIT // 50
    assert list(paginator.get_elided_page_range(2)) == [1, 2, 3, 4, paginator.ELLIPSIS]
    links = re.findall(r'href="\?p=(\d+)"', response.content.decode())
    assert max(map(int, links)) == LIMIT // 50
    deepest, _ = _get(superuser_client, f"/admin/rentals/rental/?p={LIMIT // 50}")
    assert len(deepest.context["cl"].result_list) == 50
    # Deeper than the limit is what Django answers for a page that does not exist.
    assert superuser_client.get(f"/admin/rentals/rental/?p={LIMIT // 50 + 1}")["Location"].endswith("?e=1")


def test_a_list_under_the_limit_is_counted_exactly(superuser_client):
    response, _ = _get(superuser_client, "/admin/rentals/paymentledgerentry/?customer_id=1")
    changelist = response.context["cl"]
    assert not changelist.paginator.capped
    assert changelist.result_count == 32
    assert "32 payments" in response.content.decode()


def test_the_date_drilldown_of_a_long_list_reads_its_first_and_last_dates(superuser_client):
    response, queries = _get(superuser_client, "/admin/rentals/rental/")
    assert not [sql for sql in queries if "DISTINCT" in sql.upper() or "MIN(" in sql.upper()]
    drilldown = response.context["cl"].date_drilldown
    # Pagila's rentals run from February to August 2022: one year, so its months.
    assert [choice["title"] for choice in drilldown["choices"]] == [
        "February 2022",
        "March 2022",
        "April 2022",
        "May 2022",
        "June 2022",
        "July 2022",
        "August 2022",
    ]
    assert "rental_date__month=5" in drilldown["choices"][3]["link"]

    month, _ = _get(superuser_client, "/admin/rentals/rental/?rental_date__year=2022&rental_date__month=7")
    days = month.context["cl"].date_drilldown["choices"]
    assert days[0]["title"] == "July 5"
    assert days[-1]["title"] == "July 31"
    assert 'class="date-back"' in month.content.decode()


def test_a_short_list_keeps_djangos_date_drilldown(superuser_client):
    response, queries = _get(superuser_client, "/admin/rentals/rental/?customer_id=1")
    drilldown = response.context["cl"].date_drilldown
    assert [choice["title"] for choice in drilldown["choices"]] == [
        "May 2022",
        "June 2022",
        "July 2022",
        "August 2022",
    ]
    assert [sql for sql in queries if "DISTINCT" in sql.upper()]


def test_a_column_no_index_orders_is_not_sortable_even_by_hand(superuser_client):
    # o=2 is the film's title: a sort of every rental by it.
    response, queries = _get(superuser_client, "/admin/rentals/rental/?o=2")
    page = [sql for sql in queries if "LIMIT 50" in sql]
    assert page
    assert '"film"."title"' not in page[0].split("ORDER BY")[1]
    assert 'class="sortable column-film_title' not in response.content.decode()


def test_a_long_list_offers_no_facet_counts(superuser_client):
    response, queries = _get(superuser_client, "/admin/rentals/rental/?_facets=True")
    assert "Show counts" not in response.content.decode()
    assert len([sql for sql in queries if sql.startswith("SELECT COUNT(*)")]) == 1


def test_returning_all_that_match_goes_through_the_open_ones_only(superuser_client):
    with CaptureQueriesContext(connection) as captured:
        response = superuser_client.post(
            "/admin/rentals/rental/",
            {"action": "mark_returned", "select_across": "1", "index": "0", "_selected_action": ["1"]},
            follow=True,
        )
    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["Returned 183 rental(s).", f"{16044 - 183} rental(s) were already returned."]
    # One UPDATE per open rental, none for the 15,861 returned ones.
    assert sum(query["sql"].startswith("UPDATE") for query in captured) == 183
