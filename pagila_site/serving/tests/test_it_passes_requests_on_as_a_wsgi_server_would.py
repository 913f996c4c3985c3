"""The ASGI application hands requests to Django as a WSGI server would, each to the right handler.

The echo views below are this module's URLconf for the tests that use ``echo_urls``.
"""

import asyncio
import json
import socket
import threading

import pytest
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import path as url_path
from django.views.decorators.csrf import csrf_exempt

from pagila_site.serving.app import ThreadPoolHandler, ViewDispatch, serves_async_view
from pagila_site.testsupport import live


def _echo(request):
    return JsonResponse(
        {
            "method": request.method,
            "path": request.path,
            "query": request.META["QUERY_STRING"],
            "cookie": request.META.get("HTTP_COOKIE"),
            "cookies": request.COOKIES,
            "forwarded_proto": request.META.get("HTTP_X_FORWARDED_PROTO"),
            "request_id": request.META.get("HTTP_X_REQUEST_ID"),
            "remote": request.META["REMOTE_ADDR"],
            "body": request.body.decode(),
            "thread": threading.current_thread().name,
        }
    )


def _stream(request):
    return StreamingHttpResponse(
        (f"{i}:{threading.current_thread().name};".encode() for i in range(3)), content_type="text/plain"
    )


urlpatterns = [url_path("echo/", csrf_exempt(_echo)), url_path("stream/", _stream)]


def _call(app, scope, chunks=(b"",)):
    messages = []
    incoming = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]

    async def receive():
        if incoming:
            return incoming.pop(0)
        # As a server: after the body, nothing until the client hangs up.
        await asyncio.Event().wait()

    async def send(message):
        messages.append(message)

    asyncio.run(app(scope, receive, send))
    return messages


SCOPE = {
    "type": "http",
    "http_version": "1.1",
    "method": "POST",
    "scheme": "http",
    "path": "/echo/",
    "root_path": "",
    "query_string": b"a=1&b=2",
    "headers": [
        (b"host", b"testserver"),
        (b"content-type", b"application/json"),
        (b"cookie", b"x=1"),
        (b"cookie", b"y=2"),
        (b"x_forwarded_proto", b"https"),
        (b"x_request_id", b"injected"),
    ],
    "client": ("10.1.2.3", 5555),
    "server": ("127.0.0.1", 8000),
}


@pytest.fixture
def echo_urls(settings):
    settings.ROOT_URLCONF = __name__


def _echoed(chunks=(b"",)):
    messages = _call(ThreadPoolHandler(threads=2), SCOPE, chunks=chunks)
    start = messages[0]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    return start, json.loads(body)


def test_it_runs_a_sync_view_on_a_pool_thread_with_the_whole_body(echo_urls, db):
    start, echoed = _echoed(chunks=(b'{"a":', b" 1}"))
    assert start["status"] == 200
    assert echoed["thread"].startswith("django-sync")
    assert echoed["method"] == "POST"
    assert echoed["path"] == "/echo/"
    assert echoed["query"] == "a=1&b=2"
    assert echoed["remote"] == "10.1.2.3"
    assert echoed["body"] == '{"a": 1}'


def test_it_joins_repeated_cookie_headers_into_one_cookie_string(echo_urls, db):
    _start, echoed = _echoed()
    assert echoed["cookie"] == "x=1; y=2"
    assert echoed["cookies"] == {"x": "1", "y": "2"}


def test_it_drops_header_names_with_underscores(echo_urls, db):
    _start, echoed = _echoed()
    assert echoed["forwarded_proto"] is None
    assert echoed["request_id"] is None


def test_it_sends_a_streaming_response_from_the_pool_thread_as_it_is_produced(echo_urls, db):
    messages = _call(ThreadPoolHandler(threads=1), {**SCOPE, "method": "GET", "path": "/stream/"})
    start, *bodies, end = messages
    assert start["status"] == 200
    assert [m["body"] for m in bodies] == [f"{i}:django-sync_0;".encode() for i in range(3)]
    assert end == {"type": "http.response.body", "body": b""}


@pytest.mark.parametrize(
    ("path", "is_async"),
    [
        ("/api/v1/ai/ask", True),
        ("/api/v1/ai/ask/", True),
        ("/api/v1/ai/summary", True),
        ("/api/v1/ai/handoff/", True),
        ("/api/v1/films/", False),
        ("/api/v1/films", False),
        ("/api/v1/ai/unknown", False),  # Django's 404
        ("/admin/", False),
        ("/health", False),
    ],
)
def test_it_sends_only_async_views_to_the_async_handler(path, is_async):
    assert serves_async_view(path) is is_async


def test_it_dispatches_by_the_resolved_view():
    seen = []

    def recorder(name):
        async def app(scope, receive, send):
            seen.append((name, scope.get("path", scope["type"])))

        return app

    dispatch = ViewDispatch(recorder("async"), recorder("sync"))
    for path in ("/api/v1/ai/ask", "/api/v1/films/", "/health"):
        asyncio.run(dispatch({**SCOPE, "method": "GET", "path": path}, None, None))
    asyncio.run(dispatch({"type": "lifespan"}, None, None))
    assert seen == [
        ("async", "/api/v1/ai/ask"),
        ("sync", "/api/v1/films/"),
        ("sync", "/health"),
        ("async", "lifespan"),
    ]


@pytest.fixture(scope="module")
def served(django_db_blocker):
    with live.live_server("serving", django_db_blocker, env={}) as server:
        yield server


def _raw_get(url: str, header_lines: list[str]) -> str:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        request = "\r\n".join(
            ["GET /health HTTP/1.1", "Host: localhost", *header_lines, "Connection: close", "", ""]
        )
        conn.sendall(request.encode())
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode("latin-1")


def test_a_served_request_id_header_spelt_with_underscores_is_not_echoed(served):
    answer = _raw_get(served.url, ["X_Request_ID: injected-id"])
    assert answer.startswith("HTTP/1.1 200")
    assert "injected-id" not in answer
    assert _raw_get(served.url, ["X-Request-ID: given-id"]).count("given-id") == 1
