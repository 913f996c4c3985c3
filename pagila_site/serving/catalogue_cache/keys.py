"""The catalogue cache's policy: which requests it may answer, under which key, and which
responses it may keep.

The fast path reads a request from its ASGI scope and the middleware from Django's ``META``;
both hand what they read to :func:`request_facts`, so the facts a key is made of are chosen in
one place.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.http import split_header_value

from pagila_site.serving.catalogue_cache.store import Lookup, cache

# The film list, a film's detail (its id captured) and the category list, with or without "/".
_CACHEABLE = re.compile(r"^/api/v1/(?:films|films/(?P<film_id>[0-9]{1,10})|categories)/?$")
# Request headers in the key, and what a response may Vary on to be stored: the key's headers,
# plus the credentials that keep a request out of the cache altogether.
KEY_HEADERS = ("accept", "origin")
_STORABLE_VARY = {*KEY_HEADERS, "host", "authorization", "cookie"}


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the cache needs to know of a request."""

    method: str
    path_info: str
    query_string: str
    has_credentials: bool
    # Scheme, forwarded scheme and Host: list pages embed absolute next/previous links.
    origin: str
    # The KEY_HEADERS' values, in that order ("" when absent).
    varies: tuple[str, ...]
    # Answered by a 304 when it names the stored page's ETag.
    if_none_match: str


def may_answer(method: str, path_info: str) -> bool:
    """Whether the cache may hold a request's answer at all: a GET or HEAD of a catalogue page
    while the cache is on. Asked first, so no other request pays for reading its facts."""
    return (
        settings.CATALOGUE_CACHE_ENABLED
        and method in ("GET", "HEAD")
        and _CACHEABLE.match(path_info) is not None
    )


def request_facts(
    *,
    method: str,
    path_info: str,
    query_string: str,
    scheme: str,
    host: str,
    header: Callable[[str], str | None],
) -> RequestFacts:
    """The facts of a request, from what the server saw: ``scheme`` before any proxy header is
    applied, ``host`` the Host header (inside Django, the server's name without one, as Django
    takes it), and ``header(name)`` the value of a header (lowercase name) with repeated ones
    joined by commas, or None."""
    return RequestFacts(
        method=method,
        path_info=path_info,
        query_string=query_string,
        has_credentials=bool(header("authorization") or header("cookie")),
        origin="|".join((scheme, header("x-forwarded-proto") or "", host)),
        varies=tuple(header(name) or "" for name in KEY_HEADERS),
        if_none_match=header("if-none-match") or "",
    )


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


def lookup(request: RequestFacts) -> Lookup | None:
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
