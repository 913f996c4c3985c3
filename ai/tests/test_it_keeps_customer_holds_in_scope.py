"""customer_holds shows a customer's waiting and ready holds, as the API shows them, only to callers
whose stores the customer is of."""

import json

import pytest

from ai import tools
from customers.scope import EVERY_STORE
from pagila_site.testsupport.data import sql_all, sql_one
from pagila_site.testsupport.fake_openai import Reply
from rentals.holds import hold_cancel, hold_place

pytestmark = pytest.mark.django_db

NOT_ALLOWED = {"error": "not allowed"}
# Active customers: Mary of store 1 (the clerk's), Barbara of store 2.
MARY, BARBARA = 1, 4
# Films 1, 4 and 6 have copies on store 1's shelf; film 14 has no copy at all.
ON_THE_SHELF, ANOTHER_ON_THE_SHELF, YET_ANOTHER, NO_COPIES = 1, 4, 6, 14


def _tool_result(client, llm, customer_id):
    llm.script(
        Reply(chunks=[], tool_calls=[("customer_holds", {"customer_id": customer_id})]),
        Reply(echo_tools=""),
    )
    response = client.post(
        "/api/v1/ai/handoff",
        {"question": "What is this customer waiting for?"},
        content_type="application/json",
    )
    assert response.status_code == 200
    return json.loads(response.json()["answer"])


def _place(customer_id, film_id, store_id=1):
    return hold_place(scope=EVERY_STORE, customer_id=customer_id, film_id=film_id, store_id=store_id).hold_id


def test_it_shows_a_clerk_the_waiting_and_ready_holds_of_their_stores_customer(clerk_client, llm):
    ready = _place(MARY, ON_THE_SHELF)
    waiting = _place(MARY, NO_COPIES)
    hold_cancel(scope=EVERY_STORE, hold_id=_place(MARY, YET_ANOTHER))
    # Ready, but past expires_at: it reads expired, and its copy is about to go to someone else.
    past_expiry = _place(MARY, ANOTHER_ON_THE_SHELF)
    sql_one(
        "UPDATE hold SET expires_at = now() - interval '1 minute' WHERE hold_id = %s RETURNING 1",
        [past_expiry],
    )

    holds = _tool_result(clerk_client, llm, MARY)

    assert [(hold["hold_id"], hold["status"]) for hold in holds] == [(waiting, "waiting"), (ready, "ready")]
    assert holds == [clerk_client.get(f"/api/v1/holds/{hold_id}/").json() for hold_id in (waiting, ready)]
    assert holds[0]["position"] == 1
    assert holds[1]["inventory_id"] is not None


def test_it_shows_an_empty_list_for_a_customer_with_no_open_hold(clerk_client, llm):
    assert _tool_result(clerk_client, llm, MARY) == []


def test_it_refuses_another_stores_customer(clerk_client, llm):
    _place(BARBARA, NO_COPIES, store_id=2)

    assert _tool_result(clerk_client, llm, BARBARA) == NOT_ALLOWED


def test_it_refuses_anonymous_callers(client, llm):
    _place(MARY, NO_COPIES)

    assert _tool_result(client, llm, MARY) == NOT_ALLOWED


def test_it_refuses_an_unknown_customer_alike(clerk_client, llm):
    assert _tool_result(clerk_client, llm, 999999) == NOT_ALLOWED


def test_it_shows_at_most_max_holds_newest_first():
    films = [
        row[0] for row in sql_all("SELECT film_id FROM film ORDER BY film_id LIMIT %s", [tools.MAX_HOLDS + 2])
    ]
    placed = [_place(MARY, film) for film in films]

    holds = json.loads(tools.run("customer_holds", json.dumps({"customer_id": MARY}), EVERY_STORE))

    assert [hold["hold_id"] for hold in holds] == placed[::-1][: tools.MAX_HOLDS]
