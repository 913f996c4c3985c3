"""The AI endpoints against a real local model server: run by ``make test-ai-local`` only.

Not collected by ``make test`` (its name doesn't start with ``test_``): it needs the server that
``scripts/test_ai_local.py`` builds and starts (llama-cpp-python's, with Gemma 3 270M), named by
``LOCAL_MODEL_BASE_URL``. The model is tiny and its words are not checked, only what the
contract promises whatever the model says: streams that stream, the summary's facts from the
database, answers within AI_ANSWER_TIMEOUT, tool-carrying requests that end well. Each test
prints what it saw, for the README.
"""

import os
import time

import httpx2
import pytest
from django.conf import settings as django_settings
from django.db import connection

from pagila_site.testsupport import live, testdb
from pagila_site.testsupport.streaming import sse_events

pytestmark = pytest.mark.django_db
ANSWER_TIMEOUT = 60.0


def report(what: str, **seen) -> None:
    print(f"\n  [local model] {what}: " + ", ".join(f"{name}={value!r}" for name, value in seen.items()))


@pytest.fixture(scope="module")
def local_app(django_db_setup):
    base_url = os.environ.get("LOCAL_MODEL_BASE_URL")
    if not base_url:
        pytest.fail("LOCAL_MODEL_BASE_URL is not set: run this module with make test-ai-local")
    env = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": django_settings.SECRET_KEY,
        "OPENAI_API_KEY": "local",
        "OPENAI_BASE_URL": base_url,
        "OPENAI_MODEL": os.environ["LOCAL_MODEL_NAME"],
        # A CPU model reads the tools' schemas before its first token: give it time to start.
        "OPENAI_TIMEOUT": "60",
        "AI_ANSWER_TIMEOUT": str(ANSWER_TIMEOUT),
        "AI_RATE_LIMIT": "1000/min",
    }
    with live.serve(testdb.database_url(connection.settings_dict["NAME"]), env=env) as server:
        yield server


def _warnings(server, *messages) -> list[str]:
    return [line for line in server.log().splitlines() if any(message in line for message in messages)]


def test_ask_streams_plain_text_token_by_token(local_app):
    started = time.monotonic()
    reads = []
    with httpx2.stream(
        "GET",
        f"{local_app.url}/api/v1/ai/ask",
        params={"question": "Name three kinds of film a video store rents."},
        timeout=120,
    ) as response:
        for data in response.iter_raw():
            reads.append((time.monotonic() - started, data))

    text = b"".join(data for _, data in reads).decode()
    first, last = reads[0][0], reads[-1][0]
    report(
        "ask, plain",
        status=response.status_code,
        reads=len(reads),
        first_s=round(first, 1),
        last_s=round(last, 1),
    )
    report("ask, plain", text=text[:160])
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert text.strip()
    assert len(reads) > 1


def test_ask_streams_server_sent_events(local_app):
    started = time.monotonic()
    response = httpx2.get(
        f"{local_app.url}/api/v1/ai/ask",
        params={"question": "Say hello to the staff."},
        headers={"Accept": "text/event-stream"},
        timeout=120,
    )

    events = sse_events(response.text)
    names = [name for name, _ in events]
    report(
        "ask, SSE",
        status=response.status_code,
        events=len(events),
        seconds=round(time.monotonic() - started, 1),
    )
    assert response.status_code == 200
    assert names.count("token") > 1
    assert names[-1] == "done"


def test_a_tool_carrying_request_ends_well(local_app):
    # Every round of /ai/ask offers the tools; this server's chat format has no tool calling.
    response = httpx2.get(
        f"{local_app.url}/api/v1/ai/ask",
        params={"question": "Is the film ACADEMY DINOSAUR in stock at store 1? Use the tools."},
        headers={"Accept": "text/event-stream"},
        timeout=120,
    )

    events = sse_events(response.text)
    tools = [data for name, data in events if name == "tool"]
    report(
        "ask with tools offered",
        status=response.status_code,
        tool_events=tools,
        refused_tools=bool(_warnings(local_app, "rejected tools")),
    )
    assert response.status_code == 200
    assert events[-1][0] == "done"


@pytest.mark.parametrize(
    ("film_id", "expected"),
    [
        (15, {"title": "ALIEN CENTER", "rating": "NC-17", "recommended": True}),
        (8, {"title": "AIRPORT POLLOCK", "rating": "R", "recommended": False}),
    ],
)
def test_summary_answers_the_databases_title_and_rating(local_app, film_id, expected):
    started = time.monotonic()
    response = httpx2.post(f"{local_app.url}/api/v1/ai/summary", json={"film_id": film_id}, timeout=120)
    took = time.monotonic() - started

    formats = _warnings(local_app, "response_format", "not the JSON asked for")
    report(
        "summary", film_id=film_id, status=response.status_code, body=response.json(), seconds=round(took, 1)
    )
    for line in formats:
        report("app log", line=line[:300])
    assert response.status_code == 200
    assert response.json() == expected
    assert took < ANSWER_TIMEOUT


def test_handoff_to_search_agent_needs_no_model(local_app):
    response = httpx2.post(
        f"{local_app.url}/api/v1/ai/handoff",
        json={"question": "What is the rental rate for the film Alien?"},
        timeout=30,
    )

    assert response.status_code == 200
    assert response.json() == {
        "agent": "SearchAgent",
        "answer": "ALIEN CENTER (Children, Comedy, New) rents for $2.99.",
    }


def test_handoff_to_the_model_answers_within_the_deadline(local_app):
    started = time.monotonic()
    response = httpx2.post(
        f"{local_app.url}/api/v1/ai/handoff",
        json={"question": "Write a long story about a video store, as long as you can."},
        timeout=120,
    )
    took = time.monotonic() - started

    body = response.json()
    report(
        "handoff, LLMAgent",
        status=response.status_code,
        seconds=round(took, 1),
        answer_chars=len(body.get("answer", "")),
    )
    assert response.status_code == 200
    assert body["agent"] == "LLMAgent"
    assert body["answer"].strip()
    assert took < ANSWER_TIMEOUT
