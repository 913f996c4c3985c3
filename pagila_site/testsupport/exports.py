"""CSV exports of a served app driven from outside: a raw export request whose client can stop
reading or hang up, and the exports' backends in ``pg_stat_activity`` (the signed-in session
and the locked table they use are ``live.session_cookie`` and ``live.locked``)."""

from __future__ import annotations

import socket
import urllib.parse

import psycopg

from pagila_site.backoffice.csv_stream import APPLICATION_NAME

RENTALS = "/admin/rentals/rental/export-csv/"


def open_export(url: str, cookie: str, path: str = RENTALS) -> socket.socket:
    """A connection with an export's request sent and nothing read yet. Its receive buffer is
    small, so a client that stops reading soon holds the server back."""
    parts = urllib.parse.urlsplit(url)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(30)
    sock.connect((parts.hostname, parts.port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nCookie: {cookie}\r\n\r\n".encode())
    return sock


def running_exports(database_url: str) -> list[tuple[str, str | None]]:
    """``(state, wait_event)`` of every export's backend on ``database_url``."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute(
            "SELECT state, wait_event FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = %s",
            [APPLICATION_NAME],
        ).fetchall()
