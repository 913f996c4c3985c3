"""Who may use the counter, and which permission each kind of write at the desk needs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from customers.scope import scope_of

#: Who may use the counter at all: look customers and rentals up. Renting needs add_rental;
#: returning and taking payment change_rental, since a payment changes what a rental owes and the
#: ledger itself is read-only in the admin (the Clerk group has all four).
SEE = ("customers.view_customer", "rentals.view_rental")
RENT = "rentals.add_rental"
CHANGE = "rentals.change_rental"
#: Holds and transfers, as the admin's permissions name them (the Clerk group has all six): the
#: hold shelf and the transfers page need the view ones, placing and sending the add ones,
#: cancelling and receiving the change ones.
SEE_HOLDS = "rentals.view_hold"
HOLD = "rentals.add_hold"
CHANGE_HOLD = "rentals.change_hold"
SEE_TRANSFERS = "rentals.view_transfer"
#: A copy's condition is marked at the desk (the Clerk group has it); renting past a block takes
#: a manager's (the Manager group's, and superusers').
SET_CONDITION = "rentals.set_copy_condition"
OVERRIDE_BLOCK = "rentals.override_block"
SEND = "rentals.add_transfer"
CHANGE_TRANSFER = "rentals.change_transfer"


def require(request, *permissions: str) -> None:
    """``PermissionDenied`` unless the user may use the counter, has ``permissions`` too and works
    for a store."""
    if not request.user.has_perms([*SEE, *permissions]):
        raise PermissionDenied
    if not scope_of(request.user).has_stores:
        raise PermissionDenied("This account works for no store.")


def may(request, permission: str) -> bool:
    """Whether the page shows the form that needs ``permission``."""
    return request.user.has_perm(permission)
