"""Query filters of the rental lists. Bad values are 400 naming the parameter."""

import django_filters
from django.db import models

from pagila_site.api.filters import FilterSet, IdFilter
from rentals.models import Rental


class RentalStatus(models.TextChoices):
    OPEN = "open", "not returned yet"
    RETURNED = "returned", "returned"
    OVERDUE = "overdue", "not returned and past its due date"


class CustomerRentalFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=RentalStatus.choices, method="filter_status")

    class Meta:
        model = Rental
        fields = ["status"]

    def filter_status(self, queryset, name, value):
        if value == RentalStatus.OPEN:
            return queryset.open()
        if value == RentalStatus.RETURNED:
            return queryset.returned()
        return queryset.overdue()


class RentalFilter(CustomerRentalFilter):
    customer_id = IdFilter(field_name="customer_id")
    inventory_id = IdFilter(field_name="inventory_id")
    film_id = IdFilter(field_name="inventory__film_id")

    class Meta:
        model = Rental
        fields = ["status", "customer_id", "inventory_id", "film_id"]
