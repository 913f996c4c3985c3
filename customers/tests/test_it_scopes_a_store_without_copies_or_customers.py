"""A store that holds no copies and has no customers (most of a chain's 500 in Pagila's data) is
in scope of no rental or payment: its clerk's lists are empty without PostgreSQL walking the
history to find that out, and a customer it gains brings that customer's rentals whole."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from customers.services import staff_account_set
from pagila_site.services import token_issue
from pagila_site.testsupport.data import sql_one

pytestmark = pytest.mark.django_db


@pytest.fixture
def far_clerk_client():
    """A clerk of Pagila's staff member 3: store 18, and store 3, which it manages."""
    assert sql_one("SELECT store_id FROM staff WHERE staff_id = 3") == (18,)
    assert sql_one("SELECT count(*) FROM inventory WHERE store_id IN (3, 18)") == (0,)
    assert sql_one("SELECT count(*) FROM customer WHERE store_id IN (3, 18)") == (0,)
    user, _ = staff_account_set(username="clerk3", staff_id=3, password="clerk-password")
    _token, raw = token_issue(user=user, name="desk")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.mark.parametrize("path", ["/api/v1/rentals/", "/api/v1/payments/", "/api/v1/rentals/?status=open"])
def test_its_lists_are_empty_without_reading_the_history(far_clerk_client, path):
    with CaptureQueriesContext(connection) as queries:
        body = far_clerk_client.get(path).json()
    assert (body["count"], body["results"]) == (0, [])
    assert not [q["sql"] for q in queries if 'FROM "rental"' in q["sql"] or 'FROM "payment"' in q["sql"]]


def test_a_customer_it_gains_brings_their_rentals_from_any_store(far_clerk_client):
    customer_id = sql_one(
        "INSERT INTO customer (store_id, first_name, last_name, email, address_id, active) "
        "VALUES (3, 'Far', 'Away', 'far@example.com', 1, 1) RETURNING customer_id"
    )[0]
    rental_id = sql_one(
        "INSERT INTO rental (rental_date, inventory_id, customer_id, return_date, staff_id) "
        "VALUES (now() - interval '2 days', 1, %s, now() - interval '1 day', 1) RETURNING rental_id",
        [customer_id],
    )[0]
    sql_one(
        "INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date) "
        "VALUES (%s, 1, %s, 0.99, now()) RETURNING payment_id",
        [customer_id, rental_id],
    )
    rentals = far_clerk_client.get("/api/v1/rentals/").json()
    payments = far_clerk_client.get("/api/v1/payments/").json()
    assert [r["rental_id"] for r in rentals["results"]] == [rental_id]
    assert [p["rental_id"] for p in payments["results"]] == [rental_id]
