"""Cross-cutting HTTP behaviour: request ids and logs, optional trailing slashes.

The request log names the client (:func:`pagila_site.serving.clients.client_ip`: the peer, or
behind ``DJANGO_TRUSTED_PROXIES`` the address they forward for), and a page's unhandled
exception is logged with its traceback (Django's own ``django.request`` log is silenced in
settings, and errors under ``/api/`` are logged by ``ApiErrorMiddleware``).

Each middleware works under WSGI and ASGI alike (the AI relay is an async view), so they are
written on :class:`BothModes`, which declares both capabilities. The API's JSON error rewrites
(:class:`pagila_site.api.errors.ApiErrorMiddleware`) are built on it too.
"""

import logging
import re
import sys
import time
import uuid

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpResponse
from django.urls import Resolver404, get_resolver

from pagila_site.serving.clients import client_ip

request_logger = logging.getLogger("pagila.request")
error_logger = logging.getLogger("pagila.errors")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


class BothModes:
    """A middleware usable under WSGI and ASGI: ``before`` may answer early, ``after`` may
    replace the response."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        return self.before(request) or self.after(request, self.get_response(request))

    async def _acall(self, request):
        return self.before(request) or self.after(request, await self.get_response(request))

    def before(self, request):
        return None

    def after(self, request, response):
        return response


def request_id(given: str | None) -> str:
    """The caller's id when it looks like an id (no spaces or control characters, at most 128
    characters), so it can't be used to inject into logs; otherwise a fresh one."""
    return given if given and _REQUEST_ID.match(given) else uuid.uuid4().hex


def log_request(
    method: str, path: str, status: int, started: float, rid: str, client: str | None = None
) -> None:
    request_logger.info(
        "request",
        extra={
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "request_id": rid,
            "client": client,
        },
    )


class RequestLogMiddleware(BothModes):
    """One structured log line per request, and an ``X-Request-ID`` on every response."""

    def before(self, request):
        request.request_id = request_id(request.headers.get("X-Request-ID"))
        request._started = time.perf_counter()

    def after(self, request, response):
        response["X-Request-ID"] = request.request_id
        log_request(
            request.method,
            request.path,
            response.status_code,
            request._started,
            request.request_id,
            client_ip(request),
        )
        return response


def log_unhandled_exception(sender, request=None, **kwargs) -> None:
    """Django's ``got_request_exception`` receiver (connected in ``apps.py``): the traceback of
    every exception that becomes a 500, raised by a view or a middleware alike. Django sends the
    signal while handling the exception and never for the ones it answers itself (Http404,
    PermissionDenied...); its own ``django.request`` log is silenced in settings for the request
    log's sake. API errors answered by ApiErrorMiddleware are logged there instead."""
    error_logger.error(
        "unhandled exception",
        exc_info=sys.exc_info(),
        extra={
            "path": getattr(request, "path", None),
            "request_id": getattr(request, "request_id", None),
        },
    )


class BodySizeLimitMiddleware(BothModes):
    """413 for a body whose ``Content-Length`` is over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, before
    anything reads it.

    Django raises ``RequestDataTooBig`` only when something reads the body: a view (a 500 unless
    caught), or the CSRF check of an admin form (a 400 "Bad Request"). Either way the client is
    not told what was wrong. Under ``/api/`` ApiErrorMiddleware turns this answer into the
    contract's JSON (``payload_too_large``). Multipart bodies are left to Django: their files
    don't count towards the limit (it checks their fields itself). A chunked body declares no
    length; DRF reads one as empty (a 400 naming the missing fields), as Django's ASGI handler
    would refuse it past the limit as it is read.
    """

    def before(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        length = request.META.get("CONTENT_LENGTH", "")
        if limit is None or not length.isdigit() or int(length) <= limit:
            return None
        if request.content_type == "multipart/form-data":
            return None
        return HttpResponse(
            f"The request body is larger than this server accepts ({limit} bytes).\n",
            status=413,
            content_type="text/plain; charset=utf-8",
        )


class OptionalSlashMiddleware(BothModes):
    """Serve ``/x`` and ``/x/`` alike, for every method, without a redirect.

    URLs are declared once in their canonical form; a path that does not resolve is retried
    with its trailing slash toggled. Only misses pay for the second lookup.
    """

    def before(self, request):
        path = request.path_info
        resolver = get_resolver()
        try:
            resolver.resolve(path)
            return
        except Resolver404:
            pass
        alternative = path[:-1] if path.endswith("/") and path != "/" else f"{path}/"
        try:
            resolver.resolve(alternative)
        except Resolver404:
            return
        request.path_info = alternative
        request.path = request.path[: len(request.path) - len(path)] + alternative
