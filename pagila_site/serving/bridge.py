"""The WSGI-in-ASGI bridge: one process serves async streams and sync Django alike, each its best way.

- ``/api/v1/ai/…`` goes to Django's ASGI handler: the relay streams from async views and holds
  no thread while a slow model thinks.
- Everything else (the DRF API, the admin, static files) is synchronous code. Under Django's
  ASGI handler every such request would get a thread of its own, created for it, and hop between
  that thread and the event loop at each of a dozen sync middleware: measured on this project,
  that costs more than the request itself. So these requests run on Django's WSGI handler, in a
  fixed pool of worker threads, one hop there and back (:class:`WsgiThreadPool`).

:class:`Router` makes that choice per request; ``pagila_site/asgi.py`` puts it together.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from tempfile import SpooledTemporaryFile

ASYNC_PREFIXES = ("/api/v1/ai/", "/api/v1/ai")


class WsgiThreadPool:
    """Serve an ASGI HTTP connection with a WSGI application run on a fixed thread pool.

    Unlike asgiref's ``WsgiToAsgi`` (which runs every request on one shared thread), requests run
    concurrently, up to ``threads`` at a time: as many as the process's database pool has
    connections, so a request never waits for a connection while holding a thread.
    """

    def __init__(self, app, threads: int):
        self.app = app
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="django-sync")

    async def __call__(self, scope, receive, send):
        body = SpooledTemporaryFile(max_size=1 << 20)  # noqa: SIM115 - closed in the finally below
        try:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                body.write(message.get("body", b""))
                if not message.get("more_body"):
                    break
            body.seek(0)
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self.executor, self._run, scope, body, loop, send)
        finally:
            body.close()

    def _run(self, scope, body, loop, send):
        def sync_send(message):
            asyncio.run_coroutine_threadsafe(send(message), loop).result()

        started = []

        def start_response(status, headers, exc_info=None):
            started[:] = [
                int(status.split(" ", 1)[0]),
                [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers],
            ]

        result = self.app(_environ(scope, body), start_response)
        try:
            sent_head = False
            for chunk in result:
                if not sent_head:
                    sync_send({"type": "http.response.start", "status": started[0], "headers": started[1]})
                    sent_head = True
                if chunk:
                    sync_send({"type": "http.response.body", "body": chunk, "more_body": True})
            if not sent_head:
                sync_send({"type": "http.response.start", "status": started[0], "headers": started[1]})
            sync_send({"type": "http.response.body", "body": b""})
        finally:
            # Fires Django's request_finished: the database connection goes back to the pool.
            if hasattr(result, "close"):
                result.close()


def _environ(scope, body) -> dict:
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    root_path = scope.get("root_path", "")
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": root_path.encode("utf-8").decode("latin-1"),
        "PATH_INFO": scope["path"][len(root_path) :].encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope["query_string"].decode("ascii"),
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1] or 80),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "REMOTE_ADDR": client[0],
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": body,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        key = name if name in ("CONTENT_LENGTH", "CONTENT_TYPE") else f"HTTP_{name}"
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


class Router:
    def __init__(self, asgi_app, sync_app):
        self.asgi_app = asgi_app
        self.sync_app = sync_app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and not scope["path"].startswith(ASYNC_PREFIXES):
            return await self.sync_app(scope, receive, send)
        return await self.asgi_app(scope, receive, send)
