"""A CSV export streams from the event loop: it holds no serving thread while it streams (other
pages are served while more exports stream than there are threads), and a client hanging up
stops its query in PostgreSQL, mid-stream or before the first row.

uvicorn (one process, two serving threads) on a private clone of the template whose film titles
are made about 2 kB long, so the rentals export is about 40 MB: more than every buffer between
PostgreSQL and a client that stops reading holds, so its COPY keeps running, waiting to write.
"""

import time
import urllib.request

import psycopg
import pytest

from pagila_site.testsupport import live
from pagila_site.testsupport.concurrency import wait_until
from pagila_site.testsupport.exports import open_export, running_exports
from pagila_site.testsupport.streaming import read_until

# A hang-up must stop the query within this many seconds.
PROMPTLY = 2.0


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    # DEBUG on only because tests don't collect static files, which the admin's login page names.
    env = {"DJANGO_DEBUG": "true", "SERVING_THREADS": "2"}
    with live.private_database("test_export_hang_up", django_db_blocker) as database_url:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("UPDATE film SET title = repeat(title || ' ', 150)")
        live.ensure_dev_access(database_url, env)
        with live.serve(database_url, env=env) as running:
            yield running.url, database_url, live.session_cookie(running.url)


def _stalled_export(url, cookie):
    """An export whose client read the header and reads no more."""
    sock = open_export(url, cookie)
    read_until(sock, b"rental_id,rental_date")
    return sock


def test_a_hang_up_mid_export_stops_its_query(server):
    url, database_url, cookie = server
    sock = _stalled_export(url, cookie)
    # Every buffer on the way is full: PostgreSQL waits to send more rows.
    wait_until(lambda: running_exports(database_url) == [("active", "ClientWrite")], timeout=30)

    sock.close()

    wait_until(lambda: running_exports(database_url) == [], timeout=PROMPTLY)


def test_a_hang_up_before_the_first_row_stops_its_query(server):
    url, database_url, cookie = server
    lock = live.locked(database_url, "rental")
    try:
        sock = _stalled_export(url, cookie)
        # The header is sent at once; the query waits for the lock, as a long one would run.
        wait_until(lambda: running_exports(database_url) == [("active", "relation")], timeout=10)

        sock.close()

        wait_until(lambda: running_exports(database_url) == [], timeout=PROMPTLY)
    finally:
        lock.rollback()
        lock.close()


def test_pages_are_served_while_more_exports_stream_than_there_are_serving_threads(server):
    url, database_url, cookie = server
    socks = [_stalled_export(url, cookie) for _ in range(4)]
    try:
        wait_until(lambda: len(running_exports(database_url)) == 4, timeout=30)
        took = []
        # The admin's login page is served by the two threads the exports would have held;
        # /health by a pool of its own.
        for page in ["/admin/login/", "/health"] * 3:
            started = time.monotonic()
            with urllib.request.urlopen(f"{url}{page}", timeout=30) as response:  # noqa: S310 - local server
                assert response.status == 200
            took.append(time.monotonic() - started)
    finally:
        for sock in socks:
            sock.close()
    assert max(took) < 1.0
    wait_until(lambda: running_exports(database_url) == [], timeout=PROMPTLY)
