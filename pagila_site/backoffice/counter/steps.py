"""The steps of a visit: one copy checked out or in, one payment taken, each through
``rentals.services`` with the clerk's scope (the counter writes no row itself), answered as the
visit's event, a refusal included, so one refused copy never stops the others."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from customers.models import Customer
from pagila_site.backoffice.counter.holds import shown_customer
from pagila_site.backoffice.counter.visit import event
from rentals.errors import RentalError
from rentals.models import Hold, Rental
from rentals.services import payment_create, rental_create, rental_return


def _display_time(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def open_rental_of(scope, inventory_id: int) -> tuple[int, int] | None:
    """``(rental_id, customer_id)`` of the copy's open rental, if one is in scope."""
    return (
        Rental.objects.in_scope(scope)
        .open()
        .filter(inventory_id=inventory_id)
        .values_list("pk", "customer_id")
        .first()
    )


def check_out(scope, customer_id: int, inventory_id: int) -> dict:
    """Rent one copy to the customer: the visit's event for it."""
    try:
        rented = rental_create(scope=scope, customer_id=customer_id, inventory_id=inventory_id)
    except RentalError as exc:
        return event("check-out", "refused", inventory_id, detail=str(exc))
    due = f"Due {_display_time(rented.due_date)}"
    return event("check-out", "rented", inventory_id, rented.pk, rented.film_title, due)


def check_in(scope, customer_id: int, inventory_id: int) -> dict:
    """Return one copy the customer hands back: the visit's event for it."""
    found = open_rental_of(scope, inventory_id)
    if found is not None and found[1] == customer_id:
        return return_rental(scope, inventory_id, found[0])
    if found is None:
        detail = "This copy is not out on a rental in your stores."
    else:
        # Kept apart so that a visit's receipt is one customer's.
        detail = (
            f"This copy is out to customer {found[1]}, not to this customer: "
            "check it in from the counter's start page."
        )
    return event("check-in", "refused", inventory_id, detail=detail)


def return_rental(scope, inventory_id: int, rental_id: int) -> dict:
    """Return the rental through the service; the event says the fee, or why not."""
    try:
        returned = rental_return(scope=scope, rental_id=rental_id)
    except (RentalError, Rental.DoesNotExist) as exc:
        # Another desk returned it between the lookup and now.
        return event("check-in", "refused", inventory_id, detail=str(exc))
    return event(
        "check-in",
        "returned",
        inventory_id,
        returned.pk,
        returned.film_title,
        f"Fee ${returned.amount_due}",
        hold=set_aside(scope, returned.set_aside_for),
    )


def set_aside(scope, hold: Hold | None) -> dict | None:
    """The hold a copy came back for, as a visit's event keeps it: ``hold_id``, ``customer_id``
    and ``customer``, "NAME (#id)" for a customer of the clerk's stores and "#id" alone for
    another store's (whose hold may be at the clerk's store)."""
    if hold is None:
        return None
    customer = Customer.objects.only("first_name", "last_name", "store_id").get(pk=hold.customer_id)
    return {"hold_id": hold.pk, "customer_id": customer.pk, "customer": shown_customer(scope, customer)}


def pay(scope, rental_id: int, inventory_id: int, film: str, amount: Decimal) -> dict:
    """Take ``amount`` for the rental through the service; the event says what was paid, or why not."""
    try:
        payment = payment_create(scope=scope, rental_id=rental_id, amount=amount)
    except (RentalError, Rental.DoesNotExist) as exc:
        return event("payment", "refused", inventory_id, detail=str(exc))
    return event("payment", "paid", inventory_id, rental_id, film, f"Paid ${payment.amount}")
