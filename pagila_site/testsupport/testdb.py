"""A template database holding Pagila and our migrations, cloned for every test run.

Loading Pagila and migrating takes seconds; ``CREATE DATABASE ... TEMPLATE`` takes a fraction of
one. The template is named after a fingerprint of everything that shapes it (the Pagila
checksums and every installed app's migration files), so a changed migration builds a fresh one
and stale templates are dropped. A PostgreSQL advisory lock lets concurrent test runs share the work.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.apps import apps
from django.conf import settings
from psycopg import sql

from pagila_site.db import conninfo
from pagila_site.devdb import pagila

PREFIX = "pagila_tpl_"
_LOCK_KEY = 0x7A61_6769  # any constant shared by all test runs


def fingerprint() -> str:
    digest = hashlib.sha256()
    for checksum in pagila.FILES.values():
        digest.update(checksum.encode())
    # Every installed app's migrations, the libraries' (django-otp's devices...) as well as ours.
    for app in sorted(apps.get_app_configs(), key=lambda app: app.label):
        for path in sorted(Path(app.path).glob("migrations/*.py")):
            digest.update(f"{app.label}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _drop(conn: psycopg.Connection, name: str) -> None:
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def ensure_template() -> str:
    """Name of an up-to-date template database, building it first if needed."""
    name = PREFIX + fingerprint()
    with psycopg.connect(conninfo(dbname="postgres"), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", [_LOCK_KEY])
        try:
            if not _exists(conn, name):
                _build(conn, name)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])
    return name


def _build(conn: psycopg.Connection, name: str) -> None:
    stale = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [PREFIX + "%"]).fetchall()
    for (old,) in stale:
        _drop(conn, old)
    building = f"{name}_building"
    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(building)))
    log = lambda message: print(f"[test template] {message}", file=sys.stderr)  # noqa: E731
    files = pagila.locate(settings.PAGILA_DIR, log=log)
    pagila.load(conninfo(dbname=building), files, log=lambda _m: None)
    # A separate process migrates, so this process's Django connections never touch it.
    env = {**os.environ, "DATABASE_URL": database_url(building)}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
    )
    conn.execute(
        sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(building), sql.Identifier(name))
    )
    log(f"built {name}")


def database_url(dbname: str) -> str:
    """A DATABASE_URL for database ``dbname`` on the test server (for subprocesses)."""
    s = settings.DATABASES["default"]
    auth = quote(s["USER"], safe="") + (f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{dbname}"


@contextlib.contextmanager
def clone(prefix: str) -> Iterator[str]:
    """A fresh database cloned from the template, named ``<prefix>_<random>``; dropped afterwards.

    For whatever must change data without touching the test run's own database: a browser
    session, a fuzzer, a benchmark.
    """
    template = ensure_template()
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(conninfo(dbname="postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
        )
    try:
        yield name
    finally:
        with psycopg.connect(conninfo(dbname="postgres"), autocommit=True) as conn:
            _drop(conn, name)
