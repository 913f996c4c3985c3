"""Transfers: a copy travels from one store's shelf to another's.

While in transit the copy is in stock nowhere (``InventoryQuerySet.in_stock``) and can't be
rented. Received, it belongs to the destination (``inventory.store_id``) and serves that store's
queue for its film; cancelled, it serves the queue of the store it never left. Each write takes
the shelf lock of the store whose copies it changes (``rentals.holds``); the partial unique index
``transfer_one_open_per_copy`` decides between two sends of one copy.
"""

from django.db import IntegrityError, transaction
from django.db.models.functions import Now

from customers.models import Store
from customers.scope import Scope
from pagila_site.db import violated_constraint
from rentals import holds
from rentals.errors import (
    CopyUnavailable,
    HeldForAnother,
    InTransit,
    InvalidRental,
    NotDestination,
    NotInStock,
    NotSender,
    TransferClosed,
)
from rentals.models import Inventory, Transfer

OPEN_TRANSFER_CONSTRAINT = "transfer_one_open_per_copy"


@transaction.atomic
def transfer_send(*, scope: Scope, inventory_id: int, to_store_id: int) -> Transfer:
    """Send the copy from its store's shelf to ``to_store_id``, by the caller's staff member
    (``sent_by``; None for an unlinked superuser). The result's ``transfer_id`` is set.

    Raises ``InvalidRental`` on ``inventory_id`` (unknown, or held by none of the caller's
    stores) or ``to_store_id`` (unknown, or the copy's own store), then the copy's refusals:
    ``NotInStock`` (out on a rental), ``HeldForAnother`` (set aside for a hold), ``InTransit``,
    ``CopyUnavailable`` (not in good condition).
    """
    copy = holds.locked_copy(inventory_id)
    if copy is None or not scope.covers_store(copy.store_id):
        raise InvalidRental("inventory_id", f"No copy with inventory id {inventory_id} in your stores.")
    if to_store_id == copy.store_id:
        raise InvalidRental("to_store_id", f"Copy {inventory_id} is already held by store {to_store_id}.")
    if not Store.objects.filter(pk=to_store_id).exists():
        raise InvalidRental("to_store_id", f"No store with id {to_store_id}.")
    if copy.on_loan:
        raise NotInStock()
    if copy.held_for is not None:
        raise HeldForAnother()
    if copy.in_transit:
        raise InTransit("This copy is already travelling between stores.")
    if copy.condition != Inventory.Condition.GOOD:
        raise CopyUnavailable()
    transfer = Transfer(
        inventory_id=inventory_id,
        from_store_id=copy.store_id,
        to_store_id=to_store_id,
        sent_by_id=scope.staff_id,
    )
    try:
        transfer.save(force_insert=True)
    except IntegrityError as exc:
        if violated_constraint(exc) == OPEN_TRANSFER_CONSTRAINT:
            raise InTransit("This copy is already travelling between stores.") from exc
        raise
    return transfer


def _in_transit_or_closed(transfer_id: int, **changes) -> None:
    """Close the transfer with ``changes`` if it is still in transit, else ``TransferClosed``; the
    UPDATE is the judge between two clerks closing it at once."""
    if not Transfer.objects.in_transit().filter(pk=transfer_id).update(**changes):
        raise TransferClosed()


@transaction.atomic
def transfer_receive(*, scope: Scope, transfer_id: int):
    """The destination store receives the copy: it is that store's from now on, set aside there
    for the film's first waiting hold if any (the hold, or None, is the result).

    Raises ``Transfer.DoesNotExist`` (also out of scope: neither store is the caller's),
    ``NotDestination`` (the caller works for the sending store only) or ``TransferClosed``.
    """
    to_store_id, film_id, inventory_id = (
        Transfer.objects.in_scope(scope)
        .values_list("to_store_id", "inventory__film_id", "inventory_id")
        .get(pk=transfer_id)
    )
    if not scope.covers_store(to_store_id):
        raise NotDestination()
    holds.lock_shelf(to_store_id, film_id)
    _in_transit_or_closed(
        transfer_id, status=Transfer.Status.RECEIVED, received_at=Now(), received_by_id=scope.staff_id
    )
    # The row lock of this UPDATE orders it against a condition change (rentals.copies, which
    # locks the row first): serve_queue then reads the condition that change left.
    Inventory.objects.filter(pk=inventory_id).update(store_id=to_store_id)
    return holds.serve_queue(to_store_id, film_id, inventory_id)


@transaction.atomic
def transfer_cancel(*, scope: Scope, transfer_id: int) -> None:
    """Call the copy back: it never left its store's shelf, where it now serves the film's first
    waiting hold if any.

    Raises ``Transfer.DoesNotExist`` (also out of scope), ``NotSender`` (the caller works for the
    destination only) or ``TransferClosed``.
    """
    from_store_id, film_id, inventory_id = (
        Transfer.objects.in_scope(scope)
        .values_list("from_store_id", "inventory__film_id", "inventory_id")
        .get(pk=transfer_id)
    )
    if not scope.covers_store(from_store_id):
        raise NotSender()
    holds.lock_shelf(from_store_id, film_id)
    _in_transit_or_closed(transfer_id, status=Transfer.Status.CANCELLED, cancelled_at=Now())
    holds.serve_queue(from_store_id, film_id, inventory_id)
