"""Query filters of the customer endpoints.

Bad values are 400 naming the parameter (DjangoFilterBackend raises the form's errors), so
every filter here validates strictly instead of ignoring what it can't read.
"""

import django_filters
from django.db.models import Q

from customers.models import Customer
from pagila_site.api.filters import FilterSet, IdFilter, StrictBooleanFilter


class CustomerFilter(FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=100,
        help_text="Case-insensitive match of every word in first name, last name or email.",
    )
    active = StrictBooleanFilter(method="filter_active", help_text="Pagila's customer.active = 1.")
    store_id = IdFilter(min_value=0, field_name="store_id", help_text="The customer's home store.")

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
