"""The contract's error shape for every error under ``/api/``.

``{"detail": "<sentence>", "code": "<snake_case>"}``, plus ``"errors": {field: [messages]}``
for invalid input. DRF exceptions go through :func:`api_exception_handler`; everything that
never reaches DRF (unknown URLs, unhandled exceptions, Django's own 404/405/500 pages) is
rewritten by :class:`ApiErrorMiddleware` with :func:`error_response`.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from pagila_site.serving.middleware import BeforeAfterMiddleware

logger = logging.getLogger("pagila.errors")

DEFAULT_CODES = {
    400: ("invalid", "The request is invalid."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Method not allowed."),
    406: ("not_acceptable", "Could not satisfy the request Accept header."),
    409: ("conflict", "The request conflicts with the current state."),
    412: ("precondition_failed", "A precondition of the request failed."),
    413: ("payload_too_large", "The request body is larger than this server accepts."),
    415: ("unsupported_media_type", "Unsupported media type in the request."),
    422: ("unprocessable", "The request cannot be processed as sent."),
    429: ("throttled", "Request was throttled."),
    500: ("server_error", "Internal server error."),
    502: ("upstream_error", "The upstream service failed."),
    503: ("service_unavailable", "The service is temporarily unavailable."),
    504: ("upstream_timeout", "The upstream service timed out."),
}


def error_body(status_code: int, detail: str | None = None, code: str | None = None) -> dict:
    default_code, default_detail = DEFAULT_CODES.get(status_code, ("error", "Request failed."))
    return {"detail": detail or default_detail, "code": code or default_code}


def error_response(status_code: int, detail: str | None = None, code: str | None = None) -> JsonResponse:
    return JsonResponse(error_body(status_code, detail, code), status=status_code)


def _flatten(errors) -> dict[str, list[str]]:
    """DRF's nested ValidationError detail as ``{field: [messages]}``."""
    if isinstance(errors, dict):
        flat: dict[str, list[str]] = {}
        for field, value in errors.items():
            if isinstance(value, dict):
                for sub, messages in _flatten(value).items():
                    flat[f"{field}.{sub}"] = messages
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for index, item in enumerate(value):
                    for sub, messages in _flatten(item).items():
                        flat[f"{field}[{index}].{sub}"] = messages
            else:
                flat[field] = [str(m) for m in (value if isinstance(value, list) else [value])]
        return flat
    return {"non_field_errors": [str(m) for m in (errors if isinstance(errors, list) else [errors])]}


def api_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        first_field = next(iter(errors))
        field_text = "" if first_field == "non_field_errors" else f"{first_field}: "
        body = {
            "detail": f"Invalid input: {field_text}{errors[first_field][0]}",
            # A 400 that names a field and has a code of its own (``page_too_deep``) keeps it.
            "code": getattr(exc, "contract_code", "invalid"),
            "errors": errors,
        }
        return Response(body, status=status.HTTP_400_BAD_REQUEST)

    response = exception_handler(exc, context)
    if response is None:
        return None  # unhandled: ApiErrorMiddleware logs it and answers a JSON 500
    detail = getattr(exc, "detail", None)
    code = None
    if isinstance(detail, str):
        code = getattr(detail, "code", None)
    elif isinstance(detail, dict | list):
        detail = None
    if code == "invalid" and response.status_code != 400:
        code = None
    body = error_body(response.status_code, str(detail) if detail else None, code)
    if response.status_code == status.HTTP_400_BAD_REQUEST:
        # Every 400 names what was wrong (a body that is not JSON, say): as a whole, here.
        body["errors"] = {"non_field_errors": [body["detail"]]}
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response.headers.setdefault("WWW-Authenticate", "Bearer")
    # What a refusal says beyond its sentence (a blocked customer's "reasons").
    body.update(getattr(exc, "extra", None) or {})
    response.data = body
    return response


def exception_response(exc: exceptions.APIException) -> JsonResponse:
    """What a DRF view answers for ``exc``, body and headers (``WWW-Authenticate``,
    ``Retry-After``), for the views that are not DRF's: the AI endpoints."""
    handled = api_exception_handler(exc, {})
    response = JsonResponse(handled.data, status=handled.status_code)
    for name, value in handled.headers.items():
        if name.lower() != "content-type":  # the unrendered Response's default, not JSON's
            response[name] = value
    return response


# What described a body that ApiErrorMiddleware replaces; every other header stays.
_BODY_HEADERS = {"content-type", "content-length", "content-encoding", "content-language", "etag"}


class ApiErrorMiddleware(BeforeAfterMiddleware):
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
            logger.warning(
                "database unavailable",
                extra={"path": request.path, "request_id": getattr(request, "request_id", None)},
            )
            response = error_response(503, "The database is temporarily unavailable.", "database_unavailable")
            response["Retry-After"] = "5"
            return response
        logger.error(
            "unhandled exception",
            exc_info=exception,
            extra={"path": request.path, "request_id": getattr(request, "request_id", None)},
        )
        return error_response(500)
