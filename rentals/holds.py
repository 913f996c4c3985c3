"""Holds: a customer asks for a film at a store, and copies coming back there serve the queue.

Every write that changes which copies of a film a store can hand out (renting, returning,
placing, cancelling or expiring a hold, sending, receiving or cancelling a transfer) first takes
that store's *shelf lock* for the film: a transaction-scoped PostgreSQL advisory lock keyed
``(store_id, film_id)`` (:func:`lock_shelf`). Within it, what a transaction reads next is what
the one before it committed, so a hold placed while a copy is being returned is either seen by
the return (the copy is set aside for it) or sees the copy back on the shelf (ready at once),
never neither; and a copy can't be rented while it is being set aside. The statement after the
lock must be a new one: one that waited for a lock keeps the snapshot it started with.

The database keeps what it can whoever writes (``Hold.Meta.constraints``): one open hold per
customer and film, one ready hold per copy. The lock decides the rest.

A ready hold reads ``expired`` from ``expires_at`` on (``HoldQuerySet.with_shown_status``); the
hold worker (``manage.py expire_holds --every N``, started by ``make run``) then passes its copy
to the next waiting hold or back to the shelf (:func:`expire_due_holds`), and a rental of the
copy does the same first rather than wait for it.
"""

import collections
import logging
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Now

from customers.models import Customer, Store
from customers.scope import Scope
from films.models import Film
from pagila_site.compiled import CompiledQuery, Slot
from pagila_site.db import violated_constraint
from rentals.errors import AlreadyHolding, CustomerInactive, HoldClosed, InTransit, InvalidRental
from rentals.models import Hold, Inventory

OPEN_HOLD_CONSTRAINT = "hold_one_open_per_customer_film"
# Seconds the hold worker waits for a shelf's lock before leaving that hold for the next round.
HOLD_EXPIRY_LOCK_WAIT = 2.0

log = logging.getLogger("pagila.holds")


def lock_shelf(store_id: int, film_id: int) -> None:
    """Take the store's shelf lock for the film until the transaction ends (see the module)."""
    with connection.cursor() as cursor:
        # The two-integer form: its keys never meet the one-bigint form's (the test databases').
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [store_id, film_id])


_LOCK_COPYS_SHELF = """
SELECT store_id, film_id, pg_advisory_xact_lock(store_id, film_id)
FROM inventory WHERE inventory_id = %s
"""


def _shelf_state_query():
    # A ready hold past its expiry reads expired: renting another copy does not fulfil it.
    customers_hold = (
        Hold.objects.open()
        .exclude(status=Hold.Status.READY, expires_at__lte=Now())
        .filter(
            customer_id=Slot("customer_id", IntegerField()),
            film_id=OuterRef("film_id"),
            store_id=OuterRef("store_id"),
        )
    )
    return (
        Inventory.objects.filter(pk=Slot("inventory_id", IntegerField()))
        .with_shelf_state()
        .annotate(customers_hold=Subquery(customers_hold.values("pk")[:1]))
        .only("store_id", "film_id", "condition")
    )


# Every rental reads it: compiled once per process (pagila_site/compiled.py), as building and
# compiling its seven subqueries cost more Python than the rest of a rental.
_SHELF_STATE = CompiledQuery(_shelf_state_query)


def _shelf_state(inventory_id: int, customer_id: int | None):
    rows = _SHELF_STATE.rows(inventory_id=inventory_id, customer_id=customer_id)
    return rows[0] if rows else None


def locked_copy(inventory_id: int, *, customer_id: int | None = None):
    """The copy's shelf state (``store_id``, ``film_id``, ``condition``, ``on_loan``, ``in_transit``,
    ``held_for``, ``held_for_customer``, ``held_expired``, and ``customers_hold``: the open hold
    of ``customer_id`` for its film at its store), read under its shelf's lock; None for no such
    copy.

    An expired hold's copy is passed on first (as the worker would), so ``held_for`` names a hold
    still ready. In a transaction (the caller's ``atomic``). Raises ``InTransit`` for a copy
    received at another store between the lock and the read: its new shelf's lock would be a
    second one, taken in no set order (a deadlock with a hold placement holding both), so the
    caller is asked to try again, as it would have been a moment before, while it travelled.
    """
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_COPYS_SHELF, [inventory_id])
        row = cursor.fetchone()
    if row is None:
        return None
    while True:
        copy = _shelf_state(inventory_id, customer_id)
        if copy is None:
            return None
        if copy.store_id != row[0]:
            raise InTransit("This copy has just arrived at another store: try again.")
        if copy.held_for is not None and copy.held_expired:
            expire_hold(copy.held_for, copy.store_id, copy.film_id, inventory_id)
            continue
        return copy


