"""Query filters of the customer endpoints, and the id filter every app of ours shares.

Bad values are 400 naming the parameter (DjangoFilterBackend raises the form's errors), so
every filter here validates strictly instead of ignoring what it can't read.
"""

import django_filters
from django import forms
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from customers.models import Customer

# PostgreSQL ``integer``: Pagila's ids. A larger value can't name a row, so it's invalid input.
PG_INT_MAX = 2**31 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": PG_INT_MAX})
class IdFilter(django_filters.Filter):
    """An exact match on a Pagila id: a positive integer that fits PostgreSQL's ``integer``."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", PG_INT_MAX)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """``true`` or ``false``, as a bool; anything else is an error (django-filter's BooleanFilter
    would silently ignore ``maybe``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)


class CustomerFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=100,
        help_text="Case-insensitive match of every word in first name, last name or email.",
    )
    active = StrictBooleanFilter(method="filter_active", help_text="Pagila's customer.active = 1.")
    store_id = IdFilter(field_name="store_id", help_text="The customer's home store.")

    class Meta:
        model = Customer
        fields = ["search", "active", "store_id"]

    def filter_search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
            )
        return queryset

    def filter_active(self, queryset, name, value):
        return queryset.active() if value else queryset.exclude(active=1)
