"""The counter: the back-office page of the clerk at the desk, made for a keyboard and a barcode
scanner (which types an id and presses Enter).

A visit: find a customer of one's stores (an exact id opens them at once), see their balance,
open rentals (overdue first, with the fee so far) and recent payments, scan copies out and in,
take payment, print a receipt (``receipts.py``), move on to the next customer. Every write goes through
``rentals.services``, as the API's and the admin's do, with the signed-in user's scope; each
form posts, and the answer redirects back to the page with the cursor in the box for the next
scan (POST-redirect-GET, so a reload never rents twice).

What happened during the visit (each copy scanned, rented, returned or refused, and why) is kept
in the session, so a refusal stays next to the copy it concerns while the other scans go through.
A visit lasts until the clerk opens another customer or ends it.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET, require_POST

from customers.models import Customer
from customers.scope import scope_of
from pagila_site.backoffice import receipts
from pagila_site.backoffice.admin_filters import is_pagila_id
from rentals.models import PaymentLedgerEntry, Rental, with_balance
from rentals.services import MAX_PAYMENT, RentalError, payment_create, rental_create, rental_return

#: Who may use the counter at all: look customers and rentals up. Renting needs add_rental;
#: returning and taking payment change_rental, since a payment changes what a rental owes and the
#: ledger itself is read-only in the admin (the Clerk group has all four).
SEE = ("customers.view_customer", "rentals.view_rental")
CHANGE = "rentals.change_rental"
MATCHES_SHOWN = 20
RECENT_PAYMENTS = 5
MAX_COPIES_PER_SCAN = 50
MAX_EVENTS = 200
VISIT_KEY = "counter_visit"
# A scanner types digits; a clerk typing several ids may separate them with spaces or commas.
_SEPARATORS = re.compile(r"[\s,;]+")


def _display_time(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


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


class Visit:
    """What happened at the counter for one customer, newest first, kept in the session.

    Each event is a plain dict (the session stores JSON): ``step`` ("check-out" or "check-in"),
    ``outcome`` ("rented", "returned", "paid" or "refused"), ``inventory_id``, and ``rental_id``,
    ``film``, ``detail`` (the due date, the fee, the amount paid, or why it was refused).
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
        ids = [event["rental_id"] for event in reversed(self.events) if event["outcome"] != "refused"]
        return list(dict.fromkeys(ids))

    @staticmethod
    def end(session) -> None:
        session.pop(VISIT_KEY, None)


def _require(request, *permissions: str) -> None:
    if not request.user.has_perms([*SEE, *permissions]):
        raise PermissionDenied
    if not scope_of(request.user).has_stores:
        raise PermissionDenied("This account works for no store.")


def _customer_url(customer_id: int, focus: str) -> str:
    return f"{reverse('admin:counter-customer', args=[customer_id])}?focus={focus}"


def _receipt_url(rental_ids: list[int]) -> str | None:
    if not rental_ids:
        return None
    return reverse("admin:counter-receipt", kwargs={"rental_ids": "-".join(map(str, rental_ids))})


def _event(step: str, outcome: str, inventory_id, rental_id=None, film: str = "", detail: str = "") -> dict:
    return {
        "step": step,
        "outcome": outcome,
        "inventory_id": inventory_id,
        "rental_id": rental_id,
        "film": film,
        "detail": detail,
    }


def _unreadable(step: str, form: forms.Form) -> dict:
    what = " ".join(str(form.data.get(name, ""))[:40] for name in form.fields)
    return _event(step, "refused", what, detail=" ".join(" ".join(errors) for errors in form.errors.values()))


def _open_rental_of(scope, inventory_id: int) -> tuple[int, int] | None:
    """``(rental_id, customer_id)`` of the copy's open rental, if one is in scope."""
    return (
        Rental.objects.in_scope(scope)
        .open()
        .filter(inventory_id=inventory_id)
        .values_list("pk", "customer_id")
        .first()
    )


def _pay(scope, rental_id: int, inventory_id: int, film: str, amount: Decimal) -> dict:
    """Take ``amount`` for the rental through the service; the event says what was paid, or why not."""
    try:
        payment = payment_create(scope=scope, rental_id=rental_id, amount=amount)
    except (RentalError, Rental.DoesNotExist) as exc:
        return _event("payment", "refused", inventory_id, detail=str(exc))
    return _event("payment", "paid", inventory_id, rental_id, film, f"Paid ${payment.amount}")


