"""A per-process cache of the public catalogue's GET responses, invalidated by PostgreSQL.

The film list, film detail and category list are read far more than they change, and most of
their cost is Python (DRF rendering), not SQL. Their responses are kept in memory, in each
server process, and served before the rest of the middleware stack runs.

Invalidation is the database's job: statement triggers on the catalogue's tables (migration
``films.0003``) ``NOTIFY pagila_catalogue`` with the table's name, whoever writes (this API, the
admin, a psql session). Every process LISTENs on a connection of its own in a daemon thread and
drops what the change makes stale: a rental or inventory change only touches film details (their
copies in stock); anything else drops everything. While the listener is not connected, nothing
is served from or stored in the cache, so a missed notification can't leave a stale page behind.

A response is stored only if no invalidation arrived while it was being computed, so a page
built from a snapshot older than a committed change is never kept.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified

from pagila_site.serving.middleware import BothModes, log_request, request_id

logger = logging.getLogger("pagila.cache")

CHANNEL = "pagila_catalogue"
# Tables whose changes only move copies in and out of stock: film details show them, lists don't.
_STOCK_TABLES = {"rental", "inventory"}
_CACHEABLE = re.compile(r"^/api/v1/(?:(films)/?|(films)/([0-9]{1,10})/?|(categories)/?)$")
_SKIPPED_HEADERS = {"x-request-id", "set-cookie"}


@dataclass(frozen=True)
class Entry:
    status: int
    content: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str | None


class CatalogueCache:
    def __init__(self, max_entries: int = 4096):
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._lists: OrderedDict[str, Entry] = OrderedDict()
        self._details: OrderedDict[str, Entry] = OrderedDict()
        self.generation = 0
        self.invalidated_at = 0.0
        self.listening = threading.Event()
        self._listener: threading.Thread | None = None
        self._listener_pid: int | None = None
        self._stop = threading.Event()

    # -- entries --------------------------------------------------------------------------------

    def get(self, key: str, detail: bool) -> Entry | None:
        store = self._details if detail else self._lists
        with self._lock:
            entry = store.get(key)
            if entry is not None:
                store.move_to_end(key)
            return entry

    def put(self, key: str, detail: bool, entry: Entry, generation: int) -> None:
        store = self._details if detail else self._lists
        with self._lock:
            if generation != self.generation or not self.listening.is_set():
                return  # something changed while this page was computed: don't keep it
            if "replica" in settings.DATABASES and (
                time.monotonic() - self.invalidated_at < settings.DATABASE_REPLICA_MAX_LAG
            ):
                return  # a lagging replica may not show the change yet: serve, don't keep
            store[key] = entry
            store.move_to_end(key)
            while len(store) > self.max_entries:
                store.popitem(last=False)

    def invalidate(self, table: str | None = None) -> None:
        with self._lock:
            self.generation += 1
            self.invalidated_at = time.monotonic()
            self._details.clear()
            if table not in _STOCK_TABLES:
                self._lists.clear()

    # -- the listener ---------------------------------------------------------------------------

    def ensure_listening(self) -> bool:
        """Start this process's listener thread if needed; True once it is connected."""
        import os

        if self._listener_pid != os.getpid():  # first use, or a forked child
            with self._lock:
                if self._listener_pid != os.getpid():
                    self._listener_pid = os.getpid()
                    self.listening.clear()
                    self._stop.clear()
                    self._listener = threading.Thread(
                        target=self._listen, name="catalogue-cache", daemon=True
                    )
                    self._listener.start()
        return self.listening.is_set()

    def _listen(self) -> None:
        import psycopg

        from pagila_site.db import conninfo

        backoff = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(conninfo(), autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    # Anything cached before this point may have missed a notification.
                    self.invalidate()
                    self.listening.set()
                    backoff = 0.5
                    quiet = 0.0
                    while not self._stop.is_set():
                        for notify in conn.notifies(timeout=1.0):
                            self.invalidate(notify.payload)
                            quiet = 0.0
                        quiet += 1.0
                        if quiet >= 15:
                            # A quiet spell: prove the connection is alive, or fail and reconnect.
                            conn.execute("SELECT 1")
                            quiet = 0.0
            except Exception as exc:  # any failure means: stop trusting the cache until reconnected
                logger.warning("catalogue cache listener disconnected", extra={"error": str(exc).strip()})
            self.listening.clear()
            self.invalidate()
            if self._stop.wait(backoff):
                break
            backoff = min(backoff * 2, 10.0)

    def stop(self) -> None:
        """Stop listening and forget everything (the test suite, before dropping its database)."""
        self._stop.set()
        if self._listener is not None:
            self._listener.join(timeout=5)
        self._listener_pid = None
        self.listening.clear()
        self.invalidate()


cache = CatalogueCache()


@dataclass(frozen=True)
class RequestFacts:
    """What the cache needs to know of a request, from Django's request or an ASGI scope."""

    method: str
    path_info: str
    query_string: str
    has_credentials: bool
    # Scheme, forwarded scheme and Host: list pages embed absolute next/previous links.
    origin: str


def cache_key(request: RequestFacts) -> tuple[str, bool] | None:
    """The entry a request may be answered from, as (key, is_film_detail); None if uncacheable.

    Requests with credentials are never cached: a bad token must still get its 401. A Host that
    Django refuses never produces a 200, so it is never stored and never hits.
    """
    if request.method not in ("GET", "HEAD") or request.has_credentials:
        return None
    match = _CACHEABLE.match(request.path_info)
    if match is None:
        return None
    path = request.path_info.rstrip("/") + "/"
    query = "&".join(sorted(request.query_string.split("&")))
    # GET and HEAD share entries: a HEAD hit is the GET's headers without the body.
    return f"{request.origin}{path}?{query}", match.group(3) is not None


def _lookup(request: RequestFacts):
    """(key, entry or None, generation) for a cacheable request while the cache is trusted."""
    if not settings.CATALOGUE_CACHE_ENABLED:
        return None
    key = cache_key(request)
    if key is None or not cache.ensure_listening():
        return None
    return key, cache.get(*key), cache.generation


class CatalogueFastPath:
    """The ASGI application in front of Django: answers cached catalogue pages by itself.

    Under ASGI, Django runs every request's sync parts (its request_started/finished signal
    receivers included) in a thread created for that request; for a page already in memory that
    costs many times the page itself. A hit is answered here, with the same request id and log
    line RequestLogMiddleware would give; everything else, and every miss, goes to Django, where
    CatalogueCacheMiddleware stores fresh pages.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        headers = dict(scope["headers"])
        method = scope["method"]
        found = _lookup(
            RequestFacts(
                method=method,
                path_info=scope["path"][len(scope.get("root_path", "")) :] or "/",
                query_string=scope["query_string"].decode("latin-1"),
                has_credentials=b"authorization" in headers,
                origin="|".join(
                    (
                        scope.get("scheme", "http"),
                        headers.get(b"x-forwarded-proto", b"").decode("latin-1"),
                        headers.get(b"host", b"").decode("latin-1"),
                    )
                ),
            )
        )
        if found is None or found[1] is None:
            return await self.app(scope, receive, send)
        entry = found[1]
        rid = request_id(headers.get(b"x-request-id", b"").decode("latin-1"))
        if entry.etag and headers.get(b"if-none-match", b"").decode("latin-1") == entry.etag:
            status, response_headers, body = 304, [("ETag", entry.etag)], b""
        else:
            status, response_headers = entry.status, list(entry.headers)
            body = b"" if method == "HEAD" else entry.content
        response_headers.append(("X-Request-ID", rid))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response_headers],
            }
        )
        await send({"type": "http.response.body", "body": body})
        log_request(method, scope["path"], status, started, rid)


class CatalogueCacheMiddleware(BothModes):
    """Store fresh catalogue 200s; serve hits before the rest of the stack (under WSGI and in
    tests; under ASGI, CatalogueFastPath answers hits before Django is even entered)."""

    def before(self, request):
        meta = request.META
        found = _lookup(
            RequestFacts(
                method=request.method,
                path_info=request.path_info,
                query_string=meta.get("QUERY_STRING", ""),
                has_credentials="HTTP_AUTHORIZATION" in meta,
                origin="|".join(
                    (
                        meta.get("wsgi.url_scheme", "http"),
                        meta.get("HTTP_X_FORWARDED_PROTO", ""),
                        meta.get("HTTP_HOST") or meta.get("SERVER_NAME", ""),
                    )
                ),
            )
        )
        request._catalogue_lookup = found
        if found is None or found[1] is None:
            return None
        entry = found[1]
        if entry.etag and request.headers.get("If-None-Match") == entry.etag:
            response = HttpResponseNotModified()
            response["ETag"] = entry.etag
            return response
        response = HttpResponse(b"" if request.method == "HEAD" else entry.content, status=entry.status)
        for name, value in entry.headers:
            response[name] = value
        return response

    def after(self, request, response):
        found = request._catalogue_lookup
        if found is None or response.status_code != 200 or response.streaming or request.method != "GET":
            return response
        (key, detail), _entry, generation = found
        headers = tuple((k, v) for k, v in response.items() if k.lower() not in _SKIPPED_HEADERS)
        cache.put(
            key,
            detail,
            Entry(response.status_code, response.content, headers, response.get("ETag")),
            generation,
        )
        return response
