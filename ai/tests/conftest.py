"""Fixtures of the AI tests: a fake model provider, and the app served by a real ASGI server.

The provider is :class:`pagila_site.testsupport.fake_openai.FakeOpenAI`, a real HTTP server that
the project's code reaches through the real SDK, by ``OPENAI_BASE_URL``. Streaming, hang-ups and
concurrency need a real ASGI server too: ``live_app`` runs uvicorn on
``pagila_site.asgi:application`` in a subprocess, as ``make run`` does, against this run's test
database.
"""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection

from ai import client as ai_client
from pagila_site.testsupport import live, testdb

# The live app's provider timeout: short enough for a quick 504, long enough for slow streams.
LIVE_TIMEOUT = 2.0


@pytest.fixture(scope="session")
def fake_openai_server():
    with live.fake_provider() as server:
        yield server


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
    # And no test inherits what another taught the client about the provider's formats.
    ai_client.accepted_formats.clear()
    return fake_openai_server


@pytest.fixture(scope="session")
def live_app_env(fake_openai_server) -> dict[str, str]:
    """The environment of a live app using the fake provider (add to it for other settings)."""
    return {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": django_settings.SECRET_KEY,
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": fake_openai_server.base_url,
        "OPENAI_MODEL": "fake-model",
        "OPENAI_TIMEOUT": str(LIVE_TIMEOUT),
        "AI_RATE_LIMIT": "100000/min",
    }


@pytest.fixture(scope="session")
def live_app(django_db_setup, live_app_env):
    """Base URL of the app under uvicorn, using the fake provider and the test database."""
    with live.serve(testdb.database_url(connection.settings_dict["NAME"]), env=live_app_env) as server:
        yield server.url
