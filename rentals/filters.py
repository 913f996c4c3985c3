"""Query filters of the rental, payment, hold and transfer lists. Bad values are 400 naming the
parameter."""

import django_filters
from django.db import models
from django.db.models import Q

from pagila_site.api.filters import FilterSet, IdFilter, IsoDateTimeFilter
from rentals.models import Hold, Payment, Rental, Transfer


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


class CustomerHoldFilter(FilterSet):
    store_id = IdFilter(min_value=0, field_name="store_id", help_text="The store the hold is at.")
    film_id = IdFilter(field_name="film_id")
    status = django_filters.ChoiceFilter(
        choices=Hold.Status.choices,
        method="filter_status",
        help_text="As shown: `ready` leaves out, and `expired` includes, ready holds past expires_at.",
    )

    class Meta:
        model = Hold
        fields = ["store_id", "film_id", "status"]

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value)


class HoldFilter(CustomerHoldFilter):
    customer_id = IdFilter(field_name="customer_id")

    class Meta:
        model = Hold
        fields = ["store_id", "film_id", "customer_id", "status"]


class TransferFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=Transfer.Status.choices)
    store_id = IdFilter(min_value=0, method="filter_store", help_text="Sent from or to this store.")

    class Meta:
        model = Transfer
        fields = ["status", "store_id"]

    def filter_store(self, queryset, name, value):
        return queryset.filter(Q(from_store_id=value) | Q(to_store_id=value))
