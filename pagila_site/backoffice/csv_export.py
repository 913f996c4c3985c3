"""CSV export of a changelist: every row its current filters, search and ordering match.

:class:`CsvExportMixin` adds ``<changelist>/export-csv/`` to a ``ModelAdmin`` and an "Export CSV"
link to its changelist that keeps the query string. The rows are the changelist's own queryset
(so the admin's scope, filters, search, date hierarchy and ordering all apply). The view only
builds the query: ``values_list()`` of one :class:`CsvCell` per column, compiled by Django and its
parameters inlined by psycopg into ``COPY (...) TO STDOUT (FORMAT csv)``. PostgreSQL writes the
CSV and ``csv_stream.py`` sends it from the event loop, on a connection of its own, under the
export's own time limit, stopping the query when the client hangs up. A chain's 1.6 million
rentals hold no serving thread and never sit in memory.

Written here rather than taken from django-import-export: that library builds the whole
export as a tablib ``Dataset`` in memory before sending it, and puts a format-choosing form in
front of it. These four exports need neither.

The file is what ``csv.writer`` made of these values before PostgreSQL wrote it, byte for byte
(the tests compare the two): dates in ISO 8601 as Python's ``isoformat()`` writes them,
``true``/``false``, numbers as they are, and text cells that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, OWASP's list) with a leading
``'``. Numbers, dates and booleans are written by this module, never by a user, so a negative
amount stays a number.

Two private Django APIs are used: ``Query.sql_with_params()``, the SQL and parameters Django would
run for a queryset (``QuerySet.query`` has no public way to give them), and a foreign key's
``target_field``, whose values a column of it holds; ``test_it_exports_changelists_as_csv.py``
fails naming each if it changes.
"""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connections
from django.db.models import F, Func, TextField
from django.http import HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import slugify

from pagila_site.backoffice.csv_stream import ExportSlots, copy_csv, sending_time_limit
from pagila_site.db import conninfo
from pagila_site.serving.streams import ClosingStreamingResponse

# Exports streaming from this process at once (CSV_EXPORTS_PER_PROCESS), each on a connection of its own.
EXPORT_SLOTS = ExportSlots(settings.CSV_EXPORTS_PER_PROCESS)

# How each kind of field's column is written, ``{}`` standing for the column's SQL.
_NUMBERS = {
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField", "DecimalField",
}  # fmt: skip
_TEXTS = {"CharField", "TextField", "EmailField", "SlugField", "URLField"}
_CELLS = {
    # Python's str() of an int, and of the Decimal psycopg reads from numeric's own text.
    **dict.fromkeys(_NUMBERS, "{}"),
    # A boolean cast to text is "true" or "false" (COPY alone would write t or f).
    "BooleanField": "({})::text",
    # isoformat() of the aware UTC datetimes Django reads (USE_TZ): microseconds only when there
    # are any, then the offset.
    "DateTimeField": (
        "replace(to_char(({}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '') || '+00:00'"
    ),
    "DateField": "to_char({}, 'YYYY-MM-DD')",
    # A formula-looking start gets a "'". An empty text is NULL, which COPY writes as an empty
    # cell, as csv.writer wrote "" (COPY would write an empty text as "").
    **dict.fromkeys(
        _TEXTS,
        "CASE WHEN left({}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || ({})"
        " ELSE nullif({}, '') END",
    ),
}


class CsvCell(Func):
    """One column of the export as the CSV shows it, in SQL, by the type of the column's field."""

    arity = 1
    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        (source,) = self.get_source_expressions()
        field = source.output_field
        while field.is_relation:  # a foreign key holds its target's values
            field = field.target_field
        template = _CELLS.get(field.get_internal_type())
        if template is None:
            raise TypeError(f"CSV export: no CSV form for a {field.get_internal_type()} column")
        sql, params = compiler.compile(source)
        uses = template.count("{}")
        return template.format(*[sql] * uses), tuple(params) * uses

    def get_group_by_cols(self):
        # Grouped by the column itself (the customers' open-rental count groups), not by its CSV form.
        return self.get_source_expressions()[0].get_group_by_cols()


def copy_statement(rows) -> str:
    """``COPY (<rows' SQL>) TO STDOUT (FORMAT csv)`` with the parameters inlined (COPY takes
    none), quoted by psycopg as the database's own connection would quote them."""
    # A filter that can match nothing (an id no row can have) leaves Django no SQL to give: the
    # file is its header alone.
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:
        return "COPY (SELECT WHERE false) TO STDOUT (FORMAT csv)"
    return connections[rows.db].ops.compose_sql(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params)


def header_line(headers: list[str]) -> bytes:
    """The header row as ``csv.writer`` writes it."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(headers)
    return buffer.getvalue().encode()


def _without_page(changelist_class):
    """``changelist_class`` without the page it would fetch and count: the export reads the
    whole filtered queryset itself."""

    class ExportChangeList(changelist_class):
        def get_results(self, request):
            self.result_count = self.full_result_count = None

    return ExportChangeList


class CsvExportMixin:
    """For a ``ModelAdmin``: ``csv_columns`` is a list of ``(header, lookup)``, where a lookup is
    anything ``values_list()`` takes (a field path such as ``"customer__last_name"``, an
    annotation of ``get_queryset()``, an expression)."""

    csv_columns: list[tuple[str, object]] = []
    change_list_template = "admin/csv_export/change_list.html"

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_export_csv"
        export = path("export-csv/", self.admin_site.admin_view(self.csv_export_view), name=name)
        # Before the admin's own patterns, whose "<object_id>/" would take "export-csv/".
        return [export, *super().get_urls()]

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        return _without_page(changelist) if getattr(request, "_csv_export", False) else changelist

    def csv_queryset(self, request):
        """The changelist's queryset for ``request``: the rows its export holds, in its order.
        Raises ``IncorrectLookupParameters`` for filters the changelist would refuse."""
        request._csv_export = True
        return self.get_changelist_instance(request).queryset

    def csv_export_view(self, request):
        # Whoever may see the changelist may export it: the same rows, in another format.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            queryset = self.csv_queryset(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("These filters are not valid for this list.")
        rows = queryset.values_list(*(CsvCell(_expression(lookup)) for _header, lookup in self.csv_columns))
        timeout = settings.DATABASE_EXPORT_STATEMENT_TIMEOUT
        source = EXPORT_SLOTS.take(
            lambda: copy_csv(
                copy_statement(rows),
                header=header_line([header for header, _lookup in self.csv_columns]),
                conninfo=conninfo(rows.db),
                timeout=timeout,
                request_id=getattr(request, "request_id", None),
            )
        )
        if source is None:
            response = TemplateResponse(
                request,
                "service_unavailable.html",
                {
                    "title": "Too many exports at once",
                    "detail": f"{EXPORT_SLOTS.size} exports are already running here; try again in a minute.",
                },
                status=503,
            )
            response["Retry-After"] = "30"
            return response
        filename = f"{slugify(self.opts.verbose_name_plural)}.csv"
        return ClosingStreamingResponse(
            source,
            time_limit=sending_time_limit(timeout),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


def _expression(lookup):
    return F(lookup) if isinstance(lookup, str) else lookup
