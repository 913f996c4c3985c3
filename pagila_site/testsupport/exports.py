"""CSV exports of a served app driven from outside: a signed-in admin session, a raw export request
whose client can stop reading or hang up, and the exports' backends in ``pg_stat_activity``."""

from __future__ import annotations

import http.cookiejar
import re
import socket
import urllib.parse
import urllib.request

import psycopg

from pagila_site.backoffice.csv_stream import APPLICATION_NAME

RENTALS = "/admin/rentals/rental/export-csv/"


def session_cookie(url: str, username: str = "admin", password: str = "admin") -> str:  # noqa: S107 - make run's
    """A ``Cookie`` header value signed in to the admin through its login form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{url}/admin/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    opener.open(urllib.request.Request(f"{url}/admin/login/?next=/admin/", data=form.encode()))  # noqa: S310
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "sessionid" in cookies, "the admin login failed"
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


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


def locked(database_url: str, table: str) -> psycopg.Connection:
    """A connection holding ``table`` so that every read of it waits, as a slow query would:
    roll it back to let them go."""
    conn = psycopg.connect(database_url)
    conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    return conn
