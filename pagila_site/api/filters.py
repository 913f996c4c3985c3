"""Filter pieces every app's ``filters.py`` shares: the ``FilterSet`` base, PostgreSQL's integer
range, Pagila ids, the strict boolean, ISO 8601 dates or date-times, and the backend that applies
a viewset's ``FilterSet`` to its list only.

The contract makes a malformed filter value a 400 naming the parameter, never "no filter", so
each of these validates what it reads instead of ignoring it.
"""

from datetime import UTC

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

# PostgreSQL's ``integer``, the type of Pagila's ids and of ``film.release_year``: a value outside
# it can't name a row or match a column, so it is invalid input, not a 500.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class FilterSet(filters.FilterSet):
    """The base of every app's FilterSets: django-filter's, with its form class built once.

    django-filter builds the form class again for every request (a form field per filter, then
    the class), a third of validating a filtered list. Ours depend on nothing but the FilterSet's
    declaration (no filter takes its queryset or choices from the request), so one class serves
    every request; each request still gets its own form, with its own data and errors.
    """

    def get_form_class(self):
        form_class = _form_classes.get(type(self))
        if form_class is None:
            form_class = _form_classes[type(self)] = super().get_form_class()
        return form_class


_form_classes: dict[type, type] = {}


class IntegerFilter(filters.NumberFilter):
    """An exact integer (``2006``): NumberFilter's decimal field would accept ``2006.5``."""

    field_class = forms.IntegerField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": INT_MAX})
class IdFilter(IntegerFilter):
    """An exact match on a Pagila id: a positive integer that fits PostgreSQL's ``integer``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", INT_MAX)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.Field):
    """``true`` or ``false`` (any case); anything else is invalid rather than ignored."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return {"true": True, "false": False}[str(value).lower()]
        except KeyError:
            raise ValidationError("Must be true or false.", code="invalid") from None


class StrictBooleanFilter(filters.BooleanFilter):
    """``true`` or ``false``: django-filter's BooleanFilter would read ``maybe`` as "no filter"."""

    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        # The rest_framework BooleanFilter's widget maps unknown values to None ("no filter").
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class IsoDateTimeField(forms.Field):
    """An ISO 8601 date-time (``2022-05-01T10:00:00Z``) or date (its midnight); no offset: UTC.

    Django's ``DateTimeField`` would also read ``05/01/2022``, which means the first of May to
    some and the fifth of January to others.
    """

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            # A bare date too: parse_datetime reads 2022-05-01 as its midnight.
            moment = parse_datetime(value)
        except ValueError:  # well formed but not a real date, like 2022-02-30
            moment = None
        if moment is None:
            raise ValidationError("Enter an ISO 8601 date or date-time.", code="invalid")
        try:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, timezone.get_current_timezone())
            # In UTC: PostgreSQL refuses offsets beyond 15:59, which Python allows up to 23:59.
            return moment.astimezone(UTC)
        except OverflowError:  # within a day of year 1 or 9999, out of range in UTC
            raise ValidationError("Enter an ISO 8601 date or date-time.", code="invalid") from None


@extend_schema_field(
    {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]}
)
class IsoDateTimeFilter(filters.Filter):
    """A bound on a timestamp column: pass ``lookup_expr`` (``gte`` for "since", ``lt`` for "until")."""

    field_class = IsoDateTimeField


class ListFilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend (``DEFAULT_FILTER_BACKENDS``), for lists that send a filter.

    A ``FilterSet`` holds a list's query parameters, and the schema documents them on lists only.
    DRF's ``get_object()`` filters too: without this, a detail, an update or a delete would build
    and validate the whole ``FilterSet`` (a third of a rental detail's Python), answer 400 for a
    list parameter it doesn't take and 404 for a row the parameters leave out.

    A list whose query string holds only the page's parameters has nothing to validate or filter
    by (every filter of ours is optional, and django-filter's skip empty values): building the
    ``FilterSet`` and its form to find that out would be a tenth of the list's Python.
    """

    def filter_queryset(self, request, queryset, view):
        # A plain generic view has no action: it is filtered as django-filter would filter it.
        if getattr(view, "action", "list") != "list":
            return queryset
        if not sends_filters(request, view):
            return queryset
        return super().filter_queryset(request, queryset, view)


def sends_filters(request, view) -> bool:
    """Whether a list request sends any parameter but its page's: what ``ListFilterBackend``
    filters by, and what the paginators and views that count or read an unfiltered list
    differently ask."""
    paginator = getattr(view, "paginator", None)
    paging = {
        getattr(paginator, name, None)
        for name in ("page_query_param", "page_size_query_param", "cursor_query_param")
    }
    return not all(name in paging for name in request.query_params)
