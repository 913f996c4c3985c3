"""The ASGI application ``scripts/serve`` runs: what a request meets before Django's middleware.

In order:

1. :class:`~pagila_site.serving.catalogue_cache.fast_path.CatalogueFastPath` answers cached
   public catalogue pages (``catalogue_cache/`` says what it may answer and why that is safe);
2. :class:`ViewDispatch` resolves the URL: a request for an async view (the AI relay) goes to
   Django's ASGI handler, which streams and holds no thread while a model thinks; everything
   else is synchronous Django and goes to :class:`ThreadPoolHandler`: ``/health`` and reads of the public
   catalogue to a pool of their own (:func:`in_priority_lane`), so they answer within a second
   while every other thread waits on slow requests.

Both are Django's ASGI handler, so a request is parsed one way (Django's ``ASGIRequest``: header
names with ``_`` are dropped, repeated ``Cookie`` headers joined with ``"; "``) and only the
place where sync code runs differs.
"""

import asyncio
import functools
import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.urls import Resolver404, get_resolver, set_script_prefix

from pagila_site.serving.streams import send_watching


def serves_async_view(path: str) -> bool:
    """Whether ``path`` resolves, with or without its trailing slash as OptionalSlashMiddleware
    serves it, to a coroutine view. A path that resolves to nothing is Django's sync 404."""
    return _serves_async_view(settings.ROOT_URLCONF, path)


# Remembered per URLconf and path, all the answer depends on: resolving here was 2 % of a
# customer's rentals page, on top of Django's own resolving of the same path.
@functools.lru_cache(maxsize=4096)
def _serves_async_view(urlconf: str, path: str) -> bool:
    resolver = get_resolver(urlconf)
    alternative = path[:-1] if path.endswith("/") and path != "/" else f"{path}/"
    for candidate in (path, alternative):
        try:
            match = resolver.resolve(candidate)
        except Resolver404:
            continue
        view = match.func
        return iscoroutinefunction(view) or getattr(getattr(view, "view_class", None), "view_is_async", False)
    return False


class ThreadPoolHandler(ASGIHandler):
    """Django's ASGI handler with its middleware chain built for sync code and run, whole, on a
    fixed pool of threads: one hop from the event loop and back per request.

    Django's own handler would run a sync view in a thread created for that request and hop
    between it and the event loop around every middleware; a WSGI adapter (a2wsgi, measured
    here) hops three times per response to send its pieces, a fifth of the Python CPU of a
    customer's rentals page (README, "Performance"). Here the pool thread parses the request,
    runs the middleware and the view, and, for an ordinary response, closes it (Django's
    ``request_finished``: that thread's database connection goes back to the pool); the loop
    then sends the finished bytes. A streaming response is sent from the pool thread as it is
    produced, and closed there, unless it streams from an async iterator (a CSV export): the loop
    sends that one, holding no thread, and stops it when the client hangs up (``streams.py``).
    Django's disconnect handling (``listen_for_disconnect``) watches each request meanwhile.
    """

    def __init__(self, *, threads: int):
        # Not ASGIHandler.__init__: it would build the async middleware chain, unused here.
        self.load_middleware(is_async=False)
        # As many threads as requests may be served at once (at most the database pool's size,
        # so a request never waits for a connection while holding a thread).
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="django-sync")

    async def __call__(self, scope, receive, send):
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        loop = asyncio.get_running_loop()
        hung_up = threading.Event()
        responding = loop.run_in_executor(self.executor, self._respond, scope, body_file, loop, send, hung_up)
        # Django's disconnect handling, as its own handler runs it around a request: after the
        # body, the next message is http.disconnect, and a client that hangs up before its
        # response is sent cancels the request. A view already running on a thread runs to its
        # end (Django's sync views do too: a thread cannot be stopped); one still waiting for a
        # thread never starts, its response is dropped, and a stream sent from the thread stops
        # at its next piece.
        listening = asyncio.ensure_future(self.listen_for_disconnect(receive))
        try:
            await asyncio.wait([responding, listening], return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not responding.done():  # the client hung up, or this server is stopping
                hung_up.set()
                responding.add_done_callback(functools.partial(self._abandoned, body_file=body_file))
        if not responding.done():
            if not isinstance(listening.exception(), RequestAborted):
                raise listening.exception()  # a message no server sends after the body
            return
        listening.cancel()
        if listening.done() and not listening.cancelled():
            listening.exception()  # a hang-up once the view was done: the sending finds out
        try:
            response = responding.result()
            if response is not None and response.streaming:  # from an async iterator: the loop sends it
                try:
                    await send_watching(self.send_response, response, receive, send)
                finally:
                    await loop.run_in_executor(self.executor, response.close)
            elif response is not None:
                await self.send_response(response, send)
        finally:
            body_file.close()

    def _abandoned(self, responding, *, body_file) -> None:
        """Once the view of a request whose client hung up has returned: close what it left."""
        body_file.close()
        if responding.cancelled() or responding.exception() is not None:
            return
        response = responding.result()
        if response is not None and response.streaming:  # from an async iterator: never sent
            self.executor.submit(response.close)

    def _respond(self, scope, body_file, loop, send, hung_up):
        """On a pool thread: the response for the loop to send (closed unless it streams from an
        async iterator), or None once a streaming response has been sent from here, or when the
        client hung up before a thread was free."""
        if hung_up.is_set():
            return None
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
        if response.streaming and response.is_async:
            return response
        if not response.streaming:
            response.close()
            return response

        def send_from_here(message):
            asyncio.run_coroutine_threadsafe(send(message), loop).result()

        try:
            self._send_streaming(response, send_from_here, hung_up)
        finally:
            response.close()
        return None

    def _send_streaming(self, response, send, hung_up) -> None:
        headers = [(name.encode("ascii"), value.encode("latin1")) for name, value in response.items()]
        headers += [
            (b"Set-Cookie", cookie.OutputString().encode("ascii")) for cookie in response.cookies.values()
        ]
        send({"type": "http.response.start", "status": response.status_code, "headers": headers})
        for part in response:
            if hung_up.is_set():  # unfinished, as a hang-up leaves it
                return
            for chunk, _last in self.chunk_bytes(part):
                send({"type": "http.response.body", "body": chunk, "more_body": True})
        send({"type": "http.response.body", "body": b""})


# The catalogue's public reads: bounded work (a thousand films), whatever the chain's history.
PRIORITY_PREFIXES = ("/api/v1/films", "/api/v1/categories")


def in_priority_lane(method: str, path: str) -> bool:
    """Whether a request goes to the pool of its own: ``/health`` (what a load balancer asks
    before sending anyone here) and GET or HEAD of the public catalogue. Their work is small and
    bounded, so no client can fill that pool with slow requests, as they can the main one
    (a deep search, an export, a statement waiting on a lock)."""
    if path in ("/health", "/health/"):
        return True
    return method in ("GET", "HEAD") and path.startswith(PRIORITY_PREFIXES)


class ViewDispatch:
    def __init__(self, async_app, sync_app, priority_app=None):
        self.async_app = async_app
        self.sync_app = sync_app
        self.priority_app = priority_app or sync_app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            path = scope["path"][len(scope.get("root_path", "")) :] or "/"
            if in_priority_lane(scope["method"], path):
                return await self.priority_app(scope, receive, send)
            if not serves_async_view(path):
                return await self.sync_app(scope, receive, send)
        # The AI views; and the lifespan protocol, which Django declines (uvicorn carries on).
        return await self.async_app(scope, receive, send)
