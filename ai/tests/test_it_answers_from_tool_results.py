"""A reply that calls a tool gets the tool's real result back, and the answer is built from it."""

import json

import httpx2
import pytest

from ai import tools
from customers.scope import EVERY_STORE
from pagila_site.testsupport.fake_openai import Reply

pytestmark = pytest.mark.django_db


def test_it_answers_with_what_search_films_found(live_app, llm):
    llm.script(
        Reply(chunks=[], tool_calls=[("search_films", {"query": "alien"})]),
        Reply(echo_tools="Found: "),
    )

    response = httpx2.get(f"{live_app}/api/v1/ai/ask", params={"question": "Any alien films?"}, timeout=10)

    found = tools.run("search_films", '{"query": "alien"}', EVERY_STORE)
    assert response.status_code == 200
    assert response.text == f"Found: {found}"
    assert "ALIEN CENTER" in response.text
    first, second = llm.seen
    assert first.body["tools"] == tools.SCHEMAS
    assert second.body["messages"][-2] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_fake_0",
                "type": "function",
                "function": {"name": "search_films", "arguments": '{"query": "alien"}'},
            }
        ],
    }
    assert second.tool_messages == [{"role": "tool", "tool_call_id": "call_fake_0", "content": found}]


def test_it_runs_every_call_of_one_reply_in_order(live_app, llm):
    llm.script(
        Reply(chunks=[], tool_calls=[("get_film", {"film_id": 1}), ("film_availability", {"film_id": 2})]),
        Reply(echo_tools="Both: "),
    )

    response = httpx2.get(f"{live_app}/api/v1/ai/ask", params={"question": "Films 1 and 2?"}, timeout=10)

    film = json.loads(tools.run("get_film", '{"film_id": 1}', EVERY_STORE))
    availability = json.loads(tools.run("film_availability", '{"film_id": 2}', EVERY_STORE))
    assert film["title"] == "ACADEMY DINOSAUR"
    assert availability["title"] == "ACE GOLDFINGER"
    messages = llm.seen[1].tool_messages
    assert [(m["tool_call_id"], json.loads(m["content"])) for m in messages] == [
        ("call_fake_0", film),
        ("call_fake_1", availability),
    ]
    assert response.text == "Both: " + "".join(m["content"] for m in messages)
