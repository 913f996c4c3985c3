"""Every rental list costs the same number of queries whatever the page size."""

import pytest

from pagila_site.testsupport.queries import queries

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # lock-out, token, count, page
        ("/api/v1/rentals/?status=returned", 4),
        # lock-out, token, the page with its total (the rows prove the customer exists)
        ("/api/v1/customers/75/rentals/", 3),
    ],
)
def test_it_lists_a_page_of_one_or_a_hundred_rentals_in_the_same_queries(auth_client, url, expected):
    auth_client.get(url)  # the first request also records the token's last use
    assert queries(auth_client, f"{url}&page_size=1" if "?" in url else f"{url}?page_size=1") == expected
    assert queries(auth_client, f"{url}&page_size=100" if "?" in url else f"{url}?page_size=100") == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # lock-out, token, the clerk's stores, count, page
        ("/api/v1/rentals/?status=returned", 5),
        # lock-out, token, the clerk's stores, the customer in scope, the page with its total
        ("/api/v1/customers/1/rentals/", 5),
    ],
)
def test_a_clerks_rental_lists_cost_the_same_whatever_the_page_size(clerk_client, url, expected):
    clerk_client.get(url)
    assert queries(clerk_client, f"{url}&page_size=1" if "?" in url else f"{url}?page_size=1") == expected
    assert queries(clerk_client, f"{url}&page_size=100" if "?" in url else f"{url}?page_size=100") == expected
