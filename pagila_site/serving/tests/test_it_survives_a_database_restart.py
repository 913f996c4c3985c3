"""The production server under load while its PostgreSQL stops and starts again.

A PostgreSQL cluster of its own (so stopping it disturbs no other test) gets Pagila and the
migrations; the app is served by ``scripts/serve``, exactly as ``make run`` serves it. Eight
clients keep asking for database-backed pages while the database goes away for two seconds:
every answer must be a 200 or a fast JSON 503, never a 500 or a hung request, and the app must
come back by itself.
"""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from pagila_site.devdb import embedded
from pagila_site.testsupport import live

pytestmark = pytest.mark.full_data

PATHS = ["/api/v1/customers/1/", "/api/v1/films/?category=Action", "/health"]


def _get(url):
    request = urllib.request.Request(url, headers={"Authorization": "Bearer dvd_admin"})  # noqa: S310
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - local test server
            status, content_type, body = response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        status, content_type, body = exc.code, exc.headers["Content-Type"], exc.read()
    except OSError as exc:
        return {"status": None, "error": str(exc), "elapsed": time.monotonic() - started}
    return {"status": status, "type": content_type, "body": body, "elapsed": time.monotonic() - started}


@pytest.fixture
def served_app(private_postgres):
    database_url = embedded.url(private_postgres)
    env = {
        "DJANGO_DEBUG": "false",
        "CATALOGUE_CACHE_ENABLED": "false",  # every request must reach the database
        "WEB_CONCURRENCY": "2",
    }
    for command in (["load_pagila"], ["migrate", "--no-input", "-v", "0"], ["ensure_dev_access"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DATABASE_URL": database_url},
            check=True,
            capture_output=True,
        )
    with live.serve(database_url, env=env, production=True) as server:
        yield server.url, private_postgres


def test_it_fails_fast_with_json_503_and_recovers(served_app):
    url, layout = served_app
    results, stop = [], threading.Event()

    def client(index):
        path = PATHS[index % len(PATHS)]
        while not stop.is_set():
            results.append({"at": time.monotonic(), "path": path, **_get(url + path)})

    clients = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for thread in clients:
        thread.start()
    time.sleep(1.0)
    embedded.stop(layout)
    down_at = time.monotonic()
    time.sleep(2.0)
    embedded.start(layout)
    up_at = time.monotonic()
    time.sleep(4.0)
    stop.set()
    for thread in clients:
        thread.join(timeout=20)

    unexpected = [r for r in results if r["status"] not in (200, 503)]
    assert not unexpected, f"unexpected answers: {unexpected[:5]}"
    outage = [r for r in results if r["status"] == 503]
    assert outage, "the outage was not noticed"
    for answer in outage:
        assert answer["type"] == "application/json"
        body = json.loads(answer["body"])
        assert body in (
            {"detail": "The database is temporarily unavailable.", "code": "database_unavailable"},
            {"status": "error", "database": "unavailable"},
        )
    # Fail fast: nobody waits much longer than the pool's timeout for a dead database.
    slowest = max(r["elapsed"] for r in results if r["at"] >= down_at - 1)
    assert slowest < settings.DATABASES["default"]["OPTIONS"]["pool"]["timeout"] + 3
    # Recovery by itself: the last second of load is all 200s, for every kind of page.
    tail = [r for r in results if r["at"] >= up_at + 3]
    assert tail
    assert {r["status"] for r in tail} == {200}
    assert {r["path"] for r in tail} == set(PATHS)
