"""Every hold and transfer list, and a copy, cost the same number of queries whatever the page
holds: a hold's status and place in its queue, a copy's shelf state, are annotations, not a query
per row."""

import pytest

from pagila_site.testsupport.data import sql_all
from pagila_site.testsupport.queries import queries
from rentals.holds import hold_place
from rentals.transfers import transfer_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def some(db):
    """Holds of several customers (waiting and ready) and transfers, placed by the services."""
    from customers.scope import EVERY_STORE

    films = [
        row[0]
        for row in sql_all("SELECT DISTINCT film_id FROM inventory WHERE store_id = 1 ORDER BY 1 LIMIT 6")
    ]
    for customer in (1, 12, 30):
        for film in films:
            hold_place(scope=EVERY_STORE, customer_id=customer, film_id=film, store_id=1)
    copies = sql_all(
        "SELECT inventory_id FROM inventory i WHERE store_id = 2 AND NOT EXISTS (SELECT 1 FROM rental r "
        "WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL) ORDER BY 1 LIMIT 5"
    )
    for (copy,) in copies:
        transfer_send(scope=EVERY_STORE, inventory_id=copy, to_store_id=1)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("superuser", "/api/v1/holds/?"),
        ("clerk", "/api/v1/holds/?"),
        ("clerk", "/api/v1/holds/?store_id=1&status=waiting"),
        ("clerk", "/api/v1/customers/1/holds/?"),
        ("superuser", "/api/v1/transfers/?"),
        ("clerk", "/api/v1/transfers/?"),
    ],
    ids=[
        "holds",
        "holds-clerk",
        "waiting-holds-clerk",
        "a-customers-holds-clerk",
        "transfers",
        "transfers-clerk",
    ],
)
def test_it_lists_one_or_many_in_the_same_queries(auth_client, clerk_client, query_baseline, some, who, url):
    client = auth_client if who == "superuser" else clerk_client
    client.get(url)  # the first request also records the token's last use
    # Both pages short of the list's end: a page that holds the whole list counts its rows itself.
    small = queries(client, f"{url}&page_size=1")
    large = queries(client, f"{url}&page_size=3")
    assert small == large
    query_baseline(large)


def test_it_shows_a_copy_in_constant_queries(clerk_client, query_baseline, some):
    clerk_client.get("/api/v1/inventory/1/")
    query_baseline(queries(clerk_client, "/api/v1/inventory/1/"))
