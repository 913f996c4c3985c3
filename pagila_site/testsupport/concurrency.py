"""Helpers for tests that race real transactions against each other.

They run in ``django_db(transaction=True)`` tests: every thread gets its own database
connection, and what they commit stays committed, so each test deletes the Pagila rows it
created (Django's flush only empties our own managed tables).
"""

import threading
import time
from collections.abc import Callable

import psycopg
from django.db import connection, connections
from rest_framework.test import APIClient

from pagila_site.db import conninfo


def token_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    # A 500 must show up as a status to assert on, not as an exception in a thread.
    client.raise_request_exception = False
    return client


def run_together(calls: list[Callable[[], object]], timeout: float = 60) -> list[object]:
    """Run each call in its own thread, all released at once; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = calls[index]()
        except Exception as exc:  # reported as the result: the test asserts on it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a racing request never finished"
    return results


def in_thread(call: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    """Start ``call`` in a thread with its own connection; the list receives its result."""
    result: list[object] = []

    def run() -> None:
        try:
            result.append(call())
        except Exception as exc:  # reported as the result: the test asserts on it
            result.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def wait_for_lock_waiters(count: int = 1, timeout: float = 10) -> None:
    """Return once ``count`` sessions of this database are blocked waiting for a lock."""
    deadline = time.monotonic() + timeout
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= count:
                return
        assert time.monotonic() < deadline, "no session ever waited for the lock"
        time.sleep(0.02)


def other_connection() -> psycopg.Connection:
    """A plain psycopg connection to the test database: 'another writer', outside Django."""
    return psycopg.connect(conninfo())


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``predicate`` until it holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
