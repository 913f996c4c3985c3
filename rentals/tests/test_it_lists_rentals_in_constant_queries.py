"""Every rental list costs the same number of queries whatever the page size."""

import pytest

from pagila_site.testsupport.queries import queries

pytestmark = pytest.mark.django_db

URLS = {
    "rentals": "/api/v1/rentals/?status=returned",
    "a-customers-rentals": "/api/v1/customers/{customer}/rentals/?",
}


# As dvd_admin: lock-out, token, (count,) page; a customer's list has its total in the page query
# and its rows prove the customer exists. A clerk's lists also read the clerk's stores, and a
# customer's the customer's store.
@pytest.mark.parametrize("url", URLS.values(), ids=URLS.keys())
@pytest.mark.parametrize(
    ("who", "customer"), [("auth_client", 75), ("clerk_client", 1)], ids=["admin", "clerk"]
)
def test_it_lists_a_page_of_one_or_a_hundred_rentals_in_the_same_queries(
    request, query_baseline, url, who, customer
):
    client = request.getfixturevalue(who)
    url = url.format(customer=customer)
    client.get(url)  # the first request also records the token's last use
    small = queries(client, f"{url}&page_size=1")
    large = queries(client, f"{url}&page_size=100")
    assert small == large
    query_baseline(large)
