"""A relay that fails before its first byte answers a JSON error: 502, 503 or 504, never a 200."""

import httpx2
import pytest

from pagila_site.testsupport.fake_openai import Reply


def _ask(live_app, headers=None):
    return httpx2.get(f"{live_app}/api/v1/ai/ask", params={"question": "hi"}, headers=headers, timeout=10)


@pytest.mark.parametrize("accept", ["text/plain", "text/event-stream"])
@pytest.mark.parametrize(
    ("status", "detail"),
    [
        (400, "The AI provider rejected the request (400)."),
        (401, "The AI provider failed (401)."),
        (429, "The AI provider failed (429)."),
        (500, "The AI provider failed (500)."),
        (503, "The AI provider failed (503)."),
    ],
)
def test_it_answers_502_when_upstream_answers_an_error_status(live_app, llm, status, detail, accept):
    # Every request: a 400 to the request offering tools is followed by one without them.
    llm.default = Reply(status=status)

    response = _ask(live_app, {"Accept": accept})

    assert response.status_code == 502
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"]
    assert response.json() == {"detail": detail, "code": "upstream_error"}
    # No retries (OPENAI_TIMEOUT bounds the wait), but for the one request without the tools.
    assert len(llm.seen) == (2 if status == 400 else 1)


def test_it_answers_504_when_upstream_sends_nothing_within_the_timeout(live_app, llm):
    llm.script(Reply(hang=True))

    response = _ask(live_app, {"Accept": "text/event-stream"})

    assert response.status_code == 504
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "detail": "The AI provider did not answer in time.",
        "code": "upstream_timeout",
    }


def test_it_answers_502_when_upstream_is_unreachable(client, settings):
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"  # the discard port: nothing listens

    response = client.get("/api/v1/ai/ask", {"question": "hi"})

    assert response.status_code == 502
    assert response.json() == {
        "detail": "The connection to the AI provider failed.",
        "code": "upstream_error",
    }


def test_it_answers_503_when_no_key_is_configured(client, settings, llm):
    settings.OPENAI_API_KEY = ""

    response = client.get("/api/v1/ai/ask", {"question": "hi"}, headers={"Accept": "text/event-stream"})

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "The AI provider is not configured: OPENAI_API_KEY is not set.",
        "code": "ai_not_configured",
    }
    assert llm.seen == []


@pytest.mark.django_db
def test_it_leaves_the_rest_of_the_app_working_without_a_key(client, settings):
    settings.OPENAI_API_KEY = ""

    assert client.get("/health").json() == {"status": "ok", "database": "ok"}
    assert client.post("/api/v1/ai/summary", {"film_id": 1}, content_type="application/json").json() == {
        "detail": "The AI provider is not configured: OPENAI_API_KEY is not set.",
        "code": "ai_not_configured",
    }
