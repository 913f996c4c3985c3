"""Fixtures of the back office's tests: its app served for the browser tests."""

import pytest

from pagila_site.testsupport import live
from pagila_site.testsupport.fake_openai import Reply


@pytest.fixture(scope="module")
def fake_ai():
    """The model provider of a module's back-office server. Six words, 300 ms apart: slow enough
    to watch an answer grow in the page."""
    answer = Reply(chunks=["Try ", "SUNRISE ", "LEAGUE:\n", "a gentle ", "family ", "drama."], delay=0.3)
    with live.fake_provider(answer) as provider:
        yield provider


@pytest.fixture(scope="module")
def backoffice_server(django_db_setup, django_db_blocker, fake_ai):
    """The app for the browser tests, one per module: a uvicorn subprocess on a private clone of
    the template (what a browser changes leaks into no other test), its AI on ``fake_ai``."""
    env = {
        # DEBUG lets WhiteNoise serve the admin's assets straight from the apps (no collectstatic).
        "DJANGO_DEBUG": "true",
        "OPENAI_API_KEY": "browser-test",
        "OPENAI_BASE_URL": fake_ai.base_url,
    }
    with live.live_server("test_browser", django_db_blocker, env=env) as running:
        yield running.url
