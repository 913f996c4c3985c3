"""Behind ``DJANGO_TRUSTED_PROXIES`` the client is the right-most ``X-Forwarded-For`` address that
is not a trusted proxy; without the setting, and from any other peer, it is the peer itself.

Lock-outs, the AI budget and the request log all count that client: ten wrong tokens forwarded
for one client lock out that client, not the proxy every client comes through.
"""

import json
import logging

import pytest

from pagila_site import settings as project_settings
from pagila_site.api.throttling import AuthFailures
from pagila_site.serving.clients import client_ip, forwarded_client
from pagila_site.serving.logging import JsonFormatter

PROXIES = ("10.0.0.0/8", "2001:db8:ffff::/48")
PROXY = "10.0.0.5"
CLIENT_A = "198.51.100.1"
CLIENT_B = "198.51.100.2"
URL = "/api/v1/customers/1/"


@pytest.fixture
def behind_proxies(settings):
    settings.TRUSTED_PROXIES = list(PROXIES)


def _client(peer, forwarded_for):
    return forwarded_client(peer, forwarded_for, PROXIES)


def test_it_takes_the_right_most_address_that_is_not_a_trusted_proxy():
    # The client wrote the left part itself; the proxies appended the rest.
    assert _client(PROXY, f"203.0.113.66, {CLIENT_A}, 10.1.2.3") == CLIENT_A
    assert _client(PROXY, f"{CLIENT_A}") == CLIENT_A


def test_it_reads_repeated_headers_as_one_list():
    # Django's META joins repeated headers with commas, in order.
    assert _client(PROXY, f"203.0.113.66,{CLIENT_A} , 10.9.9.9") == CLIENT_A


def test_it_ignores_forwarded_for_from_a_peer_that_is_not_a_trusted_proxy():
    assert _client(CLIENT_B, CLIENT_A) == CLIENT_B
    assert _client(CLIENT_B, f"{CLIENT_A}, {PROXY}") == CLIENT_B


def test_it_ignores_forwarded_for_without_the_setting():
    assert forwarded_client(PROXY, CLIENT_A, ()) == PROXY


def test_a_peer_with_no_forwarded_for_is_the_client_even_when_trusted():
    assert _client(PROXY, None) == PROXY
    assert _client(PROXY, "") == PROXY


def test_a_chain_of_trusted_proxies_only_names_its_left_most_address():
    assert _client(PROXY, "10.1.1.1, 10.2.2.2") == "10.1.1.1"


def test_a_forwarded_entry_that_is_no_address_stops_at_the_proxy_that_sent_it():
    assert _client(PROXY, f"{CLIENT_A}, unknown") == PROXY
    assert _client(PROXY, f"{CLIENT_A}, unknown, 10.2.2.2") == "10.2.2.2"


def test_it_reads_addresses_with_ports_and_ipv6_and_ipv4_mapped_ones():
    assert _client(PROXY, f"{CLIENT_A}:51234") == CLIENT_A
    assert _client(PROXY, "[2001:db8:1::7]:443") == "2001:db8:1::7"
    assert _client("2001:db8:ffff::1", "2001:db8:1::7, 2001:db8:ffff:0:1::") == "2001:db8:1::7"
    assert _client("::ffff:10.0.0.5", f"::ffff:{CLIENT_A}") == CLIENT_A


def test_client_ip_reads_the_request(rf, behind_proxies):
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_A)
    assert client_ip(request) == CLIENT_A


# --- the failed-token lock-out ---------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    # Windows are clock-aligned: a fixed clock keeps the ten failures in one.
    monkeypatch.setattr(AuthFailures, "timer", staticmethod(lambda: 60 * 29_000_000 + 15.0))


def _get(api_client, token, client):
    return api_client.get(
        URL, HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client
    )


@pytest.mark.django_db
def test_ten_wrong_tokens_lock_out_the_forwarded_client_not_the_proxy(
    api_client, staff_token, behind_proxies, clock
):
    for attempt in range(10):
        assert _get(api_client, f"wrong-{attempt}", CLIENT_A).status_code == 401
    locked = _get(api_client, staff_token, CLIENT_A)
    assert locked.status_code == 429
    assert locked.json()["code"] == "throttled"
    assert _get(api_client, staff_token, CLIENT_B).status_code == 200


@pytest.mark.django_db
def test_a_client_inventing_forwarded_for_is_still_locked_out(api_client, staff_token, behind_proxies, clock):
    # Straight to the server, not through a trusted proxy: its X-Forwarded-For counts for nothing.
    for attempt in range(10):
        response = api_client.get(
            URL,
            HTTP_AUTHORIZATION=f"Bearer wrong-{attempt}",
            REMOTE_ADDR=CLIENT_B,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        )
        assert response.status_code == 401
    response = api_client.get(
        URL,
        HTTP_AUTHORIZATION=f"Bearer {staff_token}",
        REMOTE_ADDR=CLIENT_B,
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_the_ai_budget_is_the_forwarded_clients(client, settings, behind_proxies):
    settings.AI_RATE_LIMIT = "2/min"

    def handoff(forwarded_for):
        return client.post(
            "/api/v1/ai/handoff",
            {"question": "film alien"},
            content_type="application/json",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        ).status_code

    assert [handoff(CLIENT_A) for _ in range(3)] == [200, 200, 429]
    assert handoff(CLIENT_B) == 200


# --- the request log -------------------------------------------------------------------------------


def _logged_client(client, caplog, **extra):
    with caplog.at_level(logging.INFO, logger="pagila.request"):
        client.get("/health", **extra)
    (record,) = [r for r in caplog.records if r.name == "pagila.request"]
    return json.loads(JsonFormatter().format(record))["client"]


@pytest.mark.django_db
def test_the_request_log_names_the_forwarded_client(client, caplog, behind_proxies):
    assert _logged_client(client, caplog, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_A) == CLIENT_A


@pytest.mark.django_db
def test_the_request_log_names_the_peer_without_the_setting(client, caplog):
    assert _logged_client(client, caplog, REMOTE_ADDR=CLIENT_B, HTTP_X_FORWARDED_FOR=CLIENT_A) == CLIENT_B


@pytest.mark.django_db
def test_the_request_log_shows_a_whole_ipv6_address(client, caplog):
    # Throttles count an IPv6 client by its /64; the log says who it was.
    assert _logged_client(client, caplog, REMOTE_ADDR="2001:db8:1:2::7") == "2001:db8:1:2::7"


def test_the_setting_reads_addresses_and_networks(monkeypatch):
    monkeypatch.setenv("DJANGO_TRUSTED_PROXIES", "10.0.0.5, 172.16.0.0/12,2001:db8::/32,")
    assert project_settings._networks("DJANGO_TRUSTED_PROXIES") == [
        "10.0.0.5/32",
        "172.16.0.0/12",
        "2001:db8::/32",
    ]
