"""Renting, returning and paying: the one place these writes happen.

The API, the admin and management commands all call these functions, so the rules hold
whoever rents. Refusals are the domain exceptions below (the API maps them to 400/409);
an unknown customer or rental is the model's ``DoesNotExist`` (404 in the API).

Every function takes the caller's ``scope`` (``customers.scope``): the customer and the rental
must be in it, the copy rented held by one of its stores, and a caller linked to a staff member
acts as that member only. Code acting for no particular user (commands, tests) passes
``EVERY_STORE`` and names the staff member.

Two rentals of one copy can never both be open: the partial unique index
``rental_one_open_per_inventory`` (migration 0002) guarantees it for every writer. It also
decides between simultaneous rentals of one copy: the second INSERT waits for the first's
transaction and fails once that commits, which ``rental_create`` answers as "not in stock",
as it answers a copy it saw out. (The copy's ``inventory`` row used to be locked first: the
same answers, for one query more per rental.)

Payments never take a rental past what it owes: every payment locks its rental's row first
(``SELECT ... FOR UPDATE``; a return's UPDATE takes the same lock), then reads the balance in a
statement of its own, which sees every payment committed before the lock was granted. Two
simultaneous payments queue, and the second is judged against the first. A writer that skips
the lock (plain SQL) is not held to this: no constraint can compare a row with a sum.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import IntegerField
from django.db.models.functions import Now

from customers.models import Customer, Staff, block_reasons
from customers.scope import Scope
from pagila_site.change_context import writing_as
from pagila_site.compiled import CompiledQuery, Slot
from pagila_site.db import violated_constraint
from rentals import holds
from rentals.errors import (
    AlreadyReturned,
    CopyUnavailable,
    CustomerBlocked,
    CustomerInactive,
    HeldForAnother,
    InTransit,
    InvalidPayment,
    InvalidRental,
    NotInStock,
    Overpayment,
    OverrideNotAllowed,
)
from rentals.models import (
    OPEN_RENTAL_CONSTRAINT,
    RENTAL_FOREIGN_KEYS,
    Inventory,
    Payment,
    Rental,
    shown_rentals,
    with_block,
)

# payment.amount is numeric(5, 2).
MAX_PAYMENT = Decimal("999.99")


def acting_staff_id(scope: Scope, staff_id: int | None) -> int:
    """Who takes a rental or a payment: the caller's own staff member unless one is named.

    A linked caller may name only itself; an unlinked superuser must name someone. Raises
    ``InvalidRental`` on ``staff_id``.
    """
    if scope.staff_id is not None:
        if staff_id is not None and staff_id != scope.staff_id:
            raise InvalidRental(
                "staff_id", f"This account acts as staff member {scope.staff_id} only; leave staff_id out."
            )
        return scope.staff_id
    if staff_id is None:
        raise InvalidRental(
            "staff_id", "This field is required: this account is not linked to a staff member."
        )
    return staff_id


def _check_staff(staff_id: int) -> None:
    staff_active = Staff.objects.filter(pk=staff_id).values_list("active", flat=True).first()
    if staff_active is None:
        raise InvalidRental("staff_id", f"No staff member with id {staff_id}.")
    if not staff_active:
        raise InvalidRental("staff_id", f"Staff member {staff_id} is inactive.")


def _balance(rental_id: int) -> Decimal:
    return shown_rentals().filter(pk=rental_id).values_list("balance", flat=True).get()


def _payment_insert(*, rental: Rental, amount: Decimal, staff_id: int) -> Payment:
    """Store the payment at the database's now(); the caller holds the rental's row lock."""
    payment = Payment(
        rental_id=rental.pk,
        customer_id=rental.customer_id,
        staff_id=staff_id,
        amount=amount,
        payment_date=Now(),
    )
    # payment_id (the sequence) and payment_date come back from the INSERT's RETURNING.
    payment.save(force_insert=True)
    return payment


def _balance_pay(*, rental: Rental, staff_id: int) -> Payment | None:
    """Pay what the rental owes now, up to what one payment can hold; None when nothing is owed.

    The caller holds the rental's row lock (or created the row in its own transaction).
    """
    amount = min(_balance(rental.pk), MAX_PAYMENT)
    if amount <= 0:
        return None
    return _payment_insert(rental=rental, amount=amount, staff_id=staff_id)


# Every rental asks it: compiled once per process (pagila_site/compiled.py).
_BLOCK_FIGURES = CompiledQuery(
    lambda: with_block(Customer.objects.filter(pk=Slot("customer_id", IntegerField()))).only("pk")
)


def _block_reasons(customer_id: int) -> list[str]:
    figures = _BLOCK_FIGURES.rows(customer_id=customer_id)
    # None for a customer deleted since it was read: the INSERT's foreign key then says so.
    return block_reasons(figures[0].balance, figures[0].overdue_rentals) if figures else []


@transaction.atomic
def rental_create(
    *,
    scope: Scope,
    customer_id: int,
    inventory_id: int,
    staff_id: int | None = None,
    pay: bool = False,
    override_reason: str | None = None,
    may_override: bool = False,
) -> Rental:
    """Rent copy ``inventory_id`` to the customer now (the database's clock), taken by
    ``staff_id`` (by default the caller's own staff member).

    The result is one of ``shown_rentals()`` (due date, film, amounts), as ``rental_return``'s.
    With ``pay``, that staff member also takes what the rental owes at once (its film's rental
    rate) in the same transaction; the rental's ``payment`` is that payment, or None.

    A copy set aside for the customer's hold fulfils it; so does any copy of the film at the
    hold's store (a copy set aside for it then goes to the next hold waiting).

    A customer the block rule refuses (``customers.models.block_reasons``) rents only with an
    ``override_reason``, from a caller who ``may_override`` (the ``override_block`` permission);
    the reason is kept in the rental's change record.

    Raises ``Customer.DoesNotExist`` (also for a customer out of scope), ``InvalidRental``
    (unknown copy or staff, inactive staff, a copy of another store, a staff member the caller
    may not name), then the copy's refusals (``NotInStock``, ``InTransit``, ``HeldForAnother``,
    ``CopyUnavailable``), then the customer's (``CustomerInactive``, ``CustomerBlocked``), then
    ``OverrideNotAllowed`` (a reason sent by a caller who may not override).
    """
    # The customer first: an unknown one, or one out of scope, is 404 whatever else is wrong.
    customer = Customer.objects.in_scope(scope).only("active").get(pk=customer_id)
    staff_id = acting_staff_id(scope, staff_id)
    _check_staff(staff_id)
    # Under the shelf's lock (rentals.holds): a hold placed meanwhile can't take this copy.
    copy = holds.locked_copy(inventory_id, customer_id=customer_id)
    if copy is None:
        raise InvalidRental("inventory_id", f"No copy with inventory id {inventory_id}.")
    if not scope.covers_store(copy.store_id):
        raise InvalidRental("inventory_id", f"Copy {inventory_id} is not held by any of your stores.")
    if copy.on_loan:
        raise NotInStock()
    if copy.in_transit:
        raise InTransit()
    if copy.held_for is not None and copy.held_for_customer != customer_id:
        raise HeldForAnother()
    if copy.condition != Inventory.Condition.GOOD:
        raise CopyUnavailable()
    if not customer.is_active:
        raise CustomerInactive()
    if override_reason is not None:
        if not may_override:
            raise OverrideNotAllowed()
    elif reasons := _block_reasons(customer_id):
        raise CustomerBlocked(reasons)
    rental = Rental(rental_date=Now(), inventory_id=inventory_id, customer_id=customer_id, staff_id=staff_id)
    try:
        # No savepoint of its own: this function's atomic block is one when the caller has a
        # transaction (the admin's), so the caller's survives the refusal; without, it all ends.
        with writing_as(reason=override_reason):
            rental.save(force_insert=True)
    except IntegrityError as exc:
        constraint = violated_constraint(exc)
        # Another rental of the copy committed since our check (its INSERT made ours wait).
        if constraint == OPEN_RENTAL_CONSTRAINT:
            raise NotInStock() from exc
        # The copy, the customer or the staff member was deleted since our checks.
        if constraint == RENTAL_FOREIGN_KEYS["inventory"]:
            raise InvalidRental("inventory_id", f"No copy with inventory id {inventory_id}.") from exc
        if constraint == RENTAL_FOREIGN_KEYS["customer"]:
            raise Customer.DoesNotExist(f"No customer with id {customer_id}.") from exc
        if constraint == RENTAL_FOREIGN_KEYS["staff"]:
            raise InvalidRental("staff_id", f"No staff member with id {staff_id}.") from exc
        raise
    if copy.customers_hold is not None:
        holds.fulfil_hold(
            hold_id=copy.customers_hold,
            rental_id=rental.pk,
            inventory_id=inventory_id,
            store_id=copy.store_id,
            film_id=copy.film_id,
        )
    payment = None
    if pay:
        # No lock needed: no other transaction can see the row before we commit.
        payment = _balance_pay(rental=rental, staff_id=staff_id)
    rental = shown_rentals().get(pk=rental.pk)
    if pay:
        rental.payment = payment
    return rental


@transaction.atomic
def rental_return(
    *,
    scope: Scope,
    rental_id: int,
    pay: bool = False,
    staff_id: int | None = None,
    returned_at: datetime | None = None,
) -> Rental:
    """Return the rental now, or at ``returned_at`` for a drop box (not before the rental, not in
    the future, at most ``RETURN_BACKDATE_DAYS`` back: ``InvalidRental`` on ``returned_at``); the
    fee is the fee at that time. The result carries ``with_amounts()``'s ``amount_due``,
    ``amount_paid`` and ``balance`` (it is one of ``shown_rentals()``), and ``set_aside_for``:
    the hold the copy was set aside for (the film's first waiting at the copy's store), or None.

    With ``pay``, ``staff_id`` (by default the caller's own staff member) also takes the rest of
    what it owes, in the same transaction; the result's ``payment`` is that payment, or None when
    nothing was owed. Without ``pay``, ``staff_id`` is not used.

    Raises ``Rental.DoesNotExist`` (also for a rental out of scope), ``AlreadyReturned`` or, with
    ``pay``, ``InvalidRental`` on ``staff_id``.
    """
    # Scope is checked on its own rather than joined into the UPDATE below: a join would make it
    # UPDATE ... WHERE rental_id IN (subquery), whose subquery PostgreSQL does not re-check after
    # waiting for a concurrent return's lock, so both returns could write. Checked first, so an
    # unknown rental is DoesNotExist (404) whatever staff_id says.
    if (not scope.every_store or pay) and not Rental.objects.in_scope(scope).filter(pk=rental_id).exists():
        raise Rental.DoesNotExist(f"No rental with id {rental_id} in your stores.")
    if pay or staff_id is not None:
        # Named without paying, it takes nothing, but it is still checked: a linked caller may
        # name only itself, and an unknown or inactive staff member is an error wherever it is.
        staff_id = acting_staff_id(scope, staff_id)
        _check_staff(staff_id)
    # The copy's shelf first (rentals.holds): a hold placed meanwhile is seen below, or sees the
    # copy back.
    shelf = holds.lock_rentals_shelf(rental_id)
    if shelf is None:
        raise Rental.DoesNotExist(f"No rental with id {rental_id}.")
    if returned_at is not None:
        _check_returned_at(returned_at, shelf)
    # Only an open rental is updated. The UPDATE locks the row, and PostgreSQL checks the
    # condition again once a lock it waited for is released, so the second of two simultaneous
    # returns updates nothing instead of overwriting the first's return_date.
    if not Rental.objects.open().filter(pk=rental_id).update(return_date=returned_at or Now()):
        if Rental.objects.filter(pk=rental_id).exists():
            raise AlreadyReturned()
        raise Rental.DoesNotExist(f"No rental with id {rental_id}.")
    # A copy in good condition serves the queue; a damaged one (marked while out) goes to no one.
    set_aside_for = holds.serve_queue(shelf.store_id, shelf.film_id, shelf.inventory_id)
    payment = None
    if pay:
        customer_id = Rental.objects.filter(pk=rental_id).values_list("customer_id", flat=True).get()
        payment = _balance_pay(rental=Rental(pk=rental_id, customer_id=customer_id), staff_id=staff_id)
    rental = shown_rentals().get(pk=rental_id)
    rental.set_aside_for = set_aside_for
    if pay:
        rental.payment = payment
    return rental


def _check_returned_at(returned_at: datetime, shelf) -> None:
    """A backdated return's limits, against the database's clock and the rental's date."""
    if returned_at > shelf.now:
        raise InvalidRental("returned_at", "A return can't be in the future.")
    if returned_at < shelf.rental_date:
        raise InvalidRental(
            "returned_at", f"A return can't be before the rental ({shelf.rental_date.isoformat()})."
        )
    if returned_at < shelf.now - timedelta(days=settings.RETURN_BACKDATE_DAYS):
        raise InvalidRental(
            "returned_at", f"A return may be backdated by at most {settings.RETURN_BACKDATE_DAYS:g} days."
        )


def _check_amount(amount: Decimal) -> None:
    if not amount.is_finite() or amount <= 0:
        raise InvalidPayment("amount", "A payment must be more than 0.00.")
    if amount.as_tuple().exponent < -2:
        raise InvalidPayment("amount", "A payment has at most two decimal places.")
    if amount > MAX_PAYMENT:
        raise InvalidPayment("amount", f"A payment is at most {MAX_PAYMENT}.")


@transaction.atomic
def payment_create(*, scope: Scope, rental_id: int, amount: Decimal, staff_id: int | None = None) -> Payment:
    """Staff member ``staff_id`` (by default the caller's own) takes ``amount`` for the rental,
    now (the database's clock).

    The payment is the rental's customer's. Raises ``Rental.DoesNotExist`` (also for a rental out
    of scope), ``InvalidPayment`` (not more than 0, more than two decimals or than
    ``MAX_PAYMENT``), ``InvalidRental`` (a staff member unknown, inactive or one the caller may not
    name) or ``Overpayment`` (more than the rental's balance).
    """
    # On its own, as in rental_return: the lock below then takes the rental row alone. First, so an
    # unknown rental is DoesNotExist (404) whatever the amount or staff_id say.
    if not scope.every_store and not Rental.objects.in_scope(scope).filter(pk=rental_id).exists():
        raise Rental.DoesNotExist(f"No rental with id {rental_id} in your stores.")
    # The lock queues payments (and returns) of this rental; the balance is read after it, by a
    # statement that sees whatever the one before us committed.
    rental = Rental.objects.select_for_update().only("customer_id").filter(pk=rental_id).first()
    if rental is None:
        raise Rental.DoesNotExist(f"No rental with id {rental_id}.")
    _check_amount(amount)
    staff_id = acting_staff_id(scope, staff_id)
    _check_staff(staff_id)
    balance = _balance(rental_id)
    if amount > balance:
        raise Overpayment(amount, balance)
    return _payment_insert(rental=rental, amount=amount, staff_id=staff_id)
