"""``ThreadPoolHandler`` keeps Django's disconnect handling: a client that hangs up before its response
is sent cancels its request (a view still waiting for a thread never runs, a response is not
sent). The views below are this module's URLconf."""

import asyncio
import threading

import pytest
from django.http import HttpResponse
from django.urls import path as url_path

from pagila_site.serving.app import ThreadPoolHandler

release = threading.Event()
ran = []


def _slow(request, n):
    ran.append(request.path)
    release.wait(timeout=5)
    return HttpResponse("slow")


urlpatterns = [url_path("slow/<int:n>/", _slow)]


@pytest.fixture(autouse=True)
def slow_urls(settings):
    settings.ROOT_URLCONF = __name__
    release.clear()
    ran.clear()


def _request(app, path, hang_up: asyncio.Event, messages: list):
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost")],
    }
    sent_body = []

    async def receive():
        if not sent_body:
            sent_body.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await hang_up.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        messages.append(message)

    return app(scope, receive, send)


async def _started(serving, messages) -> None:
    for _ in range(500):
        if ran:
            return
        if serving.done():
            raise AssertionError(f"answered without running the view: {messages}")
        await asyncio.sleep(0.01)
    raise AssertionError("the view did not start")


def test_a_request_whose_client_hung_up_while_it_waited_for_a_thread_never_runs():
    async def main():
        app = ThreadPoolHandler(threads=1)
        first_gone, second_gone = asyncio.Event(), asyncio.Event()
        first, second = [], []
        serving_first = asyncio.ensure_future(_request(app, "/slow/1/", first_gone, first))
        await _started(serving_first, first)  # the one thread is busy with the first request
        serving_second = asyncio.ensure_future(_request(app, "/slow/2/", second_gone, second))
        await asyncio.sleep(0.05)
        second_gone.set()
        await asyncio.wait_for(serving_second, timeout=5)
        release.set()
        await asyncio.wait_for(serving_first, timeout=5)
        await asyncio.sleep(0.1)  # the thread would start the second view now, if it did
        return first, second

    first, second = asyncio.run(main())
    assert ran == ["/slow/1/"]
    assert second == []
    assert first[0]["status"] == 200


def test_a_response_is_not_sent_to_a_client_that_hung_up():
    async def main():
        app = ThreadPoolHandler(threads=1)
        gone, messages = asyncio.Event(), []
        serving = asyncio.ensure_future(_request(app, "/slow/1/", gone, messages))
        await _started(serving, messages)
        gone.set()
        await asyncio.wait_for(serving, timeout=5)  # returns without waiting for the view
        release.set()
        await asyncio.sleep(0.1)
        return messages

    assert asyncio.run(main()) == []
    assert ran == ["/slow/1/"]
