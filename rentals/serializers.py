"""Wire shapes of rentals, payments, holds, transfers and copies. Read from querysets annotated by
their querysets (``RentalQuerySet.with_due_date()``, ``with_film()``, ``with_amounts()``,
``HoldQuerySet.with_shown_status()``, ``InventoryQuerySet.with_shelf_state()``), never computed per
row here."""

from decimal import Decimal

from rest_framework import serializers

from pagila_site.api.filters import INT_MAX
from pagila_site.api.serializers import PlannedSerializer
from rentals.services import MAX_PAYMENT

FEE_RULE = (
    "The film's rental_rate, plus 1.00 per whole day between due_date and return_date, "
    "plus the replacement_cost when the rental lasted more than twice rental_duration days."
)


def _money(help_text: str, **kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=9, decimal_places=2, help_text=help_text, **kwargs)


class RentalFilmSerializer(PlannedSerializer):
    film_id = serializers.IntegerField()
    title = serializers.CharField(source="film_title")


class RentalSerializer(PlannedSerializer):
    rental_id = serializers.IntegerField()
    rental_date = serializers.DateTimeField()
    return_date = serializers.DateTimeField(allow_null=True)
    due_date = serializers.DateTimeField(help_text="rental_date + the film's rental_duration days.")
    overdue = serializers.BooleanField(help_text="Not returned and past due_date.")
    customer_id = serializers.IntegerField()
    inventory_id = serializers.IntegerField()
    staff_id = serializers.IntegerField()
    film = RentalFilmSerializer(source="*")
    amount_due = _money(f"Null while the rental is open. {FEE_RULE}", allow_null=True)
    amount_paid = _money("The sum of the rental's payments.")
    balance = _money(
        "What the rental owes (amount_due; while open, the fee were it returned now) minus "
        "amount_paid. Negative when Pagila's historical payments exceeded the fee."
    )


class SetAsideSerializer(PlannedSerializer):
    hold_id = serializers.IntegerField()
    customer_id = serializers.IntegerField()


class ReturnedRentalSerializer(RentalSerializer):
    amount_due = _money(FEE_RULE)
    set_aside_for = SetAsideSerializer(
        allow_null=True,
        help_text="The hold the returned copy was set aside for (its film's first waiting hold at "
        "the copy's store), or null.",
    )


class PaymentSerializer(PlannedSerializer):
    payment_id = serializers.IntegerField()
    rental_id = serializers.IntegerField()
    customer_id = serializers.IntegerField(
        help_text="Whose payment it is: the rental's customer (a few of Pagila's own name another)."
    )
    staff_id = serializers.IntegerField(help_text="The staff member who took the payment.")
    amount = serializers.DecimalField(max_digits=5, decimal_places=2)
    payment_date = serializers.DateTimeField()


class PaidSerializerMixin(PlannedSerializer):
    """What ``"pay": true`` adds to a rental's answer."""

    payment = PaymentSerializer(
        allow_null=True,
        required=False,
        help_text='Only with "pay": true: the payment taken, or null when nothing was owed.',
    )


class RentalPaidSerializer(PaidSerializerMixin, RentalSerializer):
    pass


class ReturnedRentalPaidSerializer(PaidSerializerMixin, ReturnedRentalSerializer):
    pass


_PAY_HELP = "Take what the rental then owes in the same transaction (at most 999.99; the rest stays owed)."


class StaffIdMixin:
    """``staff_id`` is the caller's own staff member by default (``rentals.services.acting_staff_id``),
    so it is required only of a caller linked to none (context ``scope``): then a missing one is
    reported with the other fields' errors. The schema, built without a caller, shows it optional."""

    def get_fields(self):
        fields = super().get_fields()
        scope = self.context.get("scope")
        fields["staff_id"].required = scope is not None and scope.staff_id is None
        return fields


def _staff_id(help_text: str) -> serializers.IntegerField:
    # Pagila has a staff member 0 (sina.corkery), so 0 is a valid id.
    return serializers.IntegerField(min_value=0, max_value=INT_MAX, required=False, help_text=help_text)


_DEFAULT_STAFF = (
    "Defaults to the caller's own staff member; a caller linked to one may name only itself, an unlinked "
    "superuser must name one."
)


class RentalCreateSerializer(StaffIdMixin, serializers.Serializer):
    inventory_id = serializers.IntegerField(min_value=1, max_value=INT_MAX)
    staff_id = _staff_id(f"Who takes the rental (and, with pay, the payment). {_DEFAULT_STAFF}")
    pay = serializers.BooleanField(default=False, help_text=_PAY_HELP)
    override_reason = serializers.CharField(
        min_length=1,
        max_length=500,
        required=False,
        trim_whitespace=False,
        help_text="Rent to a blocked customer anyway, for this reason (kept in the rental's change "
        "record). Needs the override_block permission (superusers, the Manager group): 403 "
        "`override_not_allowed` otherwise.",
    )


