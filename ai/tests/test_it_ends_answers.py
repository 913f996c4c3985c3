"""Answers end: max_tokens on every call, a deadline for answers returned whole, streams capped.

A small local model rambles until its context is full, and OPENAI_TIMEOUT only bounds the wait
between two chunks: without these a summary or a handoff could hold its client for minutes.
"""

import json
import time

import httpx2
import pytest

from ai.tools import SCHEMAS
from pagila_site.testsupport import live, testdb
from pagila_site.testsupport.fake_openai import Reply

pytestmark = pytest.mark.django_db

ALIEN_CENTER = 15
SUMMARY_JSON = json.dumps({"title": "x", "rating": "G", "recommended": True})


def _post(client, path, body):
    return client.post(path, body, content_type="application/json")


def test_every_model_call_asks_for_at_most_ai_max_tokens(client, llm, settings):
    settings.AI_MAX_TOKENS = 77
    llm.script(
        Reply(chunks=[SUMMARY_JSON]),
        # A handoff for the model: a round that calls a tool, then the answer.
        Reply(chunks=["Let me look."], tool_calls=[("get_film", {"film_id": 1})]),
        Reply(chunks=["It rents for $0.99."]),
    )

    assert _post(client, "/api/v1/ai/summary", {"film_id": ALIEN_CENTER}).status_code == 200
    assert _post(client, "/api/v1/ai/handoff", {"question": "How much is it?"}).status_code == 200

    assert [seen.body["max_tokens"] for seen in llm.seen] == [77, 77, 77]
    assert [bool(seen.body.get("stream")) for seen in llm.seen] == [False, True, True]
    assert llm.seen[1].body["tools"] == SCHEMAS


def test_a_summary_past_its_deadline_is_504_and_the_upstream_call_is_closed(client, llm, settings):
    settings.AI_ANSWER_TIMEOUT = 0.5
    # Each wait is within OPENAI_TIMEOUT (2 s); only the whole answer's deadline can end it.
    llm.default = Reply(chunks=[SUMMARY_JSON], delay=1.5)

    started = time.monotonic()
    response = _post(client, "/api/v1/ai/summary", {"film_id": ALIEN_CENTER})
    took = time.monotonic() - started

    assert response.status_code == 504
    assert response.json() == {
        "detail": "The AI provider did not finish its answer within 0.5 s.",
        "code": "upstream_timeout",
    }
    assert took < 1.4
    [seen] = llm.wait_for(lambda seen: [s for s in seen if s.disconnected_at])
    assert seen.finished_at is None


def test_the_deadline_covers_both_summary_attempts(client, llm, settings):
    settings.AI_ANSWER_TIMEOUT = 1.0
    llm.script(Reply(chunks=["not json"], delay=0.6), Reply(chunks=[SUMMARY_JSON], delay=0.6))

    response = _post(client, "/api/v1/ai/summary", {"film_id": ALIEN_CENTER})

    assert response.status_code == 504
    assert len(llm.seen) == 2
    llm.wait_for(lambda seen: seen[1].disconnected_at)


def test_a_handoff_to_a_model_that_never_stops_is_504_within_the_deadline(client, llm, settings):
    settings.AI_ANSWER_TIMEOUT = 1.0
    llm.default = Reply(chunks=["and ", "then "], delay=0.02, endless=True)

    started = time.monotonic()
    response = _post(client, "/api/v1/ai/handoff", {"question": "Tell me a story"})
    took = time.monotonic() - started

    assert response.status_code == 504
    assert response.json() == {
        "detail": "The AI provider did not finish its answer within 1 s.",
        "code": "upstream_timeout",
    }
    assert took < 1.9
    [seen] = llm.wait_for(lambda seen: [s for s in seen if s.disconnected_at])
    assert seen.chunks_sent > 10


def test_a_catalogue_handoff_needs_no_model_and_no_deadline(client, llm, settings):
    settings.AI_ANSWER_TIMEOUT = 0.001

    response = _post(client, "/api/v1/ai/handoff", {"question": "the film alien center"})

    assert response.status_code == 200
    assert response.json()["agent"] == "SearchAgent"


@pytest.fixture(scope="module")
def capped_app(django_db_setup, live_app_env):
    """The app under uvicorn with a small AI_MAX_TOKENS and a short AI_ANSWER_TIMEOUT, read at start."""
    from django.db import connection

    env = {**live_app_env, "AI_MAX_TOKENS": "5", "AI_ANSWER_TIMEOUT": "1.5"}
    with live.serve(testdb.database_url(connection.settings_dict["NAME"]), env=env) as server:
        yield server.url


@pytest.mark.parametrize("accept", ["text/plain", "text/event-stream"])
def test_a_stream_stops_at_ai_max_tokens_when_the_provider_ignores_it(capped_app, llm, accept):
    llm.default = Reply(chunks=["one ", "two ", "three "], delay=0.01, endless=True)

    response = httpx2.get(
        f"{capped_app}/api/v1/ai/ask", params={"question": "Count"}, headers={"Accept": accept}, timeout=10
    )

    assert response.status_code == 200
    if accept == "text/plain":
        assert response.text == "one two three one two "
    else:
        tokens = [
            json.loads(line.removeprefix("data: "))["text"]
            for event in response.text.split("\n\n")
            if event.startswith("event: token")
            for line in event.splitlines()
            if line.startswith("data: ")
        ]
        assert tokens == ["one ", "two ", "three ", "one ", "two "]
        assert response.text.endswith("event: done\ndata: {}\n\n")
    [seen] = llm.wait_for(lambda seen: [s for s in seen if s.disconnected_at])
    assert seen.body["max_tokens"] == 5


def test_a_live_handoff_past_its_deadline_is_504(capped_app, llm):
    # Five chunks half a second apart would end the answer at 2.5 s; the deadline is 1.5 s.
    llm.default = Reply(chunks=["on and on "], delay=0.5, endless=True)

    started = time.monotonic()
    response = httpx2.post(f"{capped_app}/api/v1/ai/handoff", json={"question": "Ramble"}, timeout=10)

    assert response.status_code == 504
    assert response.json()["code"] == "upstream_timeout"
    assert time.monotonic() - started < 2.3
    llm.wait_for(lambda seen: [s for s in seen if s.disconnected_at])