def _visit_owing(customer_id: int, visit: Visit) -> list[tuple[int, int, str, Decimal]]:
    """``(rental_id, inventory_id, film, balance)`` of the visit's rentals that owe something now
    (a rental just rented owes its rate, one returned late its fee)."""
    rental_ids = visit.rental_ids()
    if not rental_ids:
        return []
    return list(
        Rental.objects.filter(pk__in=rental_ids, customer_id=customer_id)
        .with_film()
        .with_amounts()
        .filter(balance__gt=0)
        .order_by("rental_id")
        .values_list("pk", "inventory_id", "film_title", "balance")
    )


def _return(scope, inventory_id: int, rental_id: int) -> dict:
    """Return the rental through the service; the event says the fee, or why not."""
    try:
        returned = rental_return(scope=scope, rental_id=rental_id)
    except (RentalError, Rental.DoesNotExist) as exc:
        # Another desk returned it between the lookup and now.
        return _event("check-in", "refused", inventory_id, detail=str(exc))
    return _event(
        "check-in", "returned", inventory_id, returned.pk, returned.film_title, f"Fee ${returned.amount_due}"
    )


def _desk_visit(request, customer_id: int, permission: str):
    """What every write of a customer's page starts with: the permission checked, the caller's
    scope, the customer (404 out of it) and the visit kept in the session."""
    _require(request, permission)
    scope = scope_of(request.user)
    customer = get_object_or_404(Customer.objects.in_scope(scope).only("pk"), pk=customer_id)
    return scope, customer, Visit(request.session, customer.pk)


def _check_out_one(scope, customer_id: int, inventory_id: int) -> dict:
    """Rent one copy to the customer: the visit's event for it."""
    try:
        rented = rental_create(scope=scope, customer_id=customer_id, inventory_id=inventory_id)
    except RentalError as exc:
        return _event("check-out", "refused", inventory_id, detail=str(exc))
    due = f"Due {_display_time(rented.due_date)}"
    return _event("check-out", "rented", inventory_id, rented.pk, rented.film_title, due)


def _check_in_one(scope, customer_id: int, inventory_id: int) -> dict:
    """Return one copy the customer hands back: the visit's event for it."""
    found = _open_rental_of(scope, inventory_id)
    if found is not None and found[1] == customer_id:
        return _return(scope, inventory_id, found[0])
    if found is None:
        detail = "This copy is not out on a rental in your stores."
    else:
        # Kept apart so that a visit's receipt is one customer's.
        detail = (
            f"This copy is out to customer {found[1]}, not to this customer: "
            "check it in from the counter's start page."
        )
    return _event("check-in", "refused", inventory_id, detail=detail)


