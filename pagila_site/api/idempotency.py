"""Safe retries of writing POSTs: the ``Idempotency-Key`` header (the contract's "Safe retries").

:class:`IdempotentPostMixin` goes on every viewset that writes with POST (a test walks the URLs
and fails for one without it). Once DRF has authenticated the caller (a key is the user's own):

1. the header must be 1-255 printable ASCII characters (400 naming it otherwise);
2. a row (user, key, method, path, SHA-256 of the canonical JSON body) is inserted and
   committed in a transaction of its own before the view runs. The unique (user, key)
   constraint decides between simultaneous requests, in whichever process or host they run:
   the one whose insert succeeds runs the view; the others find its row and answer
   - 422 ``idempotency_key_reused`` when it names another path or body,
   - 409 ``idempotency_in_progress`` while it has no answer yet,
   - otherwise its answer again (status, body, ``Location``) with ``Idempotent-Replayed: true``.
   A row older than 24 hours counts as absent and is replaced;
3. the view's answer is stored on the row, unless it is a 5xx: then, as when the view raises,
   the row is deleted so that a retry runs again.

The view's own transaction and the one storing its answer are separate (the views and services
commit their writes themselves). A request that dies without an answer (its process killed, its
connection or the database lost) leaves a row without one; the row names the database session
that claimed it, and a repeat that finds that session gone takes the key over and runs again, as
after a 5xx. A process dying in the instant between a committed write and its stored answer is
the one case where the write can then happen twice; the database's own rules (one open rental
per copy, payments within the balance) still hold.

Written here rather than taken from a package because the contract fixes its exact answers
(409 held by a committed row, 422 for another body or path, 5xx never kept, keys per user).
"""

import hashlib
import json
import logging
import re

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import DateTimeField, Func, IntegerField
from django.db.models.expressions import RawSQL
from django.http import HttpResponse
from rest_framework import exceptions, status

from pagila_site.db import violated_constraint
from pagila_site.models import IdempotencyKey

logger = logging.getLogger("pagila.idempotency")

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_VALID_KEY = re.compile(r"[\x20-\x7e]{1,255}")
_UNIQUE_CONSTRAINT = "idempotency_key_unique_per_user"
# A claim can lose a race against a row being deleted (its request failed) or an expired one
# being replaced; each retry has a fresh chance, and a key this contended is "in progress".
_CLAIM_ATTEMPTS = 3


class IdempotencyConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still running; retry once it has finished."
    default_code = "idempotency_in_progress"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was sent with another path or body; use a new key."
    default_code = "idempotency_key_reused"


class _Replay(Exception):
    """Not an error: how ``initial()`` hands the stored answer to ``handle_exception()``."""

    def __init__(self, response: HttpResponse):
        super().__init__()
        self.response = response


def body_fingerprint(data) -> str:
    """SHA-256 of ``data`` as canonical JSON: key order and whitespace don't count."""
    # ASCII escapes: a lone surrogate ("\ud800") parses as JSON but has no UTF-8 encoding.
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# Who claims a key: this request's database session, so that a repeat can tell a running first
# request from one whose process or connection died (IdempotencyKeyQuerySet.abandoned).
_BACKEND_PID = Func(function="pg_backend_pid", output_field=IntegerField())
_BACKEND_START = RawSQL(
    "(SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())",
    [],
    output_field=DateTimeField(),
)


def _is_duplicate(exc: IntegrityError) -> bool:
    return violated_constraint(exc) == _UNIQUE_CONSTRAINT


def _claim(*, user, key: str, method: str, path: str, fingerprint: str) -> IdempotencyKey:
    """The new row for this request, committed; or raises what the existing row calls for."""
    for _attempt in range(_CLAIM_ATTEMPTS):
        try:
            # Outside any transaction (DRF views run in autocommit) this commits at once, so a
            # simultaneous repeat waits for it on the unique index and then finds it.
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    user=user,
                    key=key,
                    method=method,
                    path=path,
                    fingerprint=fingerprint,
                    backend_pid=_BACKEND_PID,
                    backend_start=_BACKEND_START,
                )
        except IntegrityError as exc:
            if not _is_duplicate(exc):
                raise
        existing = IdempotencyKey.objects.current().filter(user=user, key=key).first()
        if existing is None:
            # Expired (replace it) or deleted since the insert failed (its request failed).
            IdempotencyKey.objects.expired().filter(user=user, key=key).delete()
            continue
        if existing.status is None and IdempotencyKey.objects.abandoned().filter(pk=existing.pk).delete()[0]:
            # Its request died without an answer (and without releasing it): a retry runs again,
            # as after a 5xx, rather than hearing "in progress" for a day.
            continue
        if (existing.method, existing.path, existing.fingerprint) != (method, path, fingerprint):
            raise IdempotencyKeyReused()
        if existing.status is None:
            raise IdempotencyConflict()
        raise _Replay(_replayed(existing))
    raise IdempotencyConflict()


def _replayed(row: IdempotencyKey) -> HttpResponse:
    # Every answer of the API is JSON (errors too), so the stored body is served as such.
    response = HttpResponse(row.response_body, status=row.status, content_type="application/json")
    if row.location:
        response["Location"] = row.location
    response[REPLAYED_HEADER] = "true"
    return response


def _release(row: IdempotencyKey | None, path: str) -> None:
    """Delete the claimed row of a request that failed, so that a retry runs again."""
    if row is None:
        return
    try:
        IdempotencyKey.objects.filter(pk=row.pk).delete()
    except DatabaseError:
        # Likely why the request failed in the first place; the exception in flight says so.
        logger.exception("could not release an idempotency key", extra={"path": path})


class IdempotentPostMixin:
    """For viewsets whose POSTs write: honour ``Idempotency-Key`` on each of them."""

    _idempotency_row: IdempotencyKey | None = None

    def initial(self, request, *args, **kwargs):
        # Authentication, permissions, throttles and the views' own checks (an unknown customer's
        # 404) come first: their answers are not the write's, and the key needs its user.
        super().initial(request, *args, **kwargs)
        if request.method != "POST":
            return
        key = request.headers.get(HEADER)
        if key is None:
            return
        if not _VALID_KEY.fullmatch(key):
            raise exceptions.ValidationError({HEADER: ["Must be 1 to 255 printable ASCII characters."]})
        self._idempotency_row = _claim(
            user=request.user,
            key=key,
            method=request.method,
            path=request.path,
            fingerprint=body_fingerprint(request.data),
        )

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return exc.response
        try:
            return super().handle_exception(exc)
        except BaseException:
            # Unhandled: it becomes a 5xx, which is never kept.
            row, self._idempotency_row = self._idempotency_row, None
            _release(row, self.request.path)
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        row, self._idempotency_row = self._idempotency_row, None
        if row is None:
            return response
        if response.status_code >= 500 or response.streaming:
            _release(row, request.path)
            return response
        if hasattr(response, "render"):
            response.render()  # the body to store; Django would render it next anyway
        try:
            IdempotencyKey.objects.filter(pk=row.pk).update(
                status=response.status_code,
                response_body=response.content.decode(),
                location=response.get("Location", ""),
            )
        except DatabaseError:
            # The write is done: its answer goes out. Repeats see the key in progress until it
            # expires, which is safer than running the write twice.
            logger.exception("could not store the answer of an idempotency key", extra={"path": request.path})
        return response
