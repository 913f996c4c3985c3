"""The catalogue cache's Django middleware: stores fresh catalogue 200s, and answers hits before
the rest of the stack where the fast path doesn't run (under WSGI, in tests)."""

from __future__ import annotations

from django.http import HttpResponse

from pagila_site.serving.catalogue_cache.hits import answer
from pagila_site.serving.catalogue_cache.keys import lookup, may_answer, request_facts, storable
from pagila_site.serving.catalogue_cache.store import Entry, cache
from pagila_site.serving.middleware import BeforeAfterMiddleware

# Per request, never part of a page: RequestLogMiddleware adds the request's own id.
_SKIPPED_HEADERS = {"x-request-id", "set-cookie"}


def _meta_name(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


class CatalogueCacheMiddleware(BeforeAfterMiddleware):
    def before(self, request):
        if not may_answer(request.method, request.path_info):
            request._catalogue_lookup = None
            return None
        meta = request.META
        facts = request_facts(
            method=request.method,
            path_info=request.path_info,
            query_string=meta.get("QUERY_STRING", ""),
            # The scheme the server saw (not request.scheme, which applies
            # SECURE_PROXY_SSL_HEADER): the fast path can only know that one.
            scheme=request._get_scheme(),
            host=meta.get("HTTP_HOST") or meta.get("SERVER_NAME", ""),
            header=lambda name: meta.get(_meta_name(name)),
        )
        found = request._catalogue_lookup = lookup(facts)
        if found is None or found.entry is None:
            return None
        hit = answer(found.entry, facts)
        response = HttpResponse(hit.body, status=hit.status)
        # The hit's headers are the whole set: not even Django's default Content-Type (a 304
        # has none).
        del response["Content-Type"]
        for name, value in hit.headers:
            response[name] = value
        return response

    def after(self, request, response):
        found = request._catalogue_lookup
        if found is None or request.method != "GET" or not storable(response):
            return response
        headers = tuple((k, v) for k, v in response.items() if k.lower() not in _SKIPPED_HEADERS)
        cache.put(found, Entry(response.status_code, response.content, headers, response.get("ETag")))
        return response
