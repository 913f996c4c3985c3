"""Every payment list costs the same number of queries whatever the page size."""

import pytest

from pagila_site.testsupport.queries import queries

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/payments/?since=2022-05-01",  # lock-out, token, count, page
        # lock-out, token, the page with its total (its rows prove the customer exists)
        "/api/v1/customers/75/payments/?",
    ],
    ids=["payments", "a-customers-payments"],
)
def test_it_lists_a_page_of_one_or_a_hundred_payments_in_the_same_queries(auth_client, query_baseline, url):
    auth_client.get(url)  # the first request also records the token's last use
    small = queries(auth_client, f"{url}&page_size=1")
    large = queries(auth_client, f"{url}&page_size=100")
    assert small == large
    query_baseline(large)
