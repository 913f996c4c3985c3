"""The contract's error shape for every error under ``/api/``.

``{"detail": "<sentence>", "code": "<snake_case>"}``, plus ``"errors": {field: [messages]}``
for invalid input. DRF exceptions go through :func:`api_exception_handler`; everything that
never reaches DRF (unknown URLs, unhandled exceptions, Django's own 404/405/500 pages) is
rewritten by :class:`pagila_site.middleware.ApiErrorMiddleware` with :func:`error_response`.
"""

import logging

from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger("pagila.errors")

DEFAULT_CODES = {
    400: ("invalid", "The request is invalid."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Method not allowed."),
    406: ("not_acceptable", "Could not satisfy the request Accept header."),
    409: ("conflict", "The request conflicts with the current state."),
    413: ("too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Unsupported media type in the request."),
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
            "code": "invalid",
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
    response.data = body
    return response
