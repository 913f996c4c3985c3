"""A per-process cache of the public catalogue's GET responses, invalidated by PostgreSQL.

The film list, film detail and category list are read far more than they change, and most of
their cost is Python (DRF rendering), not SQL. Their responses are kept in memory, in each
server process, and served before the rest of the middleware stack runs.

What a cached answer may be served to (the contract's "Serving" section): a request identical
in everything the answer depends on. The key is the scheme, forwarded scheme, Host, path, the
query string exactly as given (``?category=drama&category=action`` is not the reverse order: the
last value counts) and the ``Accept`` and ``Origin`` headers (``Accept: application/json;
indent=4`` renders differently; CORS headers depend on the origin). Requests with credentials
(``Authorization`` or ``Cookie``) are never answered from or stored in the cache. A response is
stored only if every header its ``Vary`` names is in the key, so a header that starts to matter
later (a new middleware) makes pages uncacheable rather than wrong.

Invalidation is the database's job, whoever writes (this API, the admin, a psql session):
statement triggers on the catalogue's tables (migration ``films.0003``) ``NOTIFY
pagila_catalogue`` with the table's name, which drops everything; row triggers on ``rental``
and ``inventory`` (``rentals.0004``) notify ``film:<id>`` for the film whose copies moved, which
drops that film's detail pages only (lists show no stock). Every process LISTENs on a
connection of its own in a daemon thread. While the listener is not connected, nothing is
served from or stored in the cache, so a missed notification can't leave a stale page behind.

A response is stored only if nothing it shows was invalidated while it was being computed, so
a page built from a snapshot older than a committed change is never kept.
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
from django.utils.http import split_header_value

from pagila_site.serving.clients import forwarded_client
from pagila_site.serving.middleware import BothModes, log_request, request_id

logger = logging.getLogger("pagila.cache")

CHANNEL = "pagila_catalogue"
# Statement-level notifications from these tables (TRUNCATE) only move copies in and out of
# stock: film details show them, lists don't.
_STOCK_TABLES = {"rental", "inventory"}
_FILM_PAYLOAD = re.compile(r"^film:([0-9]{1,10})$")
# The film list, a film's detail (its id captured) and the category list, with or without "/".
_CACHEABLE = re.compile(r"^/api/v1/(?:films|films/(?P<film_id>[0-9]{1,10})|categories)/?$")
_SKIPPED_HEADERS = {"x-request-id", "set-cookie"}
# Request headers in the key, and what a response may Vary on to be stored: the key's headers,
# plus the credentials that keep a request out of the cache altogether.
KEY_HEADERS = ("accept", "origin")
_STORABLE_VARY = {*KEY_HEADERS, "host", "authorization", "cookie"}


@dataclass(frozen=True)
class Entry:
    status: int
    content: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str | None


@dataclass(frozen=True)
class Lookup:
    """Where a request's answer is (or would be) kept, and what the cache had seen by then."""

    key: str
    film_id: int | None  # set for a film's detail page
    generation: int
    film_generation: int
    entry: Entry | None


class CatalogueCache:
    def __init__(self, max_entries: int = 4096):
        self.max_entries = max_entries
        self._lock = threading.Lock()
        # key -> (film id of a detail page or None, entry); least recently used first.
        self._entries: OrderedDict[str, tuple[int | None, Entry]] = OrderedDict()
        self._by_film: dict[int, set[str]] = {}
        # Bumped by whatever drops every page / every detail page ...
        self.generation = 0
        self.details_generation = 0
        # ... and per film, by what drops one film's detail pages.
        self._film_generations: dict[int, int] = {}
        self.invalidated_at = 0.0
        self.listening = threading.Event()
        self._listener: threading.Thread | None = None
        self._listener_pid: int | None = None
        self._stop = threading.Event()

    # -- entries --------------------------------------------------------------------------------

    def film_generation(self, film_id: int) -> int:
        return self.details_generation + self._film_generations.get(film_id, 0)

    def lookup(self, key: str, film_id: int | None) -> Lookup:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return Lookup(
                key,
                film_id,
                self.generation,
                self.film_generation(film_id) if film_id is not None else 0,
                found[1] if found is not None else None,
            )

    def put(self, lookup: Lookup, entry: Entry) -> None:
        with self._lock:
            if not self.listening.is_set() or lookup.generation != self.generation:
                return  # something changed while this page was computed: don't keep it
            if lookup.film_id is not None and lookup.film_generation != self.film_generation(lookup.film_id):
                return
            if "replica" in settings.DATABASES and (
                time.monotonic() - self.invalidated_at < settings.DATABASE_REPLICA_MAX_LAG
            ):
                return  # a lagging replica may not show the change yet: serve, don't keep
            self._entries[lookup.key] = (lookup.film_id, entry)
            self._entries.move_to_end(lookup.key)
            if lookup.film_id is not None:
                self._by_film.setdefault(lookup.film_id, set()).add(lookup.key)
            while len(self._entries) > self.max_entries:
                old_key, (old_film, _entry) = self._entries.popitem(last=False)
                if old_film is not None:
                    self._by_film[old_film].discard(old_key)

    def __len__(self) -> int:
        return len(self._entries)

    def invalidate(self, payload: str | None = None) -> None:
        """Drop what a notification's ``payload`` makes stale (everything when None)."""
        with self._lock:
            self.invalidated_at = time.monotonic()
            film = _FILM_PAYLOAD.match(payload or "")
            if film:
                film_id = int(film.group(1))
                self._film_generations[film_id] = self._film_generations.get(film_id, 0) + 1
                for key in self._by_film.pop(film_id, ()):
                    self._entries.pop(key, None)
            elif payload in _STOCK_TABLES:
                self.details_generation += 1
                for keys in self._by_film.values():
                    for key in keys:
                        self._entries.pop(key, None)
                self._by_film.clear()
            else:
                self.generation += 1
                self._entries.clear()
                self._by_film.clear()

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
    # The KEY_HEADERS' values, in that order ("" when absent).
    varies: tuple[str, ...]