def _ready_fields() -> dict:
    return {
        "status": Hold.Status.READY,
        "ready_at": Now(),
        "expires_at": Now() + timedelta(days=settings.HOLD_READY_DAYS),
    }


# Every return asks it (compiled once, as _SHELF_STATE): the queue's first waiting hold, if the
# copy is in good condition, read now (after the caller's locks), not when the caller looked.
_FIRST_WAITING = CompiledQuery(
    lambda: (
        Hold.objects.queue(Slot("store_id", IntegerField()), Slot("film_id", IntegerField()))
        .filter(Exists(Inventory.objects.filter(pk=Slot("inventory_id", IntegerField()), condition="good")))
        .only("customer_id")
    )
)


def serve_queue(store_id: int, film_id: int, inventory_id: int) -> Hold | None:
    """Set the copy, back on the store's shelf, aside for the film's first waiting hold there;
    the hold (``hold_id``, ``customer_id``) or None when none waits. The caller holds the shelf's
    lock and has checked that the copy is free (not rented, travelling or set aside); a copy not in
    good condition serves no one."""
    while True:
        first = _FIRST_WAITING.page(0, 1, store_id=store_id, film_id=film_id, inventory_id=inventory_id)
        if not first:
            return None
        # Still waiting? Only a writer skipping the shelf lock (plain SQL) could have changed it.
        if Hold.objects.waiting().filter(pk=first[0].pk).update(inventory_id=inventory_id, **_ready_fields()):
            return first[0]


def expire_hold(hold_id: int, store_id: int, film_id: int, inventory_id: int) -> Hold | bool | None:
    """Close a ready hold past its expiry and pass its copy on: the next hold set aside for, or
    None (back on the shelf); False when it no longer needed expiring. The caller holds the
    shelf's lock."""
    expired = (
        Hold.objects.due_to_expire()
        .filter(pk=hold_id)
        .update(status=Hold.Status.EXPIRED, inventory=None, closed_at=Now())
    )
    if not expired:  # fulfilled, cancelled or given more time since it was read
        return None
    return serve_queue(store_id, film_id, inventory_id)


def expire_due_holds(*, limit: int = 500, should_stop=lambda: False) -> int:
    """Expire the ready holds past ``expires_at`` (read afresh: any writer may have moved it), each
    in a transaction of its own, passing their copies on; how many expired. The hold worker's job.

    A shelf whose lock is held longer than ``HOLD_EXPIRY_LOCK_WAIT`` (another writer's long
    transaction) is skipped this round, and a hold that fails is logged and skipped, so neither
    keeps the others waiting past the minute the contract allows. Batches of ``limit`` follow one
    another until none is left, or ``should_stop()``.
    """
    done = 0
    skipped: set[int] = set()
    while not should_stop():
        due = Hold.objects.due_to_expire().exclude(pk__in=skipped).order_by("expires_at", "hold_id")
        batch = list(due.values_list("pk", "store_id", "film_id", "inventory_id")[:limit])
        for hold_id, store_id, film_id, inventory_id in batch:
            if should_stop():
                return done
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT set_config('lock_timeout', %s, true)",
                            [f"{HOLD_EXPIRY_LOCK_WAIT * 1000:.0f}ms"],
                        )
                    lock_shelf(store_id, film_id)
                    if expire_hold(hold_id, store_id, film_id, inventory_id) is not False:
                        done += 1
            except DatabaseError:
                log.exception("Hold %s could not be expired this round; trying again next round", hold_id)
                skipped.add(hold_id)
        if len(batch) < limit:
            return done
    return done


