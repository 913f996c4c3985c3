"""At most eight tool calls run per round; every other call of the reply gets an error result."""

import json
import logging

import httpx2
import pytest

from ai import tools
from ai.services import TOO_MANY_CALLS
from customers.scope import EVERY_STORE
from pagila_site.testsupport.fake_openai import Reply
from pagila_site.testsupport.streaming import sse_events

pytestmark = pytest.mark.django_db

CALLS = [("get_film", {"film_id": n}) for n in range(1, 201)]


def test_a_reply_asking_for_200_calls_gets_8_run_and_192_refused(client, llm, caplog):
    llm.script(Reply(chunks=[], tool_calls=CALLS), Reply(chunks=["Done."]))

    with caplog.at_level(logging.INFO, logger="pagila.ai"):
        response = client.post(
            "/api/v1/ai/handoff", {"question": "Tell me about every film"}, content_type="application/json"
        )

    assert response.status_code == 200
    assert response.json() == {"agent": "LLMAgent", "answer": "Done."}
    _first, second = llm.seen
    # One answer per tool_call_id, in the order of the calls, as the protocol requires.
    assert [m["tool_call_id"] for m in second.tool_messages] == [f"call_fake_{i}" for i in range(200)]
    ran, refused = second.tool_messages[:8], second.tool_messages[8:]
    assert [m["content"] for m in ran] == [
        tools.run("get_film", json.dumps({"film_id": n}), EVERY_STORE) for n in range(1, 9)
    ]
    assert json.loads(ran[0]["content"])["title"] == "ACADEMY DINOSAUR"
    assert len(refused) == 192
    assert {m["content"] for m in refused} == {TOO_MANY_CALLS}
    assert "at most 8 tool calls" in json.loads(TOO_MANY_CALLS)["error"]
    # Only eight executions: each logs one line.
    assert [r.tool for r in caplog.records if r.getMessage() == "ai tool called"] == ["get_film"] * 8
    (warning,) = [
        r for r in caplog.records if r.getMessage() == "ai tool calls not run: over the per-round limit"
    ]
    assert (warning.asked, warning.not_run) == (200, 192)


def test_the_event_stream_announces_only_the_calls_that_run(live_app, llm):
    llm.script(Reply(chunks=[], tool_calls=CALLS), Reply(chunks=["Done."]))

    response = httpx2.get(
        f"{live_app}/api/v1/ai/ask",
        params={"question": "Every film?"},
        headers={"Accept": "text/event-stream"},
        timeout=10,
    )

    events = sse_events(response.text)
    assert [data for event, data in events if event == "tool"] == [
        {"name": "get_film", "arguments": {"film_id": n}} for n in range(1, 9)
    ]
    assert events[-2:] == [("token", {"text": "Done."}), ("done", {})]
    assert len(llm.seen[1].tool_messages) == 200
