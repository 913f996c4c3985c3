"""One GET through an ASGI middleware in-process, for tests of what answers before Django."""

import asyncio


def asgi_get(app, path: str, query: bytes = b"", headers=()):
    """GET ``path`` through ``app(downstream)``: the ASGI messages sent back, and the paths that
    reached ``downstream`` (which answers 599, so a pass-through shows)."""
    messages, called = [], []

    async def downstream(scope, receive, send):
        called.append(scope["path"])
        await send({"type": "http.response.start", "status": 599, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def send(message):
        messages.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", b"testserver"), *headers],
    }
    asyncio.run(app(downstream)(scope, receive, send))
    return messages, called
