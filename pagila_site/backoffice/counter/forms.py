"""The counter's forms: what the clerk types or scans, read into customer text, inventory ids,
amounts, films, stores, a copy's condition, an override's reason and a return's time (whether the
write is allowed is the services' to say)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from pagila_site.backoffice.admin_filters import is_pagila_id
from rentals.models import Inventory

MAX_COPIES_PER_SCAN = 50
# A scanner types digits; a clerk typing several ids may separate them with spaces or commas.
_SEPARATORS = re.compile(r"[\s,;]+")


class FindForm(forms.Form):
    q = forms.CharField(label="Customer", max_length=100)


class ScanForm(forms.Form):
    """One or more inventory ids: a scan is one id and Enter; typed ones may be several."""

    copies = forms.CharField(label="Inventory id", max_length=600)

    def clean_copies(self) -> list[int]:
        words = [word for word in _SEPARATORS.split(self.cleaned_data["copies"]) if word]
        not_ids = [word for word in words if not is_pagila_id(word)]
        if not_ids:
            raise ValidationError(f"Not an inventory id: {', '.join(not_ids)}.")
        if len(words) > MAX_COPIES_PER_SCAN:
            raise ValidationError(f"At most {MAX_COPIES_PER_SCAN} copies at a time.")
        return [int(word) for word in words]


class CheckOutForm(ScanForm):
    """Copies to rent, and for a blocked customer the reason a manager rents past the block
    (blank: no override, and the block refuses)."""

    override_reason = forms.CharField(label="Override reason", max_length=500, required=False)

    def clean_override_reason(self) -> str | None:
        return self.cleaned_data["override_reason"] or None


#: What ``<input type="datetime-local">`` sends (seconds only when its step asks for them).
LOCAL_TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def local_now() -> str:
    """Now as a ``datetime-local`` box shows it, to the minute, in the site's time zone."""
    return timezone.localtime().strftime(LOCAL_TIME_FORMATS[0])


class CheckInForm(ScanForm):
    """Copies handed back, and when they were: the box is filled with the time the page was shown
    (``shown_at`` repeats it). Left as shown, the copies are returned now: a page open for a while,
    or a copy rented the same minute, must not be backdated by the page's age. Changed (the drop
    box), the time goes to the service, whose limits say why it refuses one."""

    returned_at = forms.DateTimeField(label="Returned at", required=False, input_formats=LOCAL_TIME_FORMATS)
    shown_at = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        typed = self.data.get("returned_at", "")
        if typed and typed == self.data.get("shown_at"):
            cleaned["returned_at"] = None
        return cleaned


class ConditionForm(forms.Form):
    """A copy marked damaged, lost, withdrawn or good again, and why (the change record's reason)."""

    copy = forms.CharField(label="Inventory id", max_length=9)
    condition = forms.ChoiceField(label="Condition", choices=Inventory.Condition.choices)
    note = forms.CharField(label="Note", max_length=500)

    def clean_copy(self) -> int:
        value = self.cleaned_data["copy"].strip()
        if not is_pagila_id(value):
            raise ValidationError(f"Not an inventory id: {value}.")
        return int(value)


class PaymentForm(forms.Form):
    """A payment for one rental; the amount's rules (more than 0, two decimals, at most
    999.99, not more than owed) are the service's, which says why it refuses."""

    rental = forms.CharField(label="Rental id", max_length=9)
    amount = forms.CharField(label="Amount", max_length=12)

    def clean_rental(self) -> int:
        value = self.cleaned_data["rental"].strip()
        if not is_pagila_id(value):
            raise ValidationError(f"Not a rental id: {value}.")
        return int(value)

    def clean_amount(self) -> Decimal:
        value = self.cleaned_data["amount"].strip().removeprefix("$")
        try:
            return Decimal(value)
        except InvalidOperation:
            raise ValidationError(f"Not an amount: {value}.") from None


class _StoreChoice(forms.Form):
    """A form with a ``store`` among the clerk's stores: ``store_ids`` is ``DeskStores.store_ids``."""

    store = forms.TypedChoiceField(label="Store", coerce=int)

    def __init__(self, *args, store_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [(store_id, f"Store {store_id}") for store_id in store_ids]


class HoldForm(_StoreChoice):
    """A hold to place: the film by id or by (part of) its title, at one of the clerk's stores."""

    film = forms.CharField(label="Film title or id", max_length=255)

    def clean_film(self) -> str:
        return self.cleaned_data["film"].strip()


class ShelfForm(_StoreChoice):
    """Which store's hold shelf to show."""


class ReceiveForm(forms.Form):
    """A scan at the transfers page: a copy's inventory id, or a transfer id as "T42"."""

    scan = forms.CharField(label="Inventory id or transfer id", max_length=40)


class SendForm(forms.Form):
    copy = forms.CharField(label="Inventory id", max_length=9)
    to_store = forms.CharField(label="To store", max_length=9)

    def _id(self, name: str, what: str) -> int:
        value = self.cleaned_data[name].strip()
        if not is_pagila_id(value):
            raise ValidationError(f"Not {what}: {value}.")
        return int(value)

    def clean_copy(self) -> int:
        return self._id("copy", "an inventory id")

    def clean_to_store(self) -> int:
        return self._id("to_store", "a store id")
