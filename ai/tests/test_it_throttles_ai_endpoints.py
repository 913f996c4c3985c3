"""The AI endpoints share one budget of AI_RATE_LIMIT per client address, or per staff token."""

import pytest

from pagila_site.testsupport.fake_openai import Reply

pytestmark = pytest.mark.django_db

THROTTLED = {"detail": "Request was throttled. Expected available in 60 seconds.", "code": "throttled"}


def _handoff(client, **headers):
    return client.post(
        "/api/v1/ai/handoff", {"question": "film alien"}, content_type="application/json", headers=headers
    )


@pytest.fixture
def two_per_minute(settings):
    settings.AI_RATE_LIMIT = "2/min"


def test_it_answers_429_with_retry_after_once_the_budget_is_spent(client, two_per_minute):
    assert [_handoff(client).status_code for _ in range(2)] == [200, 200]

    response = _handoff(client)

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert response["Content-Type"] == "application/json"
    assert response.json() == THROTTLED


def test_it_counts_the_three_endpoints_against_one_budget(client, llm, two_per_minute):
    llm.script(Reply(chunks=['{"title": "t", "rating": "G", "recommended": true}']))
    assert (
        client.post("/api/v1/ai/summary", {"film_id": 15}, content_type="application/json").status_code == 200
    )
    assert _handoff(client).status_code == 200

    ask = client.get("/api/v1/ai/ask", {"question": "hi"}, headers={"Accept": "text/event-stream"})
    summary = client.post("/api/v1/ai/summary", {"film_id": 15}, content_type="application/json")

    assert (ask.status_code, ask["Retry-After"], ask.json()) == (429, "60", THROTTLED)
    assert (summary.status_code, summary["Retry-After"], summary.json()) == (429, "60", THROTTLED)
    assert len(llm.seen) == 1


def test_it_throttles_before_validating(client, llm, two_per_minute):
    for _ in range(2):
        client.get("/api/v1/ai/ask")

    assert client.get("/api/v1/ai/ask").status_code == 429
    assert llm.seen == []


def test_it_ignores_a_forged_forwarded_for_header(client, two_per_minute):
    for _ in range(2):
        _handoff(client)

    assert _handoff(client, x_forwarded_for="203.0.113.7").status_code == 429


def test_it_gives_each_staff_token_its_own_budget(client, staff_token, two_per_minute):
    for _ in range(2):
        _handoff(client)
    assert _handoff(client).status_code == 429

    with_token = [_handoff(client, authorization=f"Bearer {staff_token}").status_code for _ in range(3)]
    # An invented token buys nothing: it is refused (test_it_refuses_wrong_tokens).
    invented = _handoff(client, authorization="Bearer not-a-real-token")

    assert with_token == [200, 200, 429]
    assert invented.status_code == 401


def test_it_starts_afresh_for_another_address(client, two_per_minute):
    for _ in range(2):
        _handoff(client)

    assert _handoff(client).status_code == 429
    assert (
        client.post(
            "/api/v1/ai/handoff",
            {"question": "film alien"},
            content_type="application/json",
            REMOTE_ADDR="10.0.0.2",
        ).status_code
        == 200
    )
