"""The steps of a visit: one copy checked out or in, one payment taken, one copy's condition
marked, each through ``rentals.services`` (a condition: ``rentals.copies``) with the clerk's scope
(the counter writes no row itself), answered as the visit's event, a refusal included, so one
refused copy never stops the others."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from customers.models import Customer
from pagila_site.backoffice.counter.holds import shown_customer
from pagila_site.backoffice.counter.visit import event
from rentals.copies import copy_condition_set
from rentals.errors import CustomerBlocked, OverrideNotAllowed, RentalError
from rentals.models import Hold, Inventory, Rental
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


def check_out(
    scope,
    customer_id: int,
    inventory_id: int,
    *,
    override_reason: str | None = None,
    may_override: bool = False,
) -> dict:
    """Rent one copy to the customer (past a block with ``override_reason``, for a user who
    ``may_override``): the visit's event for it."""
    try:
        rented = rental_create(
            scope=scope,
            customer_id=customer_id,
            inventory_id=inventory_id,
            override_reason=override_reason,
            may_override=may_override,
        )
    except CustomerBlocked as exc:
        return event("check-out", "refused", inventory_id, detail=blocked_detail(exc.reasons, may_override))
    except OverrideNotAllowed:
        # The service's message names the API's field; the desk has no such box for this user.
        detail = "Only a manager may rent past a block: nothing was rented with the override reason."
        return event("check-out", "refused", inventory_id, detail=detail)
    except RentalError as exc:
        return event("check-out", "refused", inventory_id, detail=str(exc))
    due = f"Due {_display_time(rented.due_date)}"
    if override_reason is not None:
        due = f"{due}. Block overridden: {override_reason}"
    return event("check-out", "rented", inventory_id, rented.pk, rented.film_title, due)


def blocked_detail(reasons: list[str], may_override: bool) -> str:
    """Why the block refused a copy, in the desk's words (the figures are on the customer card),
    and what can be done about it by whoever is at the desk."""
    said = {
        "balance": f"owes more than ${settings.CIRCULATION_MAX_BALANCE:,.2f}",
        "overdue": f"more than {settings.CIRCULATION_MAX_OVERDUE} rentals overdue",
    }
    then = "give an override reason to rent anyway" if may_override else "only a manager may rent anyway"
    return f"Blocked ({'; '.join(said[reason] for reason in reasons)}): {then}."


def check_in(scope, customer_id: int, inventory_id: int, *, returned_at: datetime | None = None) -> dict:
    """Return one copy the customer hands back (at ``returned_at``, for a drop box, else now): the
    visit's event for it."""
    found = open_rental_of(scope, inventory_id)
    if found is not None and found[1] == customer_id:
        return return_rental(scope, inventory_id, found[0], returned_at=returned_at)
    if found is None:
        detail = "This copy is not out on a rental in your stores."
    else:
        # Kept apart so that a visit's receipt is one customer's.
        detail = (
            f"This copy is out to customer {found[1]}, not to this customer: "
            "check it in from the counter's start page."
        )
    return event("check-in", "refused", inventory_id, detail=detail)


def return_rental(scope, inventory_id: int, rental_id: int, *, returned_at: datetime | None = None) -> dict:
    """Return the rental through the service, now or at ``returned_at``; the event says the fee
    (and the time, when backdated), or why not: the service's limits on a backdated return
    (before the rental, in the future, too far back) are refusals like any other."""
    try:
        returned = rental_return(scope=scope, rental_id=rental_id, returned_at=returned_at)
    except (RentalError, Rental.DoesNotExist) as exc:
        # Another desk returned it between the lookup and now, or the time was refused.
        return event("check-in", "refused", inventory_id, detail=str(exc))
    fee = f"Fee ${returned.amount_due}"
    if returned_at is not None:
        fee = f"{fee} (returned {_display_time(returned_at)})"
    return event(
        "check-in",
        "returned",
        inventory_id,
        returned.pk,
        returned.film_title,
        fee,
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


def mark_copy(scope, inventory_id: int, condition: str, note: str, customer_id: int | None = None) -> dict:
    """Mark the copy ``condition`` for ``note`` through the service: the visit's event for it.

    A copy marked lost while out on a rental returns that rental owing the replacement cost; the
    event says so, with the amount. The event carries the rental (so the visit's payment takes it
    and its receipt shows it) only when it is ``customer_id``'s, the customer at the desk; another
    customer's is named by id in the detail.
    """
    out_on = Rental.objects.open().filter(inventory_id=inventory_id).values_list("pk", "customer_id").first()
    try:
        copy_condition_set(scope=scope, inventory_id=inventory_id, condition=condition, note=note)
    except (RentalError, Inventory.DoesNotExist) as exc:
        return event("condition", "refused", inventory_id, detail=str(exc))
    film = Inventory.objects.filter(pk=inventory_id).values_list("film__title", flat=True).get()
    detail = f"Marked {condition}: {note}"
    rental_id = None
    # Read after the service: a return by another desk in between leaves the rental not lost.
    lost = None
    if out_on is not None:
        lost = (
            Rental.objects.filter(pk=out_on[0], lost=True)
            .with_film()
            .with_amounts()
            .values("balance")
            .first()
        )
    if lost is not None:
        whose = "" if out_on[1] == customer_id else f" of customer #{out_on[1]}"
        detail = (
            f"{detail}. Rental {out_on[0]}{whose} returned, owing ${lost['balance']} "
            "(the replacement cost included)"
        )
        rental_id = out_on[0] if out_on[1] == customer_id else None
    return event("condition", "marked", inventory_id, rental_id, film, detail)
