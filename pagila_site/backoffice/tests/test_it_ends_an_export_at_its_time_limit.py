"""A CSV export runs under a time limit of its own, ``DATABASE_EXPORT_STATEMENT_TIMEOUT``. One that
runs out has started its response already, so its body is left unfinished: the client's download
fails instead of looking complete, the log says why, and the server goes on serving. A client that
stops reading holds its export no longer than that (and a few seconds).

uvicorn on a private clone of the template whose film titles are made about 2 kB long (the rentals
export is then larger than every buffer on its way); the export's query is made slow for real by a
lock on the table it reads.
"""

import time

import httpx2
import psycopg
import pytest

from pagila_site.testsupport import live
from pagila_site.testsupport.concurrency import wait_until
from pagila_site.testsupport.data import sql_one
from pagila_site.testsupport.exports import RENTALS, open_export, running_exports
from pagila_site.testsupport.streaming import read_until

LIMIT = 1.5


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    # DEBUG on only because tests don't collect static files, which the admin's login page names.
    env = {"DJANGO_DEBUG": "true", "DATABASE_EXPORT_STATEMENT_TIMEOUT": str(LIMIT)}
    with live.private_database("test_export_limit", django_db_blocker) as database_url:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("UPDATE film SET title = repeat(title || ' ', 150)")
        live.ensure_dev_access(database_url, env)
        with live.serve(database_url, env=env) as running:
            yield running, database_url, live.session_cookie(running.url)


def test_an_export_over_its_time_limit_is_cut_short_and_logged(server):
    running, database_url, cookie = server
    lock = live.locked(database_url, "rental")
    started = time.monotonic()
    try:
        with httpx2.stream(
            "GET", f"{running.url}{RENTALS}", headers={"Cookie": cookie}, timeout=30
        ) as response:
            assert response.status_code == 200
            with pytest.raises(httpx2.RemoteProtocolError, match="incomplete chunked read"):
                for _data in response.iter_raw():
                    pass
    finally:
        lock.rollback()
        lock.close()
    assert LIMIT <= time.monotonic() - started < LIMIT + 3
    assert running_exports(database_url) == []
    log = running.log()
    assert '"message": "csv export stopped: query canceled"' in log
    assert '"reason": "canceling statement due to statement timeout"' in log
    assert "Traceback" not in log


def test_a_client_that_stops_reading_holds_its_export_no_longer_than_its_time_limit(server):
    running, database_url, cookie = server
    started = time.monotonic()
    sock = open_export(running.url, cookie)
    try:
        read_until(sock, b"rental_id,rental_date")
        wait_until(lambda: running_exports(database_url) == [("active", "ClientWrite")], timeout=LIMIT + 3)
        # PostgreSQL can't act on its limit while it waits to write: the response's own ends it.
        wait_until(lambda: running_exports(database_url) == [], timeout=LIMIT + 10)
        assert time.monotonic() - started > LIMIT
    finally:
        sock.close()
    assert '"message": "streamed response stopped: over its time limit"' in running.log()


@pytest.mark.django_db
def test_an_export_within_its_time_limit_is_whole(server):
    running, _database_url, cookie = server
    url = f"{running.url}/admin/rentals/paymentledgerentry/export-csv/"
    response = httpx2.get(url, headers={"Cookie": cookie}, timeout=30)
    assert response.status_code == 200
    # The private clone holds the template's payments, as the test's own database does.
    assert response.content.count(b"\r\n") == 1 + sql_one("SELECT count(*) FROM payment")[0]
