"""``GET /health``: the process answers and its database does (503 when it does not)."""

import contextlib
import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("pagila.health")


@never_cache
@require_safe
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        logger.warning("database unavailable", extra={"error": str(exc).strip()})
        # Drop the broken connection so the next request reconnects once the server is back.
        with contextlib.suppress(DatabaseError):
            connection.close()
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
