"""A visit at the counter: what happened for one customer, kept in the session, and the events it
is made of."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from rentals.models import Rental

MAX_EVENTS = 200
VISIT_KEY = "counter_visit"


class Visit:
    """What happened at the counter for one customer, newest first, kept in the session.

    Each event is a plain dict (the session stores JSON, see :func:`event`): ``step``
    ("check-out", "check-in", "payment" or "condition"), ``outcome`` ("rented", "returned",
    "paid", "marked" or "refused"), ``inventory_id``, and ``rental_id`` (of a copy marked: the
    customer's rental it returned as lost, else None), ``film``, ``detail`` (the due date, the
    fee, the amount paid, the condition and its note, or why it was refused), and ``hold``: for a
    copy checked in and set aside for a hold, ``{"hold_id", "customer_id", "customer"}`` (the
    customer as the clerk may name them), else None.
    """

    def __init__(self, session, customer_id: int):
        data = session.get(VISIT_KEY)
        self._changed = not data or data.get("customer_id") != customer_id
        if self._changed:
            # Another customer at the desk: the previous visit is over.
            data = {"customer_id": customer_id, "events": []}
        self._session = session
        self._data = data

    @property
    def customer_id(self) -> int:
        return self._data["customer_id"]

    @property
    def events(self) -> list[dict]:
        return self._data["events"]

    def add(self, **event) -> None:
        self._changed = True
        self.events.insert(0, event)
        # A long day at the desk should not grow the session row without end.
        del self.events[MAX_EVENTS:]

    def save(self) -> None:
        # Only when something changed: a page view alone writes no session row.
        if self._changed:
            self._session[VISIT_KEY] = self._data

    def rental_ids(self) -> list[int]:
        """The rentals this visit rented, returned or paid for, oldest first: what its receipt
        shows."""
        ids = [
            event["rental_id"]
            for event in reversed(self.events)
            if event["outcome"] != "refused" and event["rental_id"] is not None
        ]
        return list(dict.fromkeys(ids))

    def owing(self) -> list[tuple[int, int, str, Decimal]]:
        """``(rental_id, inventory_id, film, balance)`` of the visit's rentals that owe something
        now (a rental just rented owes its rate, one returned late its fee)."""
        rental_ids = self.rental_ids()
        if not rental_ids:
            return []
        return list(
            Rental.objects.filter(pk__in=rental_ids, customer_id=self.customer_id)
            .with_film()
            .with_amounts()
            .filter(balance__gt=0)
            .order_by("rental_id")
            .values_list("pk", "inventory_id", "film_title", "balance")
        )

    @staticmethod
    def end(session) -> None:
        session.pop(VISIT_KEY, None)


def event(
    step: str,
    outcome: str,
    inventory_id,
    rental_id=None,
    film: str = "",
    detail: str = "",
    hold: dict | None = None,
) -> dict:
    """One event of a visit, as :class:`Visit` keeps it."""
    return {
        "step": step,
        "outcome": outcome,
        "inventory_id": inventory_id,
        "rental_id": rental_id,
        "film": film,
        "detail": detail,
        "hold": hold,
    }


def unreadable(step: str, form: forms.Form) -> dict:
    """The refusal of a form that did not read: what was typed, and why not."""
    what = " ".join(str(form.data.get(name, ""))[:40] for name in form.fields)
    return event(step, "refused", what, detail=" ".join(" ".join(errors) for errors in form.errors.values()))
