"""Fixtures of the AI tests: a fake model provider, and the app served by a real ASGI server.

The provider is :class:`ai.tests.fake_openai.FakeOpenAI`, a real HTTP server that the project's
code reaches through the real SDK, by ``OPENAI_BASE_URL``. Streaming, hang-ups and concurrency
need a real ASGI server too: ``live_app`` runs uvicorn on ``pagila_site.asgi:application`` in a
subprocess, as ``make run`` does, against this run's test database.
"""

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import quote

import httpx2
import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection

from ai.tests.fake_openai import FakeOpenAI

# The live app's provider timeout: short enough for a quick 504, long enough for slow streams.
LIVE_TIMEOUT = 2.0


@pytest.fixture(scope="session")
def fake_openai_server():
    server = FakeOpenAI()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.stopping.set()
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def llm(fake_openai_server, settings):
    """The fake provider, reset, with the in-process app configured to use it."""
    fake_openai_server.reset()
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = fake_openai_server.base_url
    settings.OPENAI_MODEL = "fake-model"
    settings.OPENAI_TIMEOUT = LIVE_TIMEOUT
    settings.AI_RATE_LIMIT = "1000/min"
    # Throttle counts live in the cache: every test starts with a full budget.
    cache.clear()
    return fake_openai_server


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"], safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def live_app(django_db_setup, fake_openai_server):
    """Base URL of the app under uvicorn, using the fake provider and the test database."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": django_settings.SECRET_KEY,
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": fake_openai_server.base_url,
        "OPENAI_MODEL": "fake-model",
        "OPENAI_TIMEOUT": str(LIVE_TIMEOUT),
        "AI_RATE_LIMIT": "100000/min",
        "LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable, "-m", "uvicorn", "pagila_site.asgi:application",
        "--host", "127.0.0.1", "--port", str(port),
        "--lifespan", "off", "--no-access-log", "--log-level", "warning", "--timeout-graceful-shutdown", "1",
    ]  # fmt: skip
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=django_settings.BASE_DIR, env=env, stdout=log, stderr=log)
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base_url, process, log)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(base_url: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"uvicorn exited with {process.returncode}:\n{log.read().decode(errors='replace')}")
        try:
            if httpx2.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail("uvicorn did not answer /health within 30 seconds")
