"""Cross-cutting HTTP behaviour: request ids and logs, optional trailing slashes.

The request log names the client (:func:`pagila_site.serving.clients.client_ip`: the peer, or
behind ``DJANGO_TRUSTED_PROXIES`` the address they forward for), the user and token prefix the
request was authenticated as (:func:`caller`) and its query string, the values of parameters
named like secrets masked (:func:`masked_query`); and a page's unhandled
exception is logged with its traceback (Django's own ``django.request`` log is silenced in
settings, and errors under ``/api/`` are logged by ``ApiErrorMiddleware``).

Each middleware works under WSGI and ASGI alike (the AI relay is an async view), so they are
written on :class:`BeforeAfterMiddleware`, which declares both capabilities. The API's JSON
error rewrites (:class:`pagila_site.api.errors.ApiErrorMiddleware`) are built on it too.
"""

import logging
import re
import sys
import time
import uuid
from urllib.parse import unquote_plus

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpResponse
from django.urls import Resolver404, get_resolver
from django.utils.functional import SimpleLazyObject

from pagila_site.serving.clients import client_ip

request_logger = logging.getLogger("pagila.request")
error_logger = logging.getLogger("pagila.errors")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

ANONYMOUS = "anonymous"
MASK = "***"
# A query parameter whose name contains one of these (in any case) has its value masked in the
# log: api_key, access_token, client_secret, password, passwd, pwd, Authorization, session_id,
# X-Amz-Signature, Azure's sig, an OAuth code, otp, csrfmiddlewaretoken... Masking an innocent
# value (keyword, author) costs a log reader little; logging a credential is not undone.
_SECRET_NAME_PARTS = (
    "token", "key", "secret", "passw", "pwd", "auth", "session", "sig", "code", "otp", "credential",
    "cookie", "csrf",
)  # fmt: skip


class BeforeAfterMiddleware:
    """The base of our middleware: a subclass writes ``before`` (may answer early) and ``after``
    (may replace the response) as plain functions, and the class serves them under WSGI and
    ASGI alike, never adapting a sync middleware into the event loop or back."""

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


def masked_query(query_string: str) -> str:
    """``query_string`` as sent, each value of a parameter named like a secret replaced by ``***``.

    Names are compared decoded (``api%5Fkey`` is ``api_key``); everything else is left as it came,
    so the line shows what the client sent.
    """
    if not query_string:
        return ""
    parts = []
    for part in query_string.split("&"):
        name, equals, _value = part.partition("=")
        if equals and any(word in unquote_plus(name).lower() for word in _SECRET_NAME_PARTS):
            part = f"{name}={MASK}"
        parts.append(part)
    return "&".join(parts)


def caller(request) -> tuple[str, str | None]:
    """Whom ``request`` was authenticated as: the username (``anonymous`` for nobody) and, when a
    bearer token did it, the token's 8-character prefix (never more of it).

    Read from what authentication left on the request, never looked up here: a lookup would be
    a query for every request, and under ASGI this runs in the event loop, where it can't be
    made. DRF's authentication sets the user and the token (``request.auth``) on the Django
    request, and the AI views' check does the same (:func:`ai.throttling.throttled`); a
    session's user counts once the view has looked it up, which Django's
    ``AuthenticationMiddleware`` caches on the request (``_cached_user`` for ``request.user``,
    ``_acached_user`` for ``await request.auser()``).
    """
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject):
        user = vars(request).get("_cached_user") or vars(request).get("_acached_user")
    username = user.get_username() if user is not None and user.is_authenticated else ANONYMOUS
    return username, getattr(getattr(request, "auth", None), "prefix", None)


def log_request(
    method: str,
    path: str,
    status: int,
    started: float,
    rid: str,
    client: str | None = None,
    *,
    query: str = "",
    user: str = ANONYMOUS,
    token_prefix: str | None = None,
) -> None:
    """The request's log line; ``query`` is the raw query string, masked here."""
    request_logger.info(
        "request",
        extra={
            "method": method,
            "path": path,
            "query": masked_query(query),
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "request_id": rid,
            "client": client,
            "user": user,
            "token_prefix": token_prefix,
        },
    )


class RequestLogMiddleware(BeforeAfterMiddleware):
    """One structured log line per request, and an ``X-Request-ID`` on every response."""

    def before(self, request):
        request.request_id = request_id(request.headers.get("X-Request-ID"))
        request._started = time.perf_counter()

    def after(self, request, response):
        response["X-Request-ID"] = request.request_id
        user, token_prefix = caller(request)
        log_request(
            request.method,
            request.path,
            response.status_code,
            request._started,
            request.request_id,
            client_ip(request),
            query=request.META.get("QUERY_STRING", ""),
            user=user,
            token_prefix=token_prefix,
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


class BodySizeLimitMiddleware(BeforeAfterMiddleware):
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


class OptionalSlashMiddleware(BeforeAfterMiddleware):
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
