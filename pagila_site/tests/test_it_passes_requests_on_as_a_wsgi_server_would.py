"""The ASGI application hands requests to Django as a WSGI server would, each to the right handler."""

import asyncio
import json
import socket
import threading

import pytest
from django.core.wsgi import get_wsgi_application

from pagila_site.serving.app import HeaderHygiene, ViewDispatch, serves_async_view
from pagila_site.testsupport import live


def _echo_app(environ, start_response):
    body = environ["wsgi.input"].read()
    start_response(
        "201 Created", [("Content-Type", "application/json"), ("X-Thread", threading.current_thread().name)]
    )
    payload = {
        "method": environ["REQUEST_METHOD"],
        "path": environ["PATH_INFO"],
        "query": environ["QUERY_STRING"],
        "cookie": environ.get("HTTP_COOKIE"),
        "forwarded_proto": environ.get("HTTP_X_FORWARDED_PROTO"),
        "request_id": environ.get("HTTP_X_REQUEST_ID"),
        "remote": environ["REMOTE_ADDR"],
        "body": body.decode(),
    }
    return [json.dumps(payload).encode()]


def _call(app, scope, chunks=(b"",)):
    messages = []
    incoming = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]

    async def receive():
        return incoming.pop(0)

    async def send(message):
        messages.append(message)

    asyncio.run(app(scope, receive, send))
    return messages


SCOPE = {
    "type": "http",
    "http_version": "1.1",
    "method": "POST",
    "scheme": "http",
    "path": "/api/v1/café/",
    "root_path": "",
    "query_string": b"a=1&b=2",
    "headers": [
        (b"content-type", b"application/json"),
        (b"cookie", b"x=1"),
        (b"cookie", b"y=2"),
        (b"x_forwarded_proto", b"https"),
        (b"x_request_id", b"injected"),
    ],
    "client": ("10.1.2.3", 5555),
    "server": ("127.0.0.1", 8000),
}


def _echoed(chunks=(b"",)):
    dispatch = ViewDispatch(None, _echo_app, threads=2)
    messages = _call(HeaderHygiene(dispatch), SCOPE, chunks=chunks)
    start = messages[0]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    return start, json.loads(body)


def test_it_runs_a_sync_view_on_a_pool_thread_with_the_whole_body():
    start, echoed = _echoed(chunks=(b'{"a":', b" 1}"))
    assert start["status"] == 201
    assert dict(start["headers"])[b"x-thread"].startswith(b"WSGI")
    assert echoed["method"] == "POST"
    assert echoed["path"] == "/api/v1/caf\u00c3\u00a9/"  # PEP 3333: the UTF-8 bytes, as latin-1 text
    assert echoed["query"] == "a=1&b=2"
    assert echoed["remote"] == "10.1.2.3"
    assert echoed["body"] == '{"a": 1}'


def test_it_joins_repeated_cookie_headers_into_one_cookie_string():
    assert _echoed()[1]["cookie"] == "x=1; y=2"


def test_it_drops_header_names_with_underscores():
    _start, echoed = _echoed()
    assert echoed["forwarded_proto"] is None
    assert echoed["request_id"] is None


def test_it_leaves_clean_headers_as_they_are():
    app_scopes = []

    async def app(scope, receive, send):
        app_scopes.append(scope)

    scope = {**SCOPE, "headers": [(b"cookie", b"x=1"), (b"accept", b"*/*")]}
    asyncio.run(HeaderHygiene(app)(scope, None, None))
    assert app_scopes == [scope]


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

    async def async_app(scope, receive, send):
        seen.append(("async", scope.get("path", scope["type"])))

    def wsgi_app(environ, start_response):
        seen.append(("sync", environ["PATH_INFO"]))
        start_response("204 No Content", [])
        return [b""]

    dispatch = ViewDispatch(async_app, wsgi_app, threads=1)
    for path in ("/api/v1/ai/ask", "/api/v1/films/"):
        _call(dispatch, {**SCOPE, "method": "GET", "path": path})
    asyncio.run(dispatch({"type": "lifespan"}, None, None))
    assert seen == [("async", "/api/v1/ai/ask"), ("sync", "/api/v1/films/"), ("async", "lifespan")]


def test_the_real_django_handler_answers_through_it(db):
    dispatch = HeaderHygiene(ViewDispatch(None, get_wsgi_application(), threads=1))
    messages = _call(
        dispatch, {**SCOPE, "method": "GET", "path": "/health", "headers": [(b"host", b"localhost")]}
    )
    assert messages[0]["status"] == 200


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
