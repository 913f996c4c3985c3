"""With REDIS_URL, processes share their throttle counters: the limit holds for the whole fleet.

Two server processes, one Redis: requests spread over both are counted together. Skipped, with
the reason, where no Redis answers (set REDIS_TEST_URL to use another one).
"""

import json
import os
import urllib.error
import urllib.request

import pytest
from django.db import connection

from pagila_site.testsupport import live, testdb

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"no Redis at {REDIS_TEST_URL}: {exc}")
    return client


def _ask(base):
    request = urllib.request.Request(  # noqa: S310 - local test server
        f"{base}/api/v1/ai/handoff",
        data=json.dumps({"question": "What is the rental rate for the film Alien?"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local test server
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, json.loads(exc.read())


@pytest.fixture
def two_servers(django_db_setup):
    client = _redis()
    client.flushdb()
    env = {
        "REDIS_URL": REDIS_TEST_URL,
        "AI_RATE_LIMIT": "3/min",
        # SearchAgent answers this question from the database; the model is never called.
        "OPENAI_API_KEY": "unused",
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
    }
    database_url = testdb.database_url(connection.settings_dict["NAME"])
    try:
        with live.serve(database_url, env=env) as first, live.serve(database_url, env=env) as second:
            yield first.url, second.url
    finally:
        client.flushdb()


@pytest.mark.django_db
def test_two_processes_count_one_clients_requests_together(two_servers):
    first, second = two_servers
    answers = [_ask(base) for base in (first, second, first)]
    assert [status for status, _h, _b in answers] == [200, 200, 200]
    assert answers[0][2]["agent"] == "SearchAgent"

    status, headers, body = _ask(second)
    assert status == 429
    assert body["code"] == "throttled"
    assert int(headers["Retry-After"]) > 0
