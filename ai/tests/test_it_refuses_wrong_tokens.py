"""A bearer token sent to an AI endpoint is checked as the API checks it: a wrong one is 401.

Never a quiet fall-back to the session's scope (or to an anonymous caller's budget): a client
whose token was revoked must learn it, not get answers from a narrower (or wider) scope.
Without an Authorization header nothing changes: the staff session's scope, else anonymous.
"""

import pytest
from django.utils import timezone

from pagila_site.models import ApiToken
from pagila_site.services import token_issue
from pagila_site.testsupport.fake_openai import Reply

pytestmark = pytest.mark.django_db

WRONG = {"detail": "Invalid or revoked token.", "code": "authentication_failed"}
ENDPOINTS = {
    "ask": lambda client, **headers: client.get("/api/v1/ai/ask", {"question": "Any film?"}, headers=headers),
    "summary": lambda client, **headers: client.post(
        "/api/v1/ai/summary", {"film_id": 15}, content_type="application/json", headers=headers
    ),
    "handoff": lambda client, **headers: client.post(
        "/api/v1/ai/handoff", {"question": "Any film?"}, content_type="application/json", headers=headers
    ),
}


@pytest.fixture
def staff_session(client, clerk):
    """The back office's Ask AI page: a signed-in clerk's browser."""
    client.force_login(clerk)
    return client


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_wrong_token_is_401_json(client, llm, endpoint):
    response = ENDPOINTS[endpoint](client, authorization="Bearer not-a-real-token")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response["Content-Type"] == "application/json"
    assert response.json() == WRONG
    assert llm.seen == []


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_wrong_token_beside_a_staff_session_is_401_too(staff_session, llm, endpoint):
    response = ENDPOINTS[endpoint](staff_session, authorization="Bearer not-a-real-token")

    assert response.status_code == 401
    assert response.json() == WRONG
    assert llm.seen == []


def test_a_malformed_authorization_header_is_401_as_in_the_api(client, llm):
    response = ENDPOINTS["handoff"](client, authorization="Basic c3RhZmY6cGFzc3dvcmQ=")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "detail": "Invalid Authorization header: expected 'Bearer <token>'.",
        "code": "authentication_failed",
    }


def test_a_revoked_token_is_refused_though_its_user_has_a_session(staff_session, clerk, llm):
    token, raw = token_issue(user=clerk, name="desk")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())

    response = ENDPOINTS["handoff"](staff_session, authorization=f"Bearer {raw}")

    assert response.status_code == 401
    assert response.json() == WRONG


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_without_a_header_every_endpoint_still_answers(staff_session, llm, endpoint):
    llm.default = Reply(chunks=['{"title": "t", "rating": "G", "recommended": true}'])

    assert ENDPOINTS[endpoint](staff_session).status_code == 200
