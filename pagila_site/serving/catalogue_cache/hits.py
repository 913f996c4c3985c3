"""How a request found in the catalogue cache is answered, by the fast path and the middleware
alike: the stored page with its stored headers, no body for HEAD, 304 for its own ETag."""

from __future__ import annotations

from dataclasses import dataclass

from pagila_site.serving.catalogue_cache.keys import RequestFacts
from pagila_site.serving.catalogue_cache.store import Entry


@dataclass(frozen=True, slots=True)
class Hit:
    status: int
    # Every header of the answer: the stored page's own (its security, CORS and ETag headers
    # among them) or, for a 304, its ETag alone. Both forms, for Django and for ASGI.
    headers: tuple[tuple[str, str], ...]
    asgi_headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


def answer(entry: Entry, request: RequestFacts) -> Hit:
    if entry.etag and request.if_none_match == entry.etag:
        return Hit(304, (("ETag", entry.etag),), ((b"etag", entry.etag.encode("latin-1")),), b"")
    body = b"" if request.method == "HEAD" else entry.content
    return Hit(entry.status, entry.headers, entry.asgi_headers, body)
