"""customer_rentals shows a customer's open rentals only to callers whose stores the customer is of."""

import json

import pytest
from django.db import connection

from pagila_site.testsupport.fake_openai import Reply
from pagila_site.testsupport.two_factor import enrol

pytestmark = pytest.mark.django_db

NOT_ALLOWED = {"error": "not allowed"}


def _customer_with_open_rentals(store_id):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.customer_id, array_agg(r.rental_id ORDER BY r.rental_date DESC, r.rental_id DESC)"
            " FROM customer c JOIN rental r USING (customer_id) WHERE r.return_date IS NULL"
            " AND c.store_id = %s GROUP BY c.customer_id ORDER BY count(*) DESC, c.customer_id LIMIT 1",
            [store_id],
        )
        return cursor.fetchone()


def _tool_result(client, llm, customer_id):
    llm.script(
        Reply(chunks=[], tool_calls=[("customer_rentals", {"customer_id": customer_id})]),
        Reply(echo_tools=""),
    )
    response = client.post(
        "/api/v1/ai/handoff", {"question": "What has this customer out?"}, content_type="application/json"
    )
    assert response.status_code == 200
    return json.loads(response.json()["answer"])


def test_it_refuses_anonymous_callers(client, llm):
    customer_id, _ = _customer_with_open_rentals(1)

    assert _tool_result(client, llm, customer_id) == NOT_ALLOWED


def test_it_refuses_another_stores_customer(clerk_client, llm):
    customer_id, _ = _customer_with_open_rentals(2)

    assert _tool_result(clerk_client, llm, customer_id) == NOT_ALLOWED


def test_it_refuses_an_unknown_customer_alike(clerk_client, llm):
    assert _tool_result(clerk_client, llm, 999999) == NOT_ALLOWED


def test_it_shows_a_clerk_the_open_rentals_of_their_stores_customer(clerk_client, llm):
    customer_id, rental_ids = _customer_with_open_rentals(1)

    rentals = _tool_result(clerk_client, llm, customer_id)

    assert [rental["rental_id"] for rental in rentals] == rental_ids
    assert {rental["customer_id"] for rental in rentals} == {customer_id}
    assert {rental["return_date"] for rental in rentals} == {None}
    api = clerk_client.get(f"/api/v1/rentals/{rental_ids[0]}/").json()
    assert rentals[0] == api


def test_it_uses_a_staff_sessions_scope(client, clerk, llm):
    client.force_login(clerk)
    mine, _ = _customer_with_open_rentals(1)
    theirs, _ = _customer_with_open_rentals(2)

    assert _tool_result(client, llm, theirs) == NOT_ALLOWED
    assert _tool_result(client, llm, mine) != NOT_ALLOWED


def test_a_session_without_the_second_factor_it_owes_is_anonymous(client, clerk, llm):
    # Signed in by password before the clerk enrolled an authenticator: the admin now refuses this
    # session until it gives a code, and so do the AI tools.
    client.force_login(clerk)
    enrol(clerk)
    mine, _ = _customer_with_open_rentals(1)

    assert client.get("/admin/").status_code == 302
    assert _tool_result(client, llm, mine) == NOT_ALLOWED
