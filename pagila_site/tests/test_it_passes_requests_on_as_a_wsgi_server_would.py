"""The ASGI entry point runs sync requests on Django's WSGI handler in a thread pool."""

import asyncio
import json
import threading

from pagila_site.serving.bridge import ASYNC_PREFIXES, Router, WsgiThreadPool


def _echo_app(environ, start_response):
    body = environ["wsgi.input"].read()
    start_response(
        "201 Created", [("Content-Type", "application/json"), ("X-Thread", threading.current_thread().name)]
    )
    payload = {
        "method": environ["REQUEST_METHOD"],
        "path": environ["PATH_INFO"],
        "query": environ["QUERY_STRING"],
        "type": environ.get("CONTENT_TYPE"),
        "cookie": environ.get("HTTP_COOKIE"),
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
    "headers": [(b"content-type", b"application/json"), (b"cookie", b"x=1"), (b"cookie", b"y=2")],
    "client": ("10.1.2.3", 5555),
    "server": ("127.0.0.1", 8000),
}


def test_it_passes_the_request_to_the_wsgi_app_on_a_pool_thread():
    start, body, end = _call(WsgiThreadPool(_echo_app, threads=2), SCOPE, chunks=(b'{"a":', b" 1}"))
    assert start["status"] == 201
    headers = dict(start["headers"])
    assert headers[b"x-thread"].startswith(b"django-sync")
    assert json.loads(body["body"]) == {
        "method": "POST",
        "path": "/api/v1/caf\u00c3\u00a9/",  # PEP 3333: the UTF-8 bytes, as latin-1 text
        "query": "a=1&b=2",
        "type": "application/json",
        "cookie": "x=1,y=2",
        "remote": "10.1.2.3",
        "body": '{"a": 1}',
    }
    assert end == {"type": "http.response.body", "body": b""}


def test_it_routes_only_the_ai_relay_to_the_async_handler():
    seen = []

    def recorder(name):
        async def app(scope, receive, send):
            seen.append((name, scope["path"]))

        return app

    router = Router(recorder("async"), recorder("sync"))
    for path in ("/api/v1/ai/ask", "/api/v1/films/", "/admin/", "/health"):
        asyncio.run(router({**SCOPE, "path": path}, None, None))
    assert seen == [
        ("async", "/api/v1/ai/ask"),
        ("sync", "/api/v1/films/"),
        ("sync", "/admin/"),
        ("sync", "/health"),
    ]
    assert all(p.startswith("/api/v1/ai") for p in ASYNC_PREFIXES)
