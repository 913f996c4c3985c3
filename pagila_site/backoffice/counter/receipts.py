"""A visit's receipt at the counter: what it rented and returned, read back from the database.

A receipt is named by its rentals (``/admin/counter/receipts/16050-16051/``): the counter links a
visit's rentals, and one rental's id alone gives that rental's receipt. It is built from the rows
as they are now, not from what the session remembers, so a reprint is always true: copies still
out with their due dates, returned ones with the fee Pagila's rule charges, and the payments made
on them. Every rental must be in the caller's scope and all of one customer's, or there is no
such receipt (404). A rental is in scope by its copy as well as by its customer, so a copy of
the clerk's store returned by another store's customer has a receipt, which names that customer
by id only (``customers.scope.customer_label``), as the rental changelist does.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404

from customers.models import Customer
from customers.scope import customer_label
from rentals.models import PaymentLedgerEntry, Rental, shown_rentals


@dataclass(frozen=True)
class Receipt:
    customer: Customer
    # How the caller may name the customer ("#333" when another store's), and whether they are
    # the caller's own (their counter page exists for the caller).
    customer_label: str
    customer_in_scope: bool
    rented: list[Rental]
    returned: list[Rental]
    payments: list[PaymentLedgerEntry]

    @property
    def fees(self) -> Decimal:
        return sum((rental.amount_due for rental in self.returned), Decimal("0.00"))

    @property
    def paid(self) -> Decimal:
        return sum((payment.amount for payment in self.payments), Decimal("0.00"))

    @property
    def balance(self) -> Decimal:
        """What these rentals still owe (copies still out: were they returned now)."""
        return sum((rental.balance for rental in (*self.rented, *self.returned)), Decimal("0.00"))


def receipt_of(scope, rental_ids: list[int]) -> Receipt:
    """The receipt of ``rental_ids``; ``Http404`` unless all are in scope and one customer's."""
    wanted = set(rental_ids)
    rentals = list(
        shown_rentals()
        .in_scope(scope)
        .filter(pk__in=wanted)
        .select_related("customer__address")
        .order_by("rental_date", "rental_id")
    )
    if len(rentals) != len(wanted) or len({rental.customer_id for rental in rentals}) != 1:
        raise Http404("No such receipt in your stores.")
    payments = list(
        PaymentLedgerEntry.objects.filter(rental_id__in=wanted).order_by("payment_date", "payment_id")
    )
    customer = rentals[0].customer
    return Receipt(
        customer=customer,
        customer_label=customer_label(scope, customer),
        customer_in_scope=scope.covers_customer(customer),
        rented=[rental for rental in rentals if rental.return_date is None],
        returned=[rental for rental in rentals if rental.return_date is not None],
        payments=payments,
    )
