"""The refusals of the circulation services (``rentals.services``, ``rentals.holds``,
``rentals.transfers``): each carries the stable ``code`` the API answers with (400 for an
``InvalidRental``'s ``field``, 403 for a ``Forbidden``, 409 for the rest)."""

from decimal import Decimal


class RentalError(Exception):
    """A circulation rule (renting, returning, paying, holds, transfers) refused the write. ``code``
    is the stable code the API answers with;
    ``copy_refusal`` says the copy is why (a form puts it on the copy's field)."""

    code = "invalid"
    message = "The rental was refused."
    copy_refusal = False

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)


class InvalidRental(RentalError):
    """The request names something that can't be rented with (a 400 for ``field``)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class CustomerInactive(RentalError):
    code = "customer_inactive"
    message = "This customer is inactive and cannot rent."


class NotInStock(RentalError):
    copy_refusal = True
    code = "not_in_stock"
    message = "This copy is out on an open rental."


class AlreadyReturned(RentalError):
    code = "already_returned"
    message = "This rental has already been returned."


class InvalidPayment(InvalidRental):
    """The amount can't be paid at all (a 400 for ``field``), whatever the rental owes."""


class Overpayment(RentalError):
    code = "overpayment"

    def __init__(self, amount: Decimal, balance: Decimal):
        super().__init__(f"The payment of {amount:.2f} exceeds the rental's balance of {balance:.2f}.")


class InTransit(RentalError):
    copy_refusal = True
    code = "in_transit"
    message = "This copy is travelling between stores."


class HeldForAnother(RentalError):
    copy_refusal = True
    code = "held_for_another"
    message = "This copy is set aside for another customer's hold."


class CopyUnavailable(RentalError):
    copy_refusal = True
    code = "copy_unavailable"
    message = "This copy is not in good condition (damaged, lost or withdrawn)."


class CustomerBlocked(RentalError):
    """The block rule refuses the customer (``customers.models.block_reasons``)."""

    code = "customer_blocked"

    def __init__(self, reasons: list[str]):
        said = {"balance": "owes more than allowed", "overdue": "has too many rentals overdue"}
        super().__init__(
            f"This customer may not rent: {' and '.join(said[r] for r in reasons)}. "
            "A manager may rent anyway with an override_reason."
        )
        self.reasons = reasons


class AlreadyHolding(RentalError):
    code = "already_holding"
    message = "This customer already has an open hold for this film."


class HoldClosed(RentalError):
    code = "hold_closed"
    message = "This hold is no longer waiting or ready."


class TransferClosed(RentalError):
    code = "transfer_closed"
    message = "This transfer is no longer in transit."


class Forbidden(RentalError):
    """The caller sees the object but may not do this to it (403)."""


class NotDestination(Forbidden):
    code = "not_destination"
    message = "Only staff of the destination store can receive this transfer."


class OverrideNotAllowed(Forbidden):
    code = "override_not_allowed"
    message = "Renting past a block (override_reason) needs the override_block permission."


class NotSender(Forbidden):
    code = "not_sender"
    message = "Only staff of the sending store can cancel this transfer."