class RentalReturnSerializer(serializers.Serializer):
    # Not StaffIdMixin's: a return without pay needs no staff member, whoever the caller is.
    pay = serializers.BooleanField(default=False, help_text=_PAY_HELP)
    staff_id = _staff_id(f'Who takes the payment, with "pay". {_DEFAULT_STAFF}')
    returned_at = serializers.DateTimeField(
        required=False,
        help_text="When the copy came back, for a drop box (ISO 8601): not before the rental, not in "
        "the future, at most RETURN_BACKDATE_DAYS (7) days back. The fee is the fee at that time. "
        "Default: now.",
    )


class PaymentCreateSerializer(StaffIdMixin, serializers.Serializer):
    # No max_digits: 1000.00 is refused as more than the maximum, not as "too many digits".
    amount = serializers.DecimalField(
        max_digits=None, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_PAYMENT
    )
    staff_id = _staff_id(f"Who takes the payment. {_DEFAULT_STAFF}")


class HoldSerializer(PlannedSerializer):
    """A hold, from ``HoldQuerySet.with_shown_status()``."""

    hold_id = serializers.IntegerField()
    customer_id = serializers.IntegerField()
    film_id = serializers.IntegerField()
    store_id = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=["waiting", "ready", "fulfilled", "cancelled", "expired"],
        source="shown_status",
        help_text="A ready hold reads `expired` from expires_at on.",
    )
    position = serializers.IntegerField(
        allow_null=True,
        help_text="1-based place among the film's waiting holds at the store; null unless waiting.",
    )
    created = serializers.DateTimeField()
    ready_at = serializers.DateTimeField(allow_null=True, help_text="When a copy was set aside.")
    expires_at = serializers.DateTimeField(
        allow_null=True, help_text="Until when the copy stays set aside (ready_at + HOLD_READY_DAYS)."
    )
    inventory_id = serializers.IntegerField(
        allow_null=True,
        source="shown_inventory_id",
        help_text="The copy set aside or rented; null unless ready or fulfilled.",
    )


class HoldCreateSerializer(serializers.Serializer):
    film_id = serializers.IntegerField(min_value=1, max_value=INT_MAX)
    store_id = serializers.IntegerField(
        # Stores are numbered from 0 in the chain's data.
        min_value=0,
        max_value=INT_MAX,
        help_text="The store where the customer will collect: one of the caller's.",
    )


class TransferSerializer(PlannedSerializer):
    transfer_id = serializers.IntegerField()
    inventory_id = serializers.IntegerField()
    from_store_id = serializers.IntegerField()
    to_store_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["in_transit", "received", "cancelled"])
    sent_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField(allow_null=True)
    sent_by = serializers.IntegerField(
        source="sent_by_id", allow_null=True, help_text="Staff id; null for an unlinked superuser."
    )
    received_by = serializers.IntegerField(
        source="received_by_id",
        allow_null=True,
        help_text="Staff id; null until received, or by an unlinked superuser.",
    )


class TransferCreateSerializer(serializers.Serializer):
    inventory_id = serializers.IntegerField(
        min_value=1, max_value=INT_MAX, help_text="A copy on one of your stores' shelves."
    )
    to_store_id = serializers.IntegerField(
        min_value=0, max_value=INT_MAX, help_text="Another existing store."
    )


class InventorySerializer(PlannedSerializer):
    """A copy, from ``InventoryQuerySet.with_shelf_state()`` and ``with_in_stock()``."""

    inventory_id = serializers.IntegerField()
    film_id = serializers.IntegerField()
    store_id = serializers.IntegerField()
    condition = serializers.ChoiceField(choices=["good", "damaged", "lost", "withdrawn"])
    in_stock = serializers.BooleanField(
        help_text="On its store's shelf: good, not out on a rental, not set aside, not in transit."
    )
    set_aside_for = SetAsideSerializer(
        allow_null=True, help_text="The ready hold it is set aside for, or null."
    )
    in_transit = serializers.BooleanField(help_text="Travelling between stores.")


class CopyConditionSerializer(serializers.Serializer):
    condition = serializers.ChoiceField(choices=["good", "damaged", "lost", "withdrawn"])
    note = serializers.CharField(
        min_length=1, max_length=500, help_text="Why (kept as the change record's reason)."
    )
