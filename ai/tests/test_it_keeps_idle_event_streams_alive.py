"""A started event stream gets a comment line every AI_KEEPALIVE_SECONDS while the model is busy."""

import httpx2
import pytest
from django.db import connection

from pagila_site.testsupport import live, testdb
from pagila_site.testsupport.fake_openai import Reply
from pagila_site.testsupport.streaming import sse_events


@pytest.fixture(scope="module")
def keep_alive_app(django_db_setup, live_app_env):
    env = {**live_app_env, "AI_KEEPALIVE_SECONDS": "0.2"}
    with live.serve(testdb.database_url(connection.settings_dict["NAME"]), env=env) as server:
        yield server.url


def test_it_sends_comments_while_the_model_is_slow(keep_alive_app, llm):
    # Each chunk comes 0.7 s after the last: well over three keep-alive intervals, within the timeout.
    llm.script(Reply(chunks=["slow", " answer"], delay=0.7))

    response = httpx2.get(
        f"{keep_alive_app}/api/v1/ai/ask",
        params={"question": "hi"},
        headers={"Accept": "text/event-stream"},
        timeout=10,
    )

    blocks = response.text.split("\n\n")
    first_token = blocks.index('event: token\ndata: {"text": "slow"}')
    second_token = blocks.index('event: token\ndata: {"text": " answer"}')
    # Only once the stream has started (the first chunk is awaited before the status line).
    assert set(blocks[:first_token]) == set()
    assert blocks[first_token + 1 : second_token].count(": keep-alive") >= 2
    assert set(blocks[first_token + 1 : second_token]) == {": keep-alive"}
    assert sse_events(response.text) == [
        ("token", {"text": "slow"}),
        ("token", {"text": " answer"}),
        ("done", {}),
    ]