def cache_key(request: RequestFacts) -> tuple[str, int | None] | None:
    """The entry a request may be answered from, as (key, film id of a detail page or None);
    None if uncacheable.

    Requests with credentials are never cached: a bad token must still get its 401. A Host that
    Django refuses never produces a 200, so it is never stored and never hits.
    """
    if request.method not in ("GET", "HEAD") or request.has_credentials:
        return None
    match = _CACHEABLE.match(request.path_info)
    if match is None:
        return None
    path = request.path_info.rstrip("/") + "/"
    # GET and HEAD share entries: a HEAD hit is the GET's headers without the body. Parts are
    # joined with a character no header value or query string carries unescaped.
    key = "\n".join((request.origin, f"{path}?{request.query_string}", *request.varies))
    film_id = match["film_id"]
    return key, int(film_id) if film_id is not None else None


def _lookup(request: RequestFacts) -> Lookup | None:
    """Where a cacheable request's answer is kept, while the cache is trusted; else None."""
    if not settings.CATALOGUE_CACHE_ENABLED:
        return None
    key = cache_key(request)
    if key is None or not cache.ensure_listening():
        return None
    return cache.lookup(*key)


def storable(response) -> bool:
    """A 200 whose Vary names only headers the key covers (or that keep requests out)."""
    if response.status_code != 200 or response.streaming:
        return False
    vary = {name.lower() for name in split_header_value(response.get("Vary", ""))}
    return vary <= _STORABLE_VARY


def _scope_header(headers: list[tuple[bytes, bytes]], name: bytes) -> str:
    # Repeated headers joined as WSGI (and so Django) would see them.
    return ",".join(value.decode("latin-1") for key, value in headers if key == name)


class CatalogueFastPath:
    """The ASGI application in front of Django: answers cached catalogue pages by itself.

    A hit costs no thread, no middleware and no view: for a page already in memory those cost
    many times the page itself. What the skipped middleware would have added is in the stored
    response (security headers, CORS headers for that Origin, ETag) or done here (the request
    id and log line RequestLogMiddleware gives, 304 for a matching If-None-Match); everything
    else, and every miss, goes to Django, where CatalogueCacheMiddleware stores fresh pages.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        headers = scope["headers"]
        method = scope["method"]
        found = _lookup(
            RequestFacts(
                method=method,
                path_info=scope["path"][len(scope.get("root_path", "")) :] or "/",
                query_string=scope["query_string"].decode("latin-1"),
                has_credentials=any(
                    value for name, value in headers if name in (b"authorization", b"cookie")
                ),
                origin="|".join(
                    (
                        scope.get("scheme", "http"),
                        _scope_header(headers, b"x-forwarded-proto"),
                        _scope_header(headers, b"host"),
                    )
                ),
                varies=tuple(_scope_header(headers, name.encode()) for name in KEY_HEADERS),
            )
        )
        if found is None or found.entry is None:
            return await self.app(scope, receive, send)
        entry = found.entry
        rid = request_id(_scope_header(headers, b"x-request-id"))
        if entry.etag and _scope_header(headers, b"if-none-match") == entry.etag:
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
        peer = (scope.get("client") or ("",))[0]
        client = forwarded_client(
            peer, _scope_header(headers, b"x-forwarded-for"), tuple(settings.TRUSTED_PROXIES)
        )
        # Never a user to name: a request with credentials is never answered from the cache.
        log_request(
            method, scope["path"], status, started, rid, client, query=scope["query_string"].decode("latin-1")
        )


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
                has_credentials=bool(meta.get("HTTP_AUTHORIZATION") or meta.get("HTTP_COOKIE")),
                origin="|".join(
                    (
                        # The scheme the server saw (not request.scheme, which applies
                        # SECURE_PROXY_SSL_HEADER): the fast path can only know that one.
                        request._get_scheme(),
                        meta.get("HTTP_X_FORWARDED_PROTO", ""),
                        meta.get("HTTP_HOST") or meta.get("SERVER_NAME", ""),
                    )
                ),
                varies=tuple(meta.get(f"HTTP_{name.upper()}", "") for name in KEY_HEADERS),
            )
        )
        request._catalogue_lookup = found
        if found is None or found.entry is None:
            return None
        entry = found.entry
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
        if found is None or request.method != "GET" or not storable(response):
            return response
        headers = tuple((k, v) for k, v in response.items() if k.lower() not in _SKIPPED_HEADERS)
        cache.put(found, Entry(response.status_code, response.content, headers, response.get("ETag")))
        return response
