"""/health over a real server and a real PostgreSQL that goes away and comes back."""

import json
import time
import urllib.error
import urllib.request

import pytest

from pagila_site.devdb import embedded
from pagila_site.testsupport import live


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - local test server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


@pytest.fixture
def app_server(private_postgres):
    with live.serve(embedded.url(private_postgres), env={}) as server:
        yield server.url


def test_it_reports_the_database_down_and_recovers_by_itself(app_server, private_postgres):
    assert _get(f"{app_server}/health") == (200, {"status": "ok", "database": "ok"})

    embedded.stop(private_postgres)
    started = time.monotonic()
    assert _get(f"{app_server}/health") == (503, {"status": "error", "database": "unavailable"})
    assert time.monotonic() - started < 5, "a down database must fail fast, not hang the worker"

    embedded.start(private_postgres)
    assert _wait_for(lambda: _get(f"{app_server}/health")[0] == 200, timeout=10)
