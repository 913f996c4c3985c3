"""Cross-cutting HTTP behaviour: request ids and logs, optional trailing slashes, JSON errors.

Each middleware works under WSGI and ASGI alike (the AI relay is an async view), so they are
written as plain callables declaring both capabilities.
"""

import logging
import re
import time
import uuid

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.db import InterfaceError, OperationalError
from django.urls import Resolver404, get_resolver

from pagila_site.errors import error_response

request_logger = logging.getLogger("pagila.request")
error_logger = logging.getLogger("pagila.errors")

_BODY_HEADERS = {"content-type", "content-length", "content-encoding", "content-language", "etag"}
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


def log_request(method: str, path: str, status: int, started: float, rid: str) -> None:
    request_logger.info(
        "request",
        extra={
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "request_id": rid,
        },
    )


class RequestLogMiddleware(BothModes):
    """One structured log line per request, and an ``X-Request-ID`` on every response."""

    def before(self, request):
        request.request_id = request_id(request.headers.get("X-Request-ID"))
        request._started = time.perf_counter()

    def after(self, request, response):
        response["X-Request-ID"] = request.request_id
        log_request(request.method, request.path, response.status_code, request._started, request.request_id)
        return response


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


class ApiErrorMiddleware(BothModes):
    """Every error under ``/api/`` is JSON: no HTML page, no traceback, whatever DEBUG says."""

    def after(self, request, response):
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
            and not response.streaming
        ):
            rewritten = error_response(response.status_code)
            # Keep what the stack added (security headers, Allow, Retry-After, WWW-Authenticate...);
            # only what described the replaced body goes.
            for header, value in response.items():
                if header.lower() not in _BODY_HEADERS:
                    rewritten[header] = value
            return rewritten
        return response

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        if isinstance(exception, OperationalError | InterfaceError):
            # The database is down or unreachable: say so fast, and the client may retry.
            error_logger.warning(
                "database unavailable",
                extra={"path": request.path, "request_id": getattr(request, "request_id", None)},
            )
            response = error_response(503, "The database is temporarily unavailable.", "database_unavailable")
            response["Retry-After"] = "5"
            return response
        error_logger.error(
            "unhandled exception",
            exc_info=exception,
            extra={"path": request.path, "request_id": getattr(request, "request_id", None)},
        )
        return error_response(500)
