"""The contract's pagination: ``?page=N&page_size=M``, default 20, at most 100.

A ``page_size`` above the maximum is clamped and one that is not a positive integer falls back
to the default (the contract's single exception to "bad query values are 400"). A ``page`` that
is not a positive integer is 400 naming ``page``; a page past the end, however far, is 404.
"""

from django.core.paginator import InvalidPage, Page
from django.db.models import Count, Window
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

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
            raise exceptions.NotFound(f"Page {digits} does not exist.")
        return int(digits)

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
        paginator = self.django_paginator_class(rows, size)
        # The total is known: the paginator must not count the list it was given.
        paginator.count = rows[0]._total_rows if rows else 0
        self.page = Page(rows, number, paginator)
        return rows


class FilteredByOneQueryPagination(OneQueryPagination):
    """A list counted by its page's query when a filter narrowed it (the Action page: one query
    instead of a COUNT(*) and a page, 456 -> 520 req/s), and by COUNT(*) when it is the whole
    table (the films list: the window would have PostgreSQL compute every row before the page,
    689 -> 621 req/s)."""

    def paginate_queryset(self, queryset, request, view=None):
        if sends_filters(request, view):
            return super().paginate_queryset(queryset, request, view)
        return ContractPagination.paginate_queryset(self, queryset, request, view)
