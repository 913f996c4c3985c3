"""A statement that ran out of its time limit (``DATABASE_STATEMENT_TIMEOUT``): 503
``query_timeout``, JSON under ``/api/`` and an error page elsewhere (the admin), logged with the
request id. The server goes on serving: the statement was cancelled by PostgreSQL, a transaction
around it is rolled back by Django, and the connection returns to the pool."""

import logging

import psycopg.errors
from django.conf import settings
from django.db import OperationalError
from django.template.response import TemplateResponse

from pagila_site.api.errors import error_response

logger = logging.getLogger("pagila.errors")


def ran_out_of_time(exception: BaseException) -> bool:
    """Whether ``exception`` is PostgreSQL cancelling a statement (``statement_timeout``)."""
    return isinstance(exception, OperationalError) and isinstance(
        exception.__cause__, psycopg.errors.QueryCanceled
    )


class QueryTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not ran_out_of_time(exception):
            return None
        logger.warning(
            "query timeout",
            extra={
                "path": request.path,
                "request_id": getattr(request, "request_id", None),
                "limit_seconds": settings.DATABASE_STATEMENT_TIMEOUT,
            },
        )
        detail = (
            f"The request's database work took longer than its limit of "
            f"{settings.DATABASE_STATEMENT_TIMEOUT:g} seconds and was stopped; narrow it (filters, "
            "a smaller page) or try again later."
        )
        if request.path.startswith("/api/"):
            response = error_response(503, detail, "query_timeout")
        else:
            response = TemplateResponse(
                request,
                "service_unavailable.html",
                {"detail": detail, "title": "Too slow to answer"},
                status=503,
            )
            response.render()
        response["Retry-After"] = "5"
        return response
