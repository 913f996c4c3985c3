"""The app served for real, for the tests that drive it from outside: a browser, a fuzzer.

:func:`serve` runs ``pagila_site.asgi:application`` in a subprocess on a given database (uvicorn,
or the production command ``scripts/serve``). :func:`live_server` first clones the test template
into a private database (so whatever the test changes never leaks into other tests) and issues
the development set-up's ``dvd_admin`` token there. :func:`fake_provider` runs
:class:`~pagila_site.testsupport.fake_openai.FakeOpenAI`, the model provider the AI endpoints reach
through ``OPENAI_BASE_URL``. Both clean up after themselves.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.conf import settings

from pagila_site.devdb.embedded import free_port
from pagila_site.testsupport import testdb
from pagila_site.testsupport.fake_openai import FakeOpenAI, Reply

STARTUP_TIMEOUT = 30.0


@dataclass(frozen=True)
class LiveServer:
    url: str
    log_path: Path

    def log(self) -> str:
        """What the server wrote so far (its JSON log lines, tracebacks included)."""
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def private_database(prefix: str, django_db_blocker) -> Iterator[str]:
    """``DATABASE_URL`` of a fresh clone of the test template, dropped afterwards."""
    with django_db_blocker.unblock(), testdb.clone(prefix) as name:
        yield testdb.database_url(name)


@contextlib.contextmanager
def live_server(prefix: str, django_db_blocker, *, env: dict[str, str]) -> Iterator[LiveServer]:
    """The app on a private clone of the template with ``dvd_admin`` issued (see :func:`serve`)."""
    with private_database(prefix, django_db_blocker) as database_url:
        ensure_dev_access(database_url, env)
        with serve(database_url, env=env) as server:
            yield server


@contextlib.contextmanager
def desk_server(
    prefix: str,
    django_db_blocker,
    *,
    username: str,
    password: str,
    staff_id: int,
    manager: bool = False,
    env=None,
) -> Iterator[tuple[LiveServer, str]]:
    """The app on a private clone with a back-office user of Pagila staff member ``staff_id``
    (``manage.py staff_account``, in the Manager group with ``manager``): the server and its
    database's URL, for the browser tests of the counter."""
    env = {"DJANGO_DEBUG": "true", **(env or {})}
    command = [sys.executable, "manage.py", "staff_account", username, "--staff", str(staff_id)]
    command += ["--password", password, *(["--manager"] if manager else [])]
    with private_database(prefix, django_db_blocker) as database_url:
        subprocess.run(
            command,
            cwd=settings.BASE_DIR,
            env={**os.environ, "DATABASE_URL": database_url, **env},
            check=True,
            capture_output=True,
        )
        with serve(database_url, env=env) as server:
            yield server, database_url


def ensure_dev_access(database_url: str, env: dict[str, str]) -> None:
    """What ``make run`` sets up on ``database_url``: the ``admin`` superuser and ``dvd_admin``."""
    subprocess.run(
        [sys.executable, "manage.py", "ensure_dev_access"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": database_url, **env},
        check=True,
        capture_output=True,
    )


@contextlib.contextmanager
def serve(database_url: str, *, env: dict[str, str], production: bool = False) -> Iterator[LiveServer]:
    """``pagila_site.asgi:application`` in a subprocess on ``database_url``, until the block ends.

    ``env`` adds to (and wins over) os.environ. One uvicorn process by default; with
    ``production``, ``scripts/serve`` exactly as ``make run`` starts it (gunicorn, two workers).
    """
    port = free_port()
    full_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SECURE_SSL": "false",
        "LOG_LEVEL": "WARNING",
        **env,
    }
    if production:
        full_env.update(HOST="127.0.0.1", PORT=str(port), VENV=str(Path(sys.executable).parent.parent))
        command = [str(Path(settings.BASE_DIR) / "scripts" / "serve")]
    else:
        command = [
            sys.executable, "-m", "uvicorn", "pagila_site.asgi:application",
            "--host", "127.0.0.1", "--port", str(port),
            "--lifespan", "off", "--no-access-log", "--log-level", "warning",
            "--timeout-graceful-shutdown", "2",
        ]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "server.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=full_env, stdout=log, stderr=log)
        server = LiveServer(url=f"http://127.0.0.1:{port}", log_path=log_path)
        try:
            _wait_until_up(server, process)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(server: LiveServer, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{server.url}/health", timeout=2):  # noqa: S310 - local server
                return
        except OSError as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"uvicorn did not answer /health in {STARTUP_TIMEOUT:.0f}s:\n{server.log()}"
                ) from exc
            time.sleep(0.1)


@contextlib.contextmanager
def hold_worker(
    database_url: str, *, every: float = 1.0, env: dict[str, str] | None = None
) -> Iterator[Path]:
    """The hold worker (``manage.py expire_holds --every``), as ``make run`` starts it beside the
    server, on ``database_url`` until the block ends; yields its log's path."""
    full_env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SECURE_SSL": "false", **(env or {})}
    command = [sys.executable, "manage.py", "expire_holds", "--every", str(every)]
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "worker.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=full_env, stdout=log, stderr=log)
        try:
            yield log_path
        finally:
            process.terminate()  # SIGTERM: the worker finishes its round and stops
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def fake_provider(default: Reply | None = None) -> Iterator[FakeOpenAI]:
    """The fake model provider, serving in a thread; its ``base_url`` is an ``OPENAI_BASE_URL``."""
    provider = FakeOpenAI()
    if default is not None:
        provider.default = default
    threading.Thread(target=provider.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield provider
    finally:
        provider.stopping.set()
        provider.shutdown()
        provider.server_close()


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


def locked(database_url: str, table: str) -> psycopg.Connection:
    """A connection holding ``table`` so that every read of it waits, as a slow query would:
    roll it back to let them go."""
    conn = psycopg.connect(database_url)
    conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    return conn
