"""Changelists of tables that grow with the chain's history (rentals, payments, customers, copies):
what a page costs does not grow with the table.

- :class:`CappedPaginator` counts at most ``PAGINATION_COUNT_LIMIT`` rows (the API's limit,
  10,000): ``SELECT count(*) FROM (... LIMIT 10001)``. Above it the list says "more than 10,000"
  and offers the pages that start within those rows, as the API's ``?page=N`` does; a filter or
  a search narrows it further. The templates ``admin/pagination.html``, ``admin/search_form.html``
  and ``admin/actions.html`` say so instead of a number.
- :func:`date_hierarchy` draws Django's date drill-down from the list's first and last dates
  (two index probes) when the list is over the limit, instead of ``SELECT DISTINCT`` of the year,
  month or day of every row.
- :class:`BigListAdmin` puts them together, orders only by the columns ``sortable_by`` names
  (those an index serves: a sort by film title is a sort of every rental) and offers no facet
  counts.
"""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.core.paginator import Paginator
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from pagila_site.api.pagination import bounded_count


class CappedPaginator(Paginator):
    """Django's paginator, counting no further than ``limit`` rows (``PAGINATION_COUNT_LIMIT``).

    ``count`` is exact up to the limit and ``limit + 1`` above it (``capped``); pages then run as
    deep as the limit, and the page range ends with an ellipsis instead of a last page.
    """

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page, **kwargs)
        self.limit = settings.PAGINATION_COUNT_LIMIT

    @cached_property
    def count(self) -> int:
        # The API's bounded count (only the key, LIMIT limit + 1); None means past the limit.
        counted = bounded_count(self.object_list, [], self.limit)
        return self.limit + 1 if counted is None else counted

    @property
    def capped(self) -> bool:
        return self.count > self.limit

    @property
    def limit_display(self) -> str:
        return f"{self.limit:,}"

    @cached_property
    def num_pages(self) -> int:
        if not self.capped:
            return super().num_pages
        return math.ceil(self.limit / self.per_page)

    def get_elided_page_range(self, number=1, *, on_each_side=3, on_ends=2):
        if not self.capped:
            yield from super().get_elided_page_range(number, on_each_side=on_each_side, on_ends=on_ends)
            return
        number = self.validate_number(number)
        last = min(number + on_each_side, self.num_pages)
        if number > on_each_side + on_ends + 1:
            yield from range(1, on_ends + 1)
            yield self.ELLIPSIS
            yield from range(number - on_each_side, last + 1)
        else:
            yield from range(1, last + 1)
        # More rows than were counted: no last page to offer.
        yield self.ELLIPSIS


def _capped(changelist) -> bool:
    return getattr(changelist.paginator, "capped", False)


def _local(moment):
    if isinstance(moment, datetime.datetime) and timezone.is_aware(moment):
        return timezone.localtime(moment)
    return moment


def date_hierarchy(cl) -> dict:
    """The context of Django's ``admin/date_hierarchy.html`` for the changelist ``cl``.

    Django's own (``admin_list.date_hierarchy``) reads the distinct years, months or days of every
    row the list holds. Over the count limit, the choices are every year (month, day) from the
    list's first date to its last instead, found by two ``ORDER BY ... LIMIT 1``: a chain's
    history has rentals and payments every day, and a choice that matches nothing shows an empty
    list.
    """
    if not _capped(cl):
        return admin_list.date_hierarchy(cl)
    field_name = cl.date_hierarchy
    year, month, day = (cl.params.get(f"{field_name}__{part}") for part in ("year", "month", "day"))
    if year and month and day:
        return admin_list.date_hierarchy(cl)  # a single day: Django's asks the database nothing
    dates = cl.queryset.values_list(field_name, flat=True)
    first = _local(dates.order_by(field_name).first())
    last = _local(dates.order_by(f"-{field_name}").first())
    if first is None:
        return {"show": False}
    if not (year or month) and first.year == last.year:
        # As Django's: a list within one year starts at its months, within one month at its days.
        year = first.year
        if first.month == last.month:
            month = first.month

    def link(**parts):
        return cl.get_query_string({f"{field_name}__{k}": v for k, v in parts.items()}, [f"{field_name}__"])

    def choice(title: str, **parts) -> dict:
        return {"link": link(**parts), "title": title}

    if year and month:
        back = {"link": link(year=year), "title": str(year)}
        days = [datetime.date(int(year), int(month), d) for d in range(first.day, last.day + 1)]
        choices = [choice(_title(d, "MONTH_DAY_FORMAT"), year=year, month=month, day=d.day) for d in days]
    elif year:
        back = {"link": link(), "title": _("All dates")}
        months = [datetime.date(int(year), m, 1) for m in range(first.month, last.month + 1)]
        choices = [choice(_title(m, "YEAR_MONTH_FORMAT"), year=year, month=m.month) for m in months]
    else:
        back = None
        choices = [choice(str(y), year=y) for y in range(first.year, last.year + 1)]
    field = cl.model._meta.get_field(field_name)
    return {"show": True, "back": back, "choices": choices, "field_name": field.verbose_name}


def _title(day: datetime.date, date_format: str) -> str:
    return capfirst(formats.date_format(day, date_format))


class _BigChangeList:
    """Mixed into the admin's changelist class by :meth:`BigListAdmin.get_changelist`."""

    def get_ordering_field(self, field_name):
        # Django's changelist takes any column's ordering from the query string (?o=2), not only
        # the ones whose headers it offers.
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)

    @cached_property
    def date_drilldown(self) -> dict:
        return date_hierarchy(self)


class ReadOnlyAdmin:
    """A list of records nobody edits here (a ledger, a change log): no add, change or delete
    page or action; viewing still needs the model's view permission."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BigListAdmin:
    """For a ``ModelAdmin`` of a table that grows with the chain's history. List it first among
    the bases: its changelist template builds on the CSV export's (every such list has one).

    ``sortable_by`` must name only columns an index orders by; the model's default ordering must
    be one too.
    """

    show_full_result_count = False
    # Facets count every row of the list once per filter choice.
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedPaginator
    change_list_template = "admin/big_list/change_list.html"

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        return type(f"Big{changelist.__name__}", (_BigChangeList, changelist), {})
