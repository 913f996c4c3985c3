"""``Authorization: Bearer <token>``: exactly the issued token of an active staff user, nothing near it.

Decisions: the scheme is case-insensitive (``bearer``, as RFC 7235 says of auth schemes), the token
is not; anything that is not exactly one Bearer token is ``authentication_failed``.
"""

import json
import logging

import pytest

from pagila_site.models import ApiToken
from pagila_site.services import token_issue, token_revoke
from pagila_site.serving.logging import JsonFormatter

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/1/"
NOT_AUTHENTICATED = {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"}
INVALID_TOKEN = {"detail": "Invalid or revoked token.", "code": "authentication_failed"}
BAD_HEADER = {
    "detail": "Invalid Authorization header: expected 'Bearer <token>'.",
    "code": "authentication_failed",
}


def _get(api_client, authorization=None):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    return api_client.get(URL, **headers)


def test_it_lets_the_issued_token_in(api_client, staff_token):
    response = _get(api_client, f"Bearer {staff_token}")
    assert response.status_code == 200
    assert response.json()["customer_id"] == 1


@pytest.mark.parametrize("scheme", ["bearer", "BEARER"])
def test_it_reads_the_scheme_case_insensitively(api_client, staff_token, scheme):
    assert _get(api_client, f"{scheme} {staff_token}").status_code == 200


def test_it_asks_for_a_token_when_none_is_sent(api_client, staff_token):
    response = _get(api_client)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == NOT_AUTHENTICATED


@pytest.mark.parametrize(
    "token",
    ["dvd_admi", "dvd_admin2", "DVD_ADMIN", "dvd_admin\u00e9", "x" * 5000],
    ids=["prefix", "longer", "other-case", "latin-1", "huge"],
)
def test_it_refuses_a_near_miss_of_the_token(api_client, staff_token, token):
    response = _get(api_client, f"Bearer {token}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == INVALID_TOKEN


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Bearer ",
        "Basic ZHZkX2FkbWluOg==",
        "dvd_admin",
        "Token dvd_admin",
        "Bearer dvd_admin dvd_admin",
    ],
)
def test_it_refuses_a_header_that_is_not_one_bearer_token(api_client, staff_token, authorization):
    response = _get(api_client, authorization)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == BAD_HEADER


def test_it_refuses_a_revoked_token(api_client, staff_token):
    token_revoke(token=ApiToken.objects.get())
    response = _get(api_client, f"Bearer {staff_token}")
    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN


def test_it_refuses_the_token_of_a_user_who_is_no_longer_staff(api_client, staff_user, staff_token):
    staff_user.is_staff = False
    staff_user.save()
    assert _get(api_client, f"Bearer {staff_token}").json() == INVALID_TOKEN


def test_it_refuses_the_token_of_a_deactivated_user(api_client, staff_user, staff_token):
    staff_user.is_active = False
    staff_user.save()
    assert _get(api_client, f"Bearer {staff_token}").json() == INVALID_TOKEN


def test_it_records_when_a_token_was_last_used(api_client, staff_token):
    assert ApiToken.objects.get().last_used_at is None
    _get(api_client, f"Bearer {staff_token}")
    assert ApiToken.objects.get().last_used_at is not None


def test_it_never_shows_the_token_in_a_response_or_a_log_line(api_client, staff_user, caplog):
    _token, raw = token_issue(user=staff_user, name="secret one")
    responses = []
    with caplog.at_level(logging.DEBUG):
        for authorization in [f"Bearer {raw}", f"Bearer {raw}x", f"Bearer {raw[:-1]}", f"Basic {raw}"]:
            responses.append(_get(api_client, authorization))
            responses.append(api_client.post("/api/v1/rentals/1/return/", HTTP_AUTHORIZATION=authorization))

    assert [r.status_code for r in responses] == [200, 409, 401, 401, 401, 401, 401, 401]
    for response in responses:
        assert raw[:-1] not in response.content.decode()
        assert raw[:-1] not in json.dumps(dict(response.headers))
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert any("rejected API token" in line for line in lines)
    assert not any(raw[:-1] in line for line in lines)
