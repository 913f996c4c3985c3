"""The AI endpoints take part in the failed-token lock-out like the rest of the API.

They are public and throttled per valid token, else per address; without this, a guesser locked
out of the API could go on testing tokens here (a 200 or 401 where the API gives 429).
"""

import pytest

from pagila_site.api.throttling import AuthFailures

pytestmark = pytest.mark.django_db

QUESTION = {"question": "What is the rental rate for the film Alien?"}


@pytest.fixture
def frozen_clock(monkeypatch):
    # 15 seconds into a clock minute, so a 1/min window has 45 seconds left.
    monkeypatch.setattr(AuthFailures, "timer", staticmethod(lambda: 60 * 29_000_000 + 15.0))


def _handoff(client, token):
    return client.post(
        "/api/v1/ai/handoff", QUESTION, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_wrong_tokens_on_an_ai_endpoint_lock_the_address_out(client, settings, staff_token, frozen_clock):
    settings.AUTH_FAILURE_RATE = "3/min"
    for attempt in range(3):
        assert _handoff(client, f"guess-{attempt}").status_code == 401
    for token in ("guess-3", staff_token):
        response = _handoff(client, token)
        assert response.status_code == 429
        assert response["Retry-After"] == "45"
        assert response.json()["code"] == "throttled"
    # And the API proper refuses the address too: the count is shared.
    api = client.get("/api/v1/customers/1/", HTTP_AUTHORIZATION=f"Bearer {staff_token}")
    assert api.status_code == 429


def test_a_locked_out_address_can_still_ask_without_a_token(client, settings, frozen_clock):
    settings.AUTH_FAILURE_RATE = "1/min"
    _handoff(client, "guess")
    response = client.post("/api/v1/ai/handoff", QUESTION, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["agent"] == "SearchAgent"
