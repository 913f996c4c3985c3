"""A copy's condition: the one place it changes (the API's ``POST /inventory/{id}/condition/``, the
counter).

A copy not ``good`` (``damaged``, ``lost``, ``withdrawn``) is in stock nowhere
(``InventoryQuerySet.in_stock``): it can't be rented, set aside or sent (``CopyUnavailable``).
Marking one that was set aside for a hold puts the hold back in its place in the queue, which
another copy on the shelf then serves; marking ``lost`` a copy out on a rental returns that rental
now, owing the replacement cost (``rental.lost``, ``rental_fee``). Marking a copy ``good`` again
puts it back on its shelf, where it serves the queue first. The note goes into the change records
of every row it changes (the contract's ``reason``).
"""

from django.db import transaction
from django.db.models.functions import Now

from customers.scope import Scope
from pagila_site.change_context import writing_as
from rentals import holds
from rentals.models import Hold, Inventory, Rental


@transaction.atomic
def copy_condition_set(*, scope: Scope, inventory_id: int, condition: str, note: str) -> None:
    """Mark the copy ``condition``, for ``note``'s reason, under its shelf's lock.

    Raises ``Inventory.DoesNotExist`` for a copy unknown or held by none of the caller's stores.
    """
    # The copy's row first: a transfer received meanwhile (another store's shelf lock) then either
    # committed before (the copy is read where it arrived) or waits for this change and reads it.
    if (
        Inventory.objects.select_for_update(no_key=True).filter(pk=inventory_id).values_list("pk").first()
        is None
    ):
        raise Inventory.DoesNotExist(f"No copy with inventory id {inventory_id}.")
    copy = holds.locked_copy(inventory_id)
    if copy is None or not scope.covers_store(copy.store_id):
        raise Inventory.DoesNotExist(f"No copy with inventory id {inventory_id} in your stores.")
    with writing_as(reason=note):
        Inventory.objects.filter(pk=inventory_id).update(condition=condition)
        if condition == Inventory.Condition.GOOD:
            if copy.condition != condition and not (copy.on_loan or copy.in_transit):
                holds.serve_queue(copy.store_id, copy.film_id, inventory_id)
            return
        if condition == Inventory.Condition.LOST and copy.on_loan:
            Rental.objects.open().filter(inventory_id=inventory_id).update(return_date=Now(), lost=True)
        if copy.held_for is not None:
            # Back to waiting, in its place (its ``created``), for the next good copy.
            Hold.objects.filter(pk=copy.held_for, status=Hold.Status.READY).update(
                status=Hold.Status.WAITING, inventory=None, ready_at=None, expires_at=None
            )
            other = (
                Inventory.objects.filter(store_id=copy.store_id, film_id=copy.film_id)
                .in_stock()
                .order_by("inventory_id")
                .values_list("pk", flat=True)
                .first()
            )
            if other is not None:
                holds.serve_queue(copy.store_id, copy.film_id, other)
