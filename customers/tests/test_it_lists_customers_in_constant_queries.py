"""Every customer list costs the same number of queries whatever the page size."""

from datetime import date

import pytest

from customers.models import StreamingSubscription
from pagila_site.testsupport.queries import queries

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/customers/?active=true",  # lock-out, token, count, page
        # lock-out, token, the page with its total; a customer with no subscriptions costs one more
        # query, the check that it exists.
        "/api/v1/customers/1/subscriptions/?",
    ],
    ids=["customers", "a-customers-subscriptions"],
)
def test_it_lists_a_page_of_one_or_a_hundred_in_the_same_queries(auth_client, query_baseline, url):
    StreamingSubscription.objects.bulk_create(
        StreamingSubscription(customer_id=1, plan_name=f"Plan {n}", start_date=date(2025, 1, 1))
        for n in range(5)
    )
    auth_client.get(url)  # the first request also records the token's last use
    small = queries(auth_client, f"{url}&page_size=1")
    large = queries(auth_client, f"{url}&page_size=100")
    assert small == large
    query_baseline(large)
