"""Change records (``changes.models.Change``) on back-office pages: each tracked object's History
page lists its own, and :func:`changes_html` writes one record's changes as people read them.

:class:`ChangeHistoryAdmin` goes on the ``ModelAdmin`` of every table the ``record_change`` trigger
watches (films, customers, subscriptions, copies, rentals, payments). Its History page shows the
object's change records by any writer (API, AI, admin, counter, command, plain SQL), newest first,
the last :data:`HISTORY_LIMIT` of them with a link to all of them in the change log's changelist;
below them, Django's own admin log when it holds any entry (what was done through these pages
before the change records began). A user without ``changes.view_change`` sees Django's page as it
was.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from changes.models import Change
from customers.scope import scope_of

#: Change records a History page shows; the changelist it links to has every one.
HISTORY_LIMIT = 100

_SOURCES = {"api": "API", "ai": "AI", "admin": "admin", "counter": "counter"}


def source_label(source: str | None) -> str:
    """Where a record's write came from: a null source is a write from outside the app."""
    if source is None:
        return "SQL"
    if source.startswith("command:"):
        return f"command {source.removeprefix('command:')}"
    return _SOURCES.get(source, source)


def when(moment) -> str:
    """A record's time to the second, with its zone: two writes a minute apart are told apart."""
    return dateformat.format(timezone.localtime(moment), "Y-m-d H:i:s T")


def _value(value, limit: int | None) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):  # a film's special_features
        text = ", ".join(str(item) for item in value)
    elif isinstance(value, dict):
        text = json.dumps(value)
    else:
        text = str(value)
    return Truncator(text).chars(limit) if limit else text


def _cell(value, css_class: str, limit: int | None) -> SafeString:
    if value is None:
        return format_html('<span class="{} empty" title="empty (null)">—</span>', css_class)
    return format_html('<span class="{}">{}</span>', css_class, _value(value, limit))


def changes_html(change: Change, *, limit: int | None = None) -> SafeString:
    """One line per changed column: an update's value before → after, what an insert wrote, what
    a delete removed. Money as the API shows it (``"2.99"``); ``limit`` shortens long values."""

    def line(column: str, before, after) -> tuple:
        if change.action == Change.Action.INSERT:
            return column, _cell(after, "after", limit)
        if change.action == Change.Action.DELETE:
            return column, _cell(before, "before", limit)
        return column, format_html("{} → {}", _cell(before, "before", limit), _cell(after, "after", limit))

    lines = format_html_join(
        "",
        '<li><span class="column">{}</span> {}</li>',
        (line(column, before, after) for column, (before, after) in change.shown_changes().items()),
    )
    return format_html('<ul class="change-diff">{}</ul>', lines)


def who_html(change: Change) -> SafeString:
    """The writer's username (a dash for SQL outside the app) and the bearer token's prefix."""
    if change.token:
        return format_html('{} <span class="token">token {}…</span>', change.user or "—", change.token)
    return format_html("{}", change.user or "—")


def object_changes(request, obj) -> dict:
    """The History page's share of the change log: ``obj``'s records that the user's scope sees."""
    table = obj._meta.db_table
    records = list(
        Change.objects.of(table, obj.pk)
        .in_scope(scope_of(request.user))
        .order_by("-change_id")[: HISTORY_LIMIT + 1]
    )
    for record in records:
        record.when = when(record.at)
        record.changes_html = changes_html(record)
        record.who_html = who_html(record)
        record.source_label = source_label(record.source)
    query = urlencode({"table": table, "object_id": obj.pk})
    return {
        "change_records": records[:HISTORY_LIMIT],
        "change_records_more": len(records) > HISTORY_LIMIT,
        "change_records_limit": HISTORY_LIMIT,
        "change_log_url": f"{reverse('admin:changes_change_changelist')}?{query}",
    }


class ChangeHistoryAdmin:
    """For the ``ModelAdmin`` of a tracked table: its History page shows the object's change
    records (see the module)."""

    object_history_template = "admin/change_log/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        # A TemplateResponse renders after it is returned, so the records can still join its
        # context; a redirect (no such object in the user's scope) has none.
        context = getattr(response, "context_data", None)
        if context is not None and request.user.has_perm("changes.view_change"):
            context.update(object_changes(request, context["object"]))
        return response
