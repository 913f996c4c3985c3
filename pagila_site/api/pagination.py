"""The contract's pagination: ``?page=N&page_size=M``, default 20, at most 100; and for the lists
that grow with the chain's history, cursors and bounded counts ("Lists at a chain's scale").

A ``page_size`` above the maximum is clamped and one that is not a positive integer falls back
to the default (the contract's single exception to "bad query values are 400"). A ``page`` that
is not a positive integer is 400 naming ``page``; a page past the end, however far, is 404.
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import InvalidPage, Page, Paginator
from django.db import connections, models
from django.db.models import Count, Window
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from pagila_site.api.filters import sends_filters


class ContractPagination(PageNumberPagination):
    page_size = 20
    max_page_size = 100
    page_size_query_param = "page_size"
    page_query_param = "page"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        try:
            size = int(raw)
        except (TypeError, ValueError):
            return self.page_size
        if size < 1:
            return self.page_size
        return min(size, self.max_page_size)

    def page_number(self, request) -> int:
        """The requested page: 400 unless a positive integer, 404 when past the end of any list."""
        raw = request.query_params.get(self.page_query_param, "1")
        digits = raw.lstrip("0")
        if not (raw.isascii() and raw.isdigit() and digits):
            raise exceptions.ValidationError({self.page_query_param: ["A positive integer is required."]})
        # Over ten digits is past the end of any list, and a 5,000-digit number must not cost a
        # big-int conversion (or Python's refusal of one).
        if len(digits) > 10:
            self.past_any_list(digits)
        return int(digits)

    def past_any_list(self, digits: str):
        """A page number too big for any list: 404."""
        raise exceptions.NotFound(f"Page {digits} does not exist.")

    def paginate_queryset(self, queryset, request, view=None):
        number = self.page_number(request)
        self.request = request
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        try:
            self.page = paginator.page(number)
        except InvalidPage as exc:
            raise exceptions.NotFound(f"Page {number} does not exist.") from exc
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(
                    {"minimum": 1, "maximum": self.max_page_size, "default": self.page_size}
                )
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update({"minimum": 1, "default": 1})
        return parameters


class OneQueryPagination(ContractPagination):
    """The same pages, with the total counted by the page's own query (``count(*) OVER ()``).

    For lists bounded by one parent row, such as a customer's rentals: counting them all costs
    the database nothing next to the round trip and the query compilation a separate COUNT(*)
    costs Python. Not for long lists: the window makes PostgreSQL compute every matching row.

    ``page_was_empty`` tells the view that no row matched on the page, so it can check that the
    parent exists (a customer with no rentals, or none at all) without a query when rows came back.
    """

    @staticmethod
    def counted(queryset):
        """``queryset`` with the total of its rows on each (what :meth:`paginate_rows` reads)."""
        return queryset.annotate(_total_rows=Window(Count("*")))

    def paginate_queryset(self, queryset, request, view=None):
        counted = self.counted(queryset)
        return self.paginate_rows(lambda offset, limit: list(counted[offset : offset + limit]), request)

    def paginate_rows(self, fetch, request):
        """The page from ``fetch(offset, limit)``: the rows of a :meth:`counted` query there."""
        number = self.page_number(request)
        self.request = request
        size = self.get_page_size(request)
        rows = fetch((number - 1) * size, size)
        self.page_was_empty = not rows
        if not rows and number > 1:
            raise exceptions.NotFound(f"Page {number} does not exist.")
        # Django's documented Page over the rows of this page alone, with the known total.
        paginator = CountedPaginator(rows, size, count=rows[0]._total_rows if rows else 0)
        self.page = Page(rows, number, paginator)
        return rows


class CountedPaginator(Paginator):
    """A paginator whose ``count`` is given (counted by the page's own query), not counted from
    the list it holds, which is only the page's rows."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


class FilteredByOneQueryPagination(OneQueryPagination):
    """A list counted by its page's query when a filter narrowed it (the Action page: one query
    instead of a COUNT(*) and a page), and by COUNT(*) when it is the whole table (the films
    list: the window would have PostgreSQL compute every row before the page, which costs more
    than the second query saves). The README's Performance section has the measurements."""

    def paginate_queryset(self, queryset, request, view=None):
        if sends_filters(request, view):
            return super().paginate_queryset(queryset, request, view)
        return ContractPagination.paginate_queryset(self, queryset, request, view)


class RowCompare(models.Expression):
    """``(a, b) < (%s, %s)``: PostgreSQL's row comparison, which a b-tree index on ``(a, b)``
    answers by starting at that position, where ``a < x OR (a = x AND b < y)`` would walk the
    index from its start and filter."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, columns: list, values: list, operator: str):
        super().__init__()
        self.columns, self.values, self.operator = list(columns), list(values), operator

    def get_source_expressions(self):
        return [*self.columns, *self.values]

    def set_source_expressions(self, exprs):
        self.columns, self.values = exprs[: len(self.columns)], exprs[len(self.columns) :]

    def as_sql(self, compiler, connection):
        sides, params = [], []
        for side in (self.columns, self.values):
            parts = []
            for expression in side:
                sql, part_params = compiler.compile(expression)
                parts.append(sql)
                params.extend(part_params)
            sides.append(", ".join(parts))
        return f"({sides[0]}) {self.operator} ({sides[1]})", params


_UNCOUNTED = object()


def _ordering(queryset) -> tuple[list[str], bool]:
    """The names of the fields ``queryset`` is ordered by, all in one direction, and whether that
    direction is descending."""
    order_by = list(queryset.query.order_by)
    directions = {name.startswith("-") for name in order_by}
    if len(directions) != 1:
        raise TypeError(f"A cursor needs a list ordered one way by its fields, not {order_by}")
    return [name.removeprefix("-") for name in order_by], directions.pop()


def bounded_count(whole, parts: list, limit: int) -> int | None:
    """How many rows ``whole`` has, counting at most ``limit + 1``; None as soon as one of
    ``parts`` (querysets of some of its rows) has more than ``limit``.

    One statement, ``CASE WHEN (count of a part) > limit THEN NULL ... ELSE (count of the whole)``:
    PostgreSQL runs a branch's subquery only when it gets there, so a part that settles it (a
    clerk's own customers' rentals, one hashed condition) spares the count of the whole (an OR
    across the scope), and a list without parts costs what a COUNT did.
    """
    if not parts:
        return whole.order_by().values("pk")[: limit + 1].count()
    sql, params = ["SELECT CASE"], []
    for part in parts:
        part_sql, part_params = _count_sql(part, limit)
        sql.append(f"WHEN ({part_sql}) > %s THEN NULL")
        params += [*part_params, limit]
    whole_sql, whole_params = _count_sql(whole, limit)
    sql.append(f"ELSE ({whole_sql}) END")
    with connections[whole.db].cursor() as cursor:
        cursor.execute(" ".join(sql), [*params, *whole_params])
        return cursor.fetchone()[0]


def _count_sql(queryset, limit: int) -> tuple[str, tuple]:
    """``SELECT count(*) FROM (<queryset's keys> LIMIT limit + 1)`` as SQL and parameters.
    ``Query.sql_with_params()`` is Django's own compilation of a queryset (used by ``str(query)``)."""
    rows_sql, params = queryset.order_by().values("pk")[: limit + 1].query.sql_with_params()
    return f"SELECT count(*) FROM ({rows_sql}) counted", params  # noqa: S608 - compiled by Django


class PageTooDeep(exceptions.ValidationError):
    """400 ``page_too_deep`` naming ``page``: an offset that deep would make PostgreSQL read and
    drop every row before it."""

    contract_code = "page_too_deep"


def _cursor_error() -> exceptions.ValidationError:
    return exceptions.ValidationError(
        {"cursor": ["Not a cursor of this list: follow the next and previous links."]}
    )


class CursorPagination(ContractPagination):
    """Pages of a list that grows with the chain's history: ``next`` and ``previous`` are links
    with an opaque ``cursor``, the position of a row in the list's order (which ends with the
    row's unique key), so a page a million rows deep is found by the index as the first is.

    ``?page=N`` still answers while ``(N - 1) * page_size`` is under ``PAGINATION_MAX_OFFSET``,
    and 400 ``page_too_deep`` deeper. ``count`` is exact up to ``PAGINATION_COUNT_LIMIT`` and
    null above: counting is bounded by ``LIMIT``, never a whole table. The queryset must be
    ordered by concrete fields all in one direction (``-rental_date, -rental_id``).

    A cursor is signed (``signing.Signer``, salted per list): one that was altered, or made for
    another list, is 400 naming ``cursor``. A view may define ``count_queryset()``: the list's
    rows as a cheaper queryset to count; and ``count_lower_bounds()``: parts of the list, cheap to
    count, any of which past the limit makes the count null without counting the whole.
    """

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.start(queryset, request, view)
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            rows = self.numbered_page(lambda offset, limit: self.fetch(queryset, offset, limit))
        else:
            rows = self.cursor_page(queryset, *self.decode(raw, queryset.model))
        return self.finish(queryset, rows)

    def start(self, queryset, request, view=None) -> None:
        self.request = request
        self.view = view
        self.size = self.get_page_size(request)
        self.ordering, self.descending = _ordering(queryset)
        self.salt = f"pagila.cursor:{queryset.model._meta.label_lower}:{','.join(self.ordering)}"
        self.count = _UNCOUNTED

    def finish(self, queryset, rows: list) -> list:
        self.page_was_empty = not rows
        self._rows = rows
        if self.count is _UNCOUNTED:
            self.count = self.bounded_count(queryset, rows)
        return rows

    def past_any_list(self, digits: str):
        """Deeper than pages by number reach, as any page past ``PAGINATION_MAX_OFFSET`` is."""
        raise self.too_deep()

    def too_deep(self) -> PageTooDeep:
        return PageTooDeep(
            {
                self.page_query_param: [
                    f"Pages by number reach {settings.PAGINATION_MAX_OFFSET:,} rows deep: "
                    "follow the next links."
                ]
            }
        )

    def numbered_page(self, fetch) -> list:
        """Page ``?page=N`` from ``fetch(offset, limit)``, which may set ``self.count``."""
        number = self.page_number(self.request)
        offset = (number - 1) * self.size
        if offset >= settings.PAGINATION_MAX_OFFSET:
            raise self.too_deep()
        # One row more than a page: whether there is a next one, without a query.
        rows = fetch(offset, self.size + 1)
        if not rows and number > 1:
            raise exceptions.NotFound(f"Page {number} does not exist.")
        self.has_next, rows = len(rows) > self.size, rows[: self.size]
        self.has_previous = number > 1
        self.first_page = number == 1
        return rows

    def fetch(self, queryset, offset: int, limit: int) -> list:
        return list(queryset[offset : offset + limit])

    def cursor_page(self, queryset, position: list, reverse: bool):
        columns = [models.F(name) for name in self.ordering]
        # Forward in a descending list means smaller keys; backward, the list read upside down.
        operator = "<" if self.descending != reverse else ">"
        values = [
            models.Value(v, output_field=queryset.model._meta.get_field(n))
            for n, v in zip(self.ordering, position, strict=True)
        ]
        after = queryset.filter(RowCompare(columns, values, operator))
        if reverse:
            after = after.reverse()
        rows = list(after[: self.size + 1])
        more, rows = len(rows) > self.size, rows[: self.size]
        self.first_page = False
        if reverse:
            rows.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, True
        self.position = position
        return rows

    def bounded_count(self, queryset, rows) -> int | None:
        limit = settings.PAGINATION_COUNT_LIMIT
        if self.first_page and not self.has_next:
            return len(rows)
        # Only the key, and from the view's count_queryset() where it has one: the same rows without
        # what a page shows of each (a rental's film and amounts), whose joins would cost the count
        # more than the rows themselves.
        count_queryset = getattr(self.view, "count_queryset", None)
        whole = count_queryset() if count_queryset else queryset
        parts = getattr(self.view, "count_lower_bounds", list)()
        counted = bounded_count(whole, parts, limit)
        return counted if counted is not None and counted <= limit else None

    def decode(self, raw: str, model) -> tuple[list, bool]:
        try:
            values, reverse = signing.Signer(salt=self.salt).unsign_object(raw)
            if not isinstance(reverse, bool) or len(values) != len(self.ordering):
                raise ValueError
            position = [
                model._meta.get_field(n).to_python(v) for n, v in zip(self.ordering, values, strict=True)
            ]
        except (signing.BadSignature, ValueError, TypeError, DjangoValidationError) as exc:
            raise _cursor_error() from exc
        if any(v is None for v in position):
            raise _cursor_error()
        return position, reverse

    def encode(self, row, reverse: bool) -> str:
        values = [getattr(row, name) for name in self.ordering]
        return self.encode_position(values, reverse)

    def encode_position(self, values, reverse: bool) -> str:
        plain = [v.isoformat() if hasattr(v, "isoformat") else v for v in values]
        return signing.Signer(salt=self.salt).sign_object([plain, reverse])

    def _link(self, cursor: str) -> str:
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_next_link(self):
        if not self.has_next:
            return None
        return self._link(self.encode(self._rows[-1], False)) if self._rows else None

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if self._rows:
            return self._link(self.encode(self._rows[0], True))
        # An empty page past the end of a cursor walk: back from where it stood.
        return self._link(self.encode_position(self.position, True))

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["count"] = {
            "type": "integer",
            "nullable": True,
            "example": 123,
            "description": f"Exact up to {settings.PAGINATION_COUNT_LIMIT:,}; null above "
            "(walk next until it is null).",
        }
        paginated["properties"]["next"]["example"] = "http://api.example.org/accounts/?cursor=WyJ..."
        paginated["properties"]["previous"]["example"] = "http://api.example.org/accounts/?cursor=WyJ..."
        return paginated

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["description"] = (
                    f"Page number, while (page - 1) x page_size < {settings.PAGINATION_MAX_OFFSET:,}; "
                    "deeper is 400 page_too_deep (follow next instead)."
                )
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "An opaque position in the list, from a next or previous link.",
                "schema": {"type": "string"},
            }
        )
        return parameters


class CountedCursorPagination(CursorPagination):
    """The same, for lists bounded by one parent row (a customer's rentals and payments): a page
    by number is counted by its own query (``count(*) OVER ()``, as :class:`OneQueryPagination`),
    a page by cursor by a bounded COUNT apart, since its rows start mid-list."""

    def fetch(self, queryset, offset: int, limit: int) -> list:
        return self.counted_rows(list(OneQueryPagination.counted(queryset)[offset : offset + limit]), offset)

    def counted_rows(self, rows: list, offset: int) -> list:
        """``rows`` of a :meth:`OneQueryPagination.counted` query, their total taken as the count."""
        if rows:
            total = rows[0]._total_rows
            self.count = total if total <= settings.PAGINATION_COUNT_LIMIT else None
        elif offset == 0:
            self.count = 0
        return rows

    def paginate_rows(self, queryset, fetch, request) -> list:
        """A page by number from ``fetch(offset, limit)``: the rows of a counted query of
        ``queryset`` compiled elsewhere (``pagila_site/compiled.py``)."""
        self.start(queryset, request, None)
        rows = self.numbered_page(lambda offset, limit: self.counted_rows(fetch(offset, limit), offset))
        return self.finish(queryset, rows)
