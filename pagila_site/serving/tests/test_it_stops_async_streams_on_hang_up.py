"""A sync view's response that streams from an async iterator is sent by the event loop: a client
hanging up stops it and closes the iterator, and so does its time limit; an iterator failing
mid-stream leaves the body unfinished (no final message), so the client can tell. Served
in-process through ``ThreadPoolHandler``; the views below are this module's URLconf."""

import asyncio
import logging

import pytest
from django.urls import path as url_path

from pagila_site.serving.app import ThreadPoolHandler
from pagila_site.serving.streams import ClosingStreamingResponse, StreamCutShort

closed = []
served_closed = []


async def _endless():
    try:
        count = 0
        while True:
            await asyncio.sleep(0.001)
            yield f"{count};".encode()
            count += 1
    finally:
        closed.append("endless")


async def _failing(error):
    yield b"first;"
    raise error


urlpatterns = [
    url_path("endless/", lambda request: ClosingStreamingResponse(_endless())),
    url_path("cut-short/", lambda request: ClosingStreamingResponse(_failing(StreamCutShort("time limit")))),
    url_path("broken/", lambda request: ClosingStreamingResponse(_failing(RuntimeError("a bug")))),
    url_path("limited/", lambda request: ClosingStreamingResponse(_endless(), time_limit=0.2)),
]


@pytest.fixture(autouse=True)
def stream_urls(settings):
    settings.ROOT_URLCONF = __name__
    closed.clear()
    served_closed.clear()


def _serve(path: str, *, stop_reading_after: int | None = None, hang_up: bool = True) -> list[dict]:
    """The messages ``ThreadPoolHandler`` sends for a GET of ``path``. The client stops reading once it
    has ``stop_reading_after`` body messages (never if None), and then hangs up if ``hang_up``.
    ``served_closed`` is what was closed when it returned (asyncio.run() would close any
    generator left open afterwards)."""
    messages = []

    async def main():
        hung_up = asyncio.Event()
        requests = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive():
            if requests:
                return requests.pop()
            await hung_up.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            messages.append(message)
            if stop_reading_after is not None and len(messages) > stop_reading_after:
                if hang_up:
                    hung_up.set()
                # As a full socket buffer holds the sending (uvicorn waits to drain), so the hang-up
                # finds the iterator waiting at its yield, not running.
                await asyncio.sleep(60)

        scope = {
            "type": "http",
            "method": "GET",
            "path": path,
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"localhost")],
        }
        await asyncio.wait_for(ThreadPoolHandler(threads=1)(scope, receive, send), timeout=10)
        served_closed.extend(closed)

    asyncio.run(main())
    return messages


def test_a_hang_up_stops_the_stream_and_closes_its_iterator():
    messages = _serve("/endless/", stop_reading_after=3)
    assert served_closed == ["endless"]
    start, *bodies = messages
    assert start["status"] == 200
    assert 3 <= len(bodies) < 10
    assert all(body["more_body"] for body in bodies)


def test_a_stream_cut_short_leaves_its_body_unfinished(caplog):
    with caplog.at_level(logging.ERROR, logger="pagila.errors"):
        messages = _serve("/cut-short/")
    start, *bodies = messages
    assert start["status"] == 200
    assert bodies == [{"type": "http.response.body", "body": b"first;", "more_body": True}]
    # The stream logged why itself.
    assert not caplog.records


def test_a_broken_stream_leaves_its_body_unfinished_and_is_logged_with_its_traceback(caplog):
    with caplog.at_level(logging.ERROR, logger="pagila.errors"):
        messages = _serve("/broken/")
    assert [body.get("more_body") for body in messages[1:]] == [True]
    [record] = caplog.records
    assert record.getMessage() == "streamed response failed"
    assert str(record.exc_info[1]) == "a bug"


def test_a_stream_over_its_time_limit_is_stopped_closed_and_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="pagila.streams"):
        messages = _serve("/limited/", stop_reading_after=3, hang_up=False)
    assert served_closed == ["endless"]
    assert all(body["more_body"] for body in messages[1:])
    [record] = caplog.records
    assert record.getMessage() == "streamed response stopped: over its time limit"
