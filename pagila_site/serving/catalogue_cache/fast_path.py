"""The ASGI application in front of Django that answers catalogue cache hits by itself.

A hit costs no thread, no middleware and no view: for a page already in memory those cost many
times the page itself. What the skipped middleware would have added is in the stored response
(security headers, CORS headers for that Origin, ETag) or done here (the request id and log line
RequestLogMiddleware gives; 304 and HEAD as :mod:`.hits` answers them); everything else, and
every miss, goes to Django, where CatalogueCacheMiddleware stores fresh pages.
"""

from __future__ import annotations

import time

from django.conf import settings

from pagila_site.serving.catalogue_cache.hits import answer
from pagila_site.serving.catalogue_cache.keys import lookup, may_answer, request_facts
from pagila_site.serving.clients import forwarded_client
from pagila_site.serving.middleware import log_request, request_id


def _headers(scope) -> dict[str, str]:
    """The scope's headers by (lowercase) name, repeated ones joined as Django would see them."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    return headers


class CatalogueFastPath:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        path_info = scope["path"][len(scope.get("root_path", "")) :] or "/"
        if not may_answer(scope["method"], path_info):
            return await self.app(scope, receive, send)
        headers = _headers(scope)
        request = request_facts(
            method=scope["method"],
            path_info=path_info,
            query_string=scope["query_string"].decode("latin-1"),
            scheme=scope.get("scheme", "http"),
            # Without a Host header the key can't match what the middleware stored (under the
            # server's name), so such a request is left to Django.
            host=headers.get("host", ""),
            header=headers.get,
        )
        found = lookup(request)
        if found is None or found.entry is None:
            return await self.app(scope, receive, send)
        hit = answer(found.entry, request)
        rid = request_id(headers.get("x-request-id"))
        await send(
            {
                "type": "http.response.start",
                "status": hit.status,
                "headers": [*hit.asgi_headers, (b"x-request-id", rid.encode("latin-1"))],
            }
        )
        await send({"type": "http.response.body", "body": hit.body})
        peer = (scope.get("client") or ("",))[0]
        client = forwarded_client(peer, headers.get("x-forwarded-for"), tuple(settings.TRUSTED_PROXIES))
        # Never a user to name: a request with credentials is never answered from the cache.
        log_request(
            request.method, scope["path"], hit.status, started, rid, client, query=request.query_string
        )