class Counter:
    """The counter's views, served by the back-office site under ``/admin/counter/``."""

    def __init__(self, site):
        self.site = site

    def urls(self) -> list:
        view = self.site.admin_view
        return [
            path("counter/", view(self.find), name="counter"),
            path("counter/check-in/", view(self.check_in_any), name="counter-check-in"),
            path("counter/customers/<int:customer_id>/", view(self.customer), name="counter-customer"),
            path(
                "counter/customers/<int:customer_id>/check-out/",
                view(self.check_out),
                name="counter-check-out",
            ),
            path(
                "counter/customers/<int:customer_id>/check-in/",
                view(self.check_in),
                name="counter-customer-check-in",
            ),
            path(
                "counter/customers/<int:customer_id>/pay-visit/",
                view(self.pay_visit),
                name="counter-pay-visit",
            ),
            path("counter/customers/<int:customer_id>/pay/", view(self.pay), name="counter-pay"),
            path("counter/customers/<int:customer_id>/done/", view(self.done), name="counter-done"),
            # One or more rental ids joined by "-" (at most 50): a visit's receipt, or one rental's.
            re_path(
                r"^counter/receipts/(?P<rental_ids>[0-9]{1,9}(?:-[0-9]{1,9}){0,49})/$",
                view(self.receipt),
                name="counter-receipt",
            ),
        ]

    def _render(self, request, template: str, title: str, context: dict) -> TemplateResponse:
        return TemplateResponse(
            request, template, {**self.site.each_context(request), "title": title, **context}
        )

    @staticmethod
    def _may(request, permission: str) -> bool:
        return request.user.has_perm(permission)

    # --- finding a customer ----------------------------------------------------------------------

    @method_decorator(require_GET)
    def find(self, request):
        _require(request)
        scope = scope_of(request.user)
        form = FindForm(request.GET if "q" in request.GET else None)
        matches = None
        if form.is_valid():
            text = form.cleaned_data["q"]
            customers = Customer.objects.in_scope(scope)
            # A scanned customer card: its id opens the customer, whatever else the digits match.
            if is_pagila_id(text) and (
                exact := customers.filter(pk=int(text)).values_list("pk", flat=True).first()
            ):
                return redirect(_customer_url(exact, "check-out"))
            found = list(
                customers.desk_search(text)
                .select_related("address")
                .order_by("last_name", "first_name", "customer_id")[: MATCHES_SHOWN + 1]
            )
            if len(found) == 1:
                return redirect(_customer_url(found[0].pk, "check-out"))
            matches = found[:MATCHES_SHOWN]
        focus = request.GET.get("focus") or ("results" if matches else "find")
        return self._render(
            request,
            "counter/find.html",
            "Counter",
            {
                "form": form,
                "matches": matches,
                "more_matches": matches is not None and len(found) > MATCHES_SHOWN,
                "check_in_form": ScanForm(auto_id="id_check_in_%s"),
                "may_check_in": self._may(request, CHANGE),
                "focus": focus,
            },
        )

    @method_decorator(require_POST)
    def check_in_any(self, request):
        """Copies handed back with no customer looked up: each is returned; when they were all one
        customer's, that customer's page opens with the returns in the visit (to print or pay)."""
        _require(request, CHANGE)
        scope = scope_of(request.user)
        form = ScanForm(request.POST)
        back = f"{reverse('admin:counter')}?focus=check-in"
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["copies"]))
            return redirect(back)
        owners = {}
        for inventory_id in form.cleaned_data["copies"]:
            found = _open_rental_of(scope, inventory_id)
            if found is None:
                messages.error(request, f"Copy {inventory_id} is not out on a rental in your stores.")
                continue
            rental_id, customer_id = found
            owners.setdefault(customer_id, []).append((inventory_id, rental_id))
        # One customer's copies open that customer's page, if the clerk may see it: a copy of the
        # clerk's store may come back from another store's customer.
        if len(owners) == 1 and Customer.objects.in_scope(scope).filter(pk=next(iter(owners))).exists():
            [(customer_id, copies)] = owners.items()
            visit = Visit(request.session, customer_id)
            for inventory_id, rental_id in copies:
                visit.add(**_return(scope, inventory_id, rental_id))
            visit.save()
            return redirect(_customer_url(customer_id, "check-in"))
        # Several customers' copies at once: returned here, each said in a message.
        for customer_id, copies in owners.items():
            for inventory_id, rental_id in copies:
                event = _return(scope, inventory_id, rental_id)
                if event["outcome"] == "refused":
                    messages.error(request, f"Copy {inventory_id}: {event['detail']}")
                else:
                    messages.success(
                        request,
                        f"Copy {inventory_id} ({event['film']}) of customer {customer_id} returned. "
                        f"{event['detail']}.",
                    )
        return redirect(back)

    # --- one customer's visit --------------------------------------------------------------------

    @method_decorator(require_GET)
    def customer(self, request, customer_id: int):
        _require(request)
        scope = scope_of(request.user)
        customers = with_balance(Customer.objects.in_scope(scope)).select_related("address")
        customer = get_object_or_404(customers, pk=customer_id)
        visit = Visit(request.session, customer.pk)
        visit.save()
        open_rentals = (
            Rental.objects.filter(customer=customer)
            .open()
            .with_due_date()
            .with_film()
            .with_fee_so_far()
            .with_amounts()
            .order_by("-overdue", "due_date", "rental_id")
        )
        payments = PaymentLedgerEntry.objects.filter(customer=customer).order_by(
            "-payment_date", "-payment_id"
        )
        may_check_out = self._may(request, "rentals.add_rental")
        may_change = self._may(request, CHANGE)
        # An unlinked superuser may return copies but neither rent nor take payment: both name
        # the staff member who did it.
        linked = scope.staff_id is not None
        owing = _visit_owing(customer.pk, visit) if may_change and linked else []
        focus = request.GET.get("focus") or ("check-out" if may_check_out and linked else "check-in")
        return self._render(
            request,
            "counter/customer.html",
            f"{customer.first_name} {customer.last_name}",
            {
                "customer": customer,
                "open_rentals": list(open_rentals),
                "payments": list(payments[:RECENT_PAYMENTS]),
                "events": visit.events,
                "receipt_url": _receipt_url(visit.rental_ids()),
                "check_out_form": ScanForm(auto_id="id_check_out_%s"),
                "check_in_form": ScanForm(auto_id="id_check_in_%s"),
                "visit_owed": sum((balance for *_rest, balance in owing), Decimal("0.00")),
                "may_check_out": may_check_out and linked,
                "unlinked": (may_check_out or may_change) and not linked,
                "may_check_in": may_change,
                "may_pay": may_change and linked,
                "focus": focus,
            },
        )

    @method_decorator(require_POST)
    def check_out(self, request, customer_id: int):
        return self._scan(request, customer_id, "rentals.add_rental", "check-out", _check_out_one)

    @method_decorator(require_POST)
    def check_in(self, request, customer_id: int):
        return self._scan(request, customer_id, CHANGE, "check-in", _check_in_one)

    def _scan(self, request, customer_id: int, permission: str, step: str, scan_one):
        """A scan box of a customer's page: every copy id typed or scanned goes through
        ``scan_one(scope, customer_id, inventory_id)``, whose event joins the visit, so a refused
        copy is said next to its id and the others still go through."""
        scope, customer, visit = _desk_visit(request, customer_id, permission)
        form = ScanForm(request.POST)
        if not form.is_valid():
            visit.add(**_unreadable(step, form))
        else:
            for inventory_id in form.cleaned_data["copies"]:
                visit.add(**scan_one(scope, customer.pk, inventory_id))
        visit.save()
        return redirect(_customer_url(customer.pk, step))

    @method_decorator(require_POST)
    def pay_visit(self, request, customer_id: int):
        """Take what the visit's rentals owe now, each through ``payment_create`` (up to the
        999.99 one payment holds; the rest stays owed)."""
        scope, customer, visit = _desk_visit(request, customer_id, CHANGE)
        owing = _visit_owing(customer.pk, visit)
        if not owing:
            visit.add(**_event("payment", "refused", "", detail="Nothing is owed for this visit."))
        for rental_id, inventory_id, film, balance in owing:
            visit.add(**_pay(scope, rental_id, inventory_id, film, min(balance, MAX_PAYMENT)))
        visit.save()
        return redirect(_customer_url(customer.pk, "receipt"))

    @method_decorator(require_POST)
    def pay(self, request, customer_id: int):
        """Take a payment of any amount for one of the customer's rentals (a part of what it owes,
        or an old debt)."""
        scope, customer, visit = _desk_visit(request, customer_id, CHANGE)
        form = PaymentForm(request.POST)
        if not form.is_valid():
            visit.add(**_unreadable("payment", form))
        else:
            rental_id, amount = form.cleaned_data["rental"], form.cleaned_data["amount"]
            rental = Rental.objects.filter(pk=rental_id, customer=customer).with_film().first()
            if rental is None:
                # Kept apart so that a visit's receipt is one customer's.
                visit.add(
                    **_event("payment", "refused", "", detail=f"Rental {rental_id} is not this customer's.")
                )
            else:
                visit.add(**_pay(scope, rental.pk, rental.inventory_id, rental.film_title, amount))
        visit.save()
        return redirect(_customer_url(customer.pk, "pay"))

    @method_decorator(require_POST)
    def done(self, request, customer_id: int):
        _require(request)
        Visit.end(request.session)
        return redirect(f"{reverse('admin:counter')}?focus=find")

    # --- receipts --------------------------------------------------------------------------------

    @method_decorator(require_GET)
    def receipt(self, request, rental_ids: str):
        _require(request)
        receipt = receipts.receipt_of(
            scope_of(request.user), [int(rental_id) for rental_id in rental_ids.split("-")]
        )
        return self._render(
            request,
            "counter/receipt.html",
            f"Receipt for {receipt.customer_label}",
            {"receipt": receipt, "printed_at": timezone.now()},
        )
