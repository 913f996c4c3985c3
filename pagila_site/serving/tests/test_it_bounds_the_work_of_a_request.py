"""Bounded work: a statement over ``DATABASE_STATEMENT_TIMEOUT`` is 503 ``query_timeout`` (JSON
under ``/api/``, an error page in the admin) and the server goes on serving; ``/health`` and the
public catalogue answer within a second while slow requests hold every other thread.

The server is the production one (``scripts/serve``: gunicorn, two workers of two threads each),
on a private database. Slow requests are made slow for real: this test holds a lock on a table
they read, so their statements wait in PostgreSQL as a long query would.
"""

import concurrent.futures
import json
import time
import urllib.error
import urllib.parse
import urllib.request

import psycopg
import pytest

from pagila_site.management.commands.ensure_dev_access import DEV_TOKEN
from pagila_site.testsupport import live
from pagila_site.testsupport.concurrency import wait_until

LIMIT = 1.5


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    # DEBUG on only because tests don't collect static files, which the admin's pages name.
    env = {
        "DATABASE_STATEMENT_TIMEOUT": str(LIMIT),
        "CATALOGUE_CACHE_ENABLED": "false",
        "DJANGO_DEBUG": "true",
    }
    with live.private_database("test_bounds", django_db_blocker) as database_url:
        live.ensure_dev_access(database_url, env)
        with live.serve(database_url, env=env, production=True) as running:
            yield running, database_url


def _get(url, headers=None, timeout=30.0):
    headers = headers or {"Authorization": f"Bearer {DEV_TOKEN}"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - local
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - local server
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    return status, body, time.monotonic() - started


def _waiting_on_locks(database_url) -> int:
    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()[0]


def test_a_statement_over_the_limit_is_503_query_timeout_and_the_next_request_is_served(server):
    running, database_url = server
    lock = live.locked(database_url, "payment")
    try:
        status, body, took = _get(f"{running.url}/api/v1/payments/")
    finally:
        lock.rollback()
        lock.close()
    assert status == 503
    assert json.loads(body)["code"] == "query_timeout"
    assert LIMIT <= took < LIMIT + 3
    assert _get(f"{running.url}/api/v1/payments/")[0] == 200
    assert '"query timeout"' in running.log()


def test_an_admin_page_over_the_limit_is_a_503_page(server):
    running, database_url = server
    cookie = {"Cookie": live.session_cookie(running.url)}
    lock = live.locked(database_url, "customer")
    try:
        status, body, _took = _get(f"{running.url}/admin/customers/customer/", headers=cookie)
    finally:
        lock.rollback()
        lock.close()
    assert status == 503
    assert b"Too slow to answer" in body
    assert b"Traceback" not in body
    assert _get(f"{running.url}/admin/customers/customer/", headers=cookie)[0] == 200


def test_health_and_the_catalogue_answer_while_every_request_thread_is_held(server):
    running, database_url = server
    lock = live.locked(database_url, "payment")
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=16)
    try:
        # Four times as many slow requests as the two workers have request threads: each is
        # cancelled after LIMIT, and with a busy machine (the rest of the suite beside it) the
        # threads must stay held long enough for the check below to see all four waiting.
        held = [pool.submit(_get, f"{running.url}/api/v1/payments/?n={n}") for n in range(16)]
        wait_until(lambda: _waiting_on_locks(database_url) >= 4, timeout=10)
        answers = [_get(f"{running.url}/health") for _ in range(5)]
        answers += [_get(f"{running.url}/api/v1/films/{n}/") for n in range(1, 6)]
        answers += [_get(f"{running.url}/api/v1/films/?category=Action")]
    finally:
        lock.rollback()
        lock.close()
        pool.shutdown(wait=True)
    assert [status for status, _body, _took in answers] == [200] * len(answers)
    assert max(took for _status, _body, took in answers) < 1.0
    assert {future.result()[0] for future in held} <= {200, 503}
