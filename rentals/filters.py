"""Query filters of the rental and payment lists. Bad values are 400 naming the parameter."""

import django_filters
from django.db import models

from pagila_site.api.filters import FilterSet, IdFilter, IsoDateTimeFilter
from rentals.models import Payment, Rental


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


class CustomerPaymentFilter(FilterSet):
    rental_id = IdFilter(field_name="rental_id")
    staff_id = IdFilter(field_name="staff_id", help_text="The staff member who took the payment.")
    since = IsoDateTimeFilter(
        field_name="payment_date",
        lookup_expr="gte",
        help_text="Paid at or after (ISO 8601 date or date-time).",
    )
    until = IsoDateTimeFilter(
        field_name="payment_date", lookup_expr="lt", help_text="Paid before (ISO 8601 date or date-time)."
    )

    class Meta:
        model = Payment
        fields = ["rental_id", "staff_id", "since", "until"]


class PaymentFilter(CustomerPaymentFilter):
    customer_id = IdFilter(field_name="customer_id")

    class Meta:
        model = Payment
        fields = ["customer_id", "rental_id", "staff_id", "since", "until"]
