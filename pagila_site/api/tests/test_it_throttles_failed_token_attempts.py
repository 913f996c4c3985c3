"""Wrong bearer tokens are counted per client address; past ``AUTH_FAILURE_RATE`` the address waits.

Decision: while an address is locked out, every token it presents is refused with 429, the right
one included; otherwise the lock-out would tell a guesser which guess was right. Requests without
a token are not affected. The clock is fixed in these tests (windows are clock-aligned), so the
``Retry-After`` value is exact.
"""

import json
import logging

import pytest

from pagila_site.api.throttling import AuthFailures, client_address
from pagila_site.models import AuthFailureWindow
from pagila_site.serving.logging import JsonFormatter
from pagila_site.testsupport.commands import manage_check

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/1/"
# 15 seconds into a clock minute: a 1/min window has 45 seconds left.
START = 60 * 29_000_000 + 15.0
INVALID_TOKEN = {"detail": "Invalid or revoked token.", "code": "authentication_failed"}


class Clock:
    now = START


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(AuthFailures, "timer", staticmethod(lambda: clock.now))
    return clock


@pytest.fixture
def rate(settings):
    settings.AUTH_FAILURE_RATE = "3/min"


def _get(api_client, token, **extra):
    return api_client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}", **extra)


def _fail(api_client, times, **extra):
    for attempt in range(times):
        response = _get(api_client, f"wrong-token-{attempt}", **extra)
        assert response.status_code == 401, response.content
        assert response.json() == INVALID_TOKEN


def test_it_refuses_every_token_after_the_default_ten_failures_a_minute(api_client, staff_token, clock):
    _fail(api_client, 10)
    for token in ["wrong-token-10", staff_token]:
        response = _get(api_client, token)
        assert response.status_code == 429
        assert response["Retry-After"] == "45"
        assert response["Content-Type"] == "application/json"
        assert "WWW-Authenticate" not in response
        assert response.json() == {
            "detail": "Too many failed token attempts. Expected available in 45 seconds.",
            "code": "throttled",
        }


def test_it_counts_down_retry_after_to_the_end_of_the_window(api_client, staff_token, rate, clock):
    _fail(api_client, 3)
    clock.now = START + 44
    response = _get(api_client, staff_token)
    assert response.status_code == 429
    assert response["Retry-After"] == "1"
    assert response.json()["detail"] == "Too many failed token attempts. Expected available in 1 second."


def test_it_lets_the_right_token_in_again_when_the_window_ends(api_client, staff_token, rate, clock):
    _fail(api_client, 3)
    assert _get(api_client, staff_token).status_code == 429
    clock.now = START + 45
    assert _get(api_client, staff_token).status_code == 200
    # A new window, a new count.
    _fail(api_client, 3)
    assert _get(api_client, staff_token).status_code == 429


def test_it_does_not_count_successful_attempts(api_client, staff_token, rate, clock):
    for _ in range(10):
        assert _get(api_client, staff_token).status_code == 200
    _fail(api_client, 2)
    assert _get(api_client, staff_token).status_code == 200


def test_a_success_does_not_clear_the_count(api_client, staff_token, rate, clock):
    _fail(api_client, 2)
    assert _get(api_client, staff_token).status_code == 200
    _fail(api_client, 1)
    assert _get(api_client, staff_token).status_code == 429


def test_it_counts_each_address_on_its_own(api_client, staff_token, rate, clock):
    _fail(api_client, 3, REMOTE_ADDR="10.0.0.1")
    assert _get(api_client, staff_token, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert _get(api_client, staff_token, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_an_invented_forwarded_for_header_does_not_buy_more_attempts(api_client, staff_token, rate, clock):
    for attempt in range(3):
        response = _get(api_client, f"wrong-{attempt}", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}")
        assert response.status_code == 401
    assert _get(api_client, staff_token, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def test_it_counts_an_ipv6_client_by_its_64_bit_prefix(rf):
    def address(remote):
        return client_address(rf.get("/", REMOTE_ADDR=remote))

    assert address("2001:db8:1:2::1") == address("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert address("2001:db8:1:3::1") == "2001:db8:1:3::/64"
    assert address("::ffff:192.0.2.7") == address("192.0.2.7") == "192.0.2.7"


def test_it_still_answers_requests_without_a_token(api_client, rate, clock):
    _fail(api_client, 3)
    assert api_client.get("/api/v1/films/1/").status_code == 200
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_it_locks_out_on_public_endpoints_too(api_client, rate, clock):
    # A token sent to a public endpoint is still checked, so it can't be a free guessing oracle.
    for attempt in range(3):
        assert api_client.get("/api/v1/films/", HTTP_AUTHORIZATION=f"Bearer w{attempt}").status_code == 401
    assert api_client.get("/api/v1/films/", HTTP_AUTHORIZATION="Bearer w3").status_code == 429


def test_it_logs_the_lock_out_once_without_the_tokens(api_client, staff_token, rate, clock, caplog):
    with caplog.at_level(logging.INFO):
        _fail(api_client, 3)
        _get(api_client, staff_token)
        _get(api_client, "wrong-token-again")
    lines = [JsonFormatter().format(record) for record in caplog.records]
    locked = [json.loads(line) for line in lines if "locked out" in line]
    assert locked == [
        {
            "time": locked[0]["time"],
            "level": "WARNING",
            "logger": "pagila.auth",
            "message": "API token attempts locked out",
            "client": "127.0.0.1",
            "failures": 3,
            "retry_after": 45,
        }
    ]
    assert not any("wrong-token" in line or staff_token in line for line in lines)


def test_a_malformed_rate_stops_start_up():
    result = manage_check(AUTH_FAILURE_RATE="ten a minute")
    assert result.returncode == 1
    assert "Configuration error: Environment variable AUTH_FAILURE_RATE is malformed" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_deletes_past_windows_as_new_ones_start(api_client, rate, clock):
    _fail(api_client, 2)
    clock.now = START + 60
    _fail(api_client, 1, REMOTE_ADDR="10.0.0.1")
    clock.now = START + 120
    _fail(api_client, 1, REMOTE_ADDR="10.0.0.2")
    # The window before the current one stays, for a host whose clock lags a little.
    assert sorted(AuthFailureWindow.objects.values_list("address", "failures")) == [
        ("10.0.0.1", 1),
        ("10.0.0.2", 1),
    ]