@transaction.atomic
def hold_place(*, scope: Scope, customer_id: int, film_id: int, store_id: int) -> Hold:
    """Place the customer's hold on the film at the store: ``ready`` at once with a copy on the
    store's shelf, else ``waiting`` at the end of the queue. The result's ``hold_id`` is set.

    Raises ``Customer.DoesNotExist`` (also out of scope), ``InvalidRental`` on ``store_id`` (not
    one of the caller's stores, or none) or ``film_id`` (unknown), ``CustomerInactive`` or
    ``AlreadyHolding`` (a waiting or ready hold of the customer for the film, at any store; not
    one that reads expired).
    """
    customer = Customer.objects.in_scope(scope).only("active").get(pk=customer_id)
    if not scope.covers_store(store_id) or not Store.objects.filter(pk=store_id).exists():
        raise InvalidRental("store_id", f"Store {store_id} is not one of your stores.")
    if not Film.objects.filter(pk=film_id).exists():
        raise InvalidRental("film_id", f"No film with id {film_id}.")
    if not customer.is_active:
        raise CustomerInactive("This customer is inactive and cannot place holds.")
    # A ready hold of theirs for the film past its expiry reads expired, so it holds nothing: its
    # copy is passed on now rather than when the worker comes by. Both shelves' locks in store
    # order: no other writer holds two, and two placements take them in the same order.
    stale = Hold.objects.due_to_expire().filter(customer_id=customer_id, film_id=film_id)
    stale = stale.values_list("pk", "store_id", "inventory_id").first()
    shelves = {store_id} if stale is None else {store_id, stale[1]}
    for shelf_store in sorted(shelves):
        lock_shelf(shelf_store, film_id)
    if stale is not None:
        expire_hold(stale[0], stale[1], film_id, stale[2])
    if Hold.objects.open().filter(customer_id=customer_id, film_id=film_id).exists():
        raise AlreadyHolding()
    copy = (
        Inventory.objects.filter(store_id=store_id, film_id=film_id)
        .in_stock()
        .order_by("inventory_id")
        .values_list("pk", flat=True)
        .first()
    )
    hold = Hold(customer_id=customer_id, film_id=film_id, store_id=store_id)
    if copy is not None:
        hold.inventory_id = copy
        for field, value in _ready_fields().items():
            setattr(hold, field, value)
    try:
        hold.save(force_insert=True)
    except IntegrityError as exc:
        # A hold of the customer for the film committed since our check (at another store's
        # shelf, so its lock did not queue us).
        if violated_constraint(exc) == OPEN_HOLD_CONSTRAINT:
            raise AlreadyHolding() from exc
        raise
    return hold


@transaction.atomic
def hold_cancel(*, scope: Scope, hold_id: int) -> None:
    """Cancel a waiting or ready hold; a ready one's copy goes at once to the next hold waiting,
    or back on the shelf.

    Raises ``Hold.DoesNotExist`` (also out of scope) or ``HoldClosed`` (fulfilled, cancelled,
    expired: a ready hold past ``expires_at`` included).
    """
    store_id, film_id = Hold.objects.in_scope(scope).values_list("store_id", "film_id").get(pk=hold_id)
    lock_shelf(store_id, film_id)
    past_expiry = ExpressionWrapper(Q(expires_at__lte=Now()), output_field=BooleanField())
    status, inventory_id, expired = (
        Hold.objects.select_for_update()
        .filter(pk=hold_id)
        .annotate(past_expiry=past_expiry)
        .values_list("status", "inventory_id", "past_expiry")
        .get()
    )
    if status not in Hold.OPEN or (status == Hold.Status.READY and expired):
        raise HoldClosed()
    Hold.objects.filter(pk=hold_id).update(status=Hold.Status.CANCELLED, inventory=None, closed_at=Now())
    if inventory_id is not None:
        serve_queue(store_id, film_id, inventory_id)


def fulfil_hold(*, hold_id: int, rental_id: int, inventory_id: int, store_id: int, film_id: int) -> None:
    """The hold's customer rented ``inventory_id``: the hold is fulfilled by it. Had another copy
    been set aside for the hold, that one goes to the next waiting hold or back on the shelf. The
    caller holds the shelf's lock."""
    set_aside = Hold.objects.filter(pk=hold_id).values_list("inventory_id", flat=True).get()
    Hold.objects.filter(pk=hold_id).update(
        status=Hold.Status.FULFILLED, inventory_id=inventory_id, rental_id=rental_id, closed_at=Now()
    )
    if set_aside is not None and set_aside != inventory_id:
        serve_queue(store_id, film_id, set_aside)


_LOCK_RENTALS_SHELF = """
SELECT i.store_id, i.film_id, i.inventory_id, r.rental_date, statement_timestamp(),
       pg_advisory_xact_lock(i.store_id, i.film_id)
FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id WHERE r.rental_id = %s
"""

RentalsShelf = collections.namedtuple(
    "RentalsShelf", ["store_id", "film_id", "inventory_id", "rental_date", "now"]
)


def lock_rentals_shelf(rental_id: int) -> RentalsShelf | None:
    """Take the shelf lock of the rental's copy; its store and film, the rental's date and the
    database's clock, or None for no such rental. A rented copy can't travel, so its store stays
    what was read."""
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_RENTALS_SHELF, [rental_id])
        row = cursor.fetchone()
    return None if row is None else RentalsShelf(*row[:5])
