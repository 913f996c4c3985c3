"""Who is writing, and why: told to PostgreSQL for the change records its triggers keep.

The triggers (the ``changes`` app's migrations) read the setting ``pagila.change_context``, a JSON
object local to the transaction: ``user``, ``token`` (a bearer token's prefix), ``request_id``,
``idempotency_key``, ``reason`` and ``source`` (``api``, ``ai``, ``admin``, ``counter``,
``command:<name>``). No writer sends it itself: :func:`install` puts an execute wrapper on every
connection that sends it once per transaction, before the first statement that may write, from

- the request being served (:class:`ChangeContextMiddleware`): the user and token as
  authentication left them on the request, read when the write happens (after DRF's token check);
- :func:`writing_as`, for writers with no request (``manage.py``, tests), and to add a ``reason``
  around a service's writes (nothing does yet: block overrides and condition notes will).

A transaction that only reads pays nothing; one that writes pays one ``set_config`` statement.
Writes from outside the app (``psql``, another program) leave records with no user or source.
"""

import contextlib
import contextvars
import json
import re
import weakref

import psycopg.pq
from django.db import transaction

from pagila_site.serving.middleware import ANONYMOUS, caller

SETTING = "pagila.change_context"
_SET = f"SELECT set_config('{SETTING}', %s, true)"

_request = contextvars.ContextVar("change_context_request", default=None)
_facts = contextvars.ContextVar("change_context_facts", default=None)

# Statements that never write a row (a SELECT that calls a writing function aside).
_READS = ("SELECT", "SHOW", "SET ", "EXPLAIN", "COMMIT", "ROLLBACK", "RELEASE", "DECLARE", "FETCH", "CLOSE")

# Writes to Django's, its libraries' and this project's own tables (sessions, sign-in failures, a
# token's last use, stored answers): no trigger records them, so they need no context.
_UNRECORDED = re.compile(
    r'(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(?:django|auth|axes|otp|pagila_site)_', re.I
)

# Per psycopg connection: the context sent in its current transaction ("" for none yet).
_sent: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def source_of(path: str) -> str:
    """Where a request's writes come from, by its path."""
    if path.startswith("/api/v1/ai/"):
        return "ai"
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/counter/"):
        return "counter"
    return "admin"


def current() -> dict:
    """The facts a write made now would be recorded with."""
    facts = {}
    request = _request.get()
    if request is not None:
        user, token = caller(request)
        facts = {
            "user": None if user == ANONYMOUS else user,
            "token": token,
            "request_id": getattr(request, "request_id", None),
            "idempotency_key": request.headers.get("Idempotency-Key"),
            "source": source_of(request.path),
        }
    facts.update(_facts.get() or {})
    return {key: value for key, value in facts.items() if value is not None}


@contextlib.contextmanager
def writing_as(**facts):
    """Writes inside are recorded with ``facts`` (``user``, ``source``, ``reason``...), over what
    the request being served says."""
    token = _facts.set({**(_facts.get() or {}), **facts})
    try:
        yield
    finally:
        _facts.reset(token)


@contextlib.contextmanager
def serving(request):
    """Writes inside are recorded as ``request``'s."""
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


class ChangeContextMiddleware:
    """Records the writes of each request as its own (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with serving(request):
            return self.get_response(request)


def _record_context(execute, sql, params, many, context):
    connection = context["connection"]
    raw = connection.connection
    if raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        _sent[raw] = ""  # a transaction starts with this statement
    head = sql.lstrip()[:9].upper()
    if head.startswith(_READS) or _UNRECORDED.match(sql.lstrip()):
        return execute(sql, params, many, context)
    facts = current()
    value = json.dumps(facts, separators=(",", ":")) if facts else ""
    if not connection.in_atomic_block:
        if not value:
            return execute(sql, params, many, context)
        # In autocommit the statement is its own transaction: the context must share it.
        with transaction.atomic(using=connection.alias):
            context["cursor"].execute(_SET, [value])
            return execute(sql, params, many, context)
    # Sent before a savepoint too (not one of _READS), so that one rolled back does not take the
    # context with it.
    if _sent.get(raw, "") != value:
        context["cursor"].execute(_SET, [value])
        _sent[raw] = value
    return execute(sql, params, many, context)


def install(sender, connection, **kwargs):
    """``connection_created`` receiver: every connection tells PostgreSQL who is writing."""
    if _record_context not in connection.execute_wrappers:
        connection.execute_wrappers.append(_record_context)
