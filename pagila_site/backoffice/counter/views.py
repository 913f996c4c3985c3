"""The counter's pages: each checks who may, reads its form, runs the visit's steps and answers
with the page, or redirects back to it with the cursor in the next box (POST-redirect-GET)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from customers.models import Customer
from customers.scope import scope_of
from pagila_site.backoffice.admin_filters import is_pagila_id
from pagila_site.backoffice.counter import holds, receipts, steps
from pagila_site.backoffice.counter.forms import FindForm, HoldForm, PaymentForm, ScanForm
from pagila_site.backoffice.counter.permissions import (
    CHANGE,
    CHANGE_HOLD,
    HOLD,
    RENT,
    SEE_HOLDS,
    SEE_TRANSFERS,
    may,
    require,
)
from pagila_site.backoffice.counter.visit import Visit, event, unreadable
from rentals.models import PaymentLedgerEntry, Rental, with_balance
from rentals.services import MAX_PAYMENT

MATCHES_SHOWN = 20
RECENT_PAYMENTS = 5


def customer_url(customer_id: int, focus: str) -> str:
    return f"{reverse('admin:counter-customer', args=[customer_id])}?focus={focus}"


def _receipt_url(rental_ids: list[int]) -> str | None:
    if not rental_ids:
        return None
    return reverse("admin:counter-receipt", kwargs={"rental_ids": "-".join(map(str, rental_ids))})


def slip_url(hold_id: int) -> str:
    return reverse("admin:counter-hold-slip", args=[hold_id])


def set_aside_message(inventory_id: int, hold: dict) -> str:
    """What the clerk reads when a copy they took in is set aside for a hold (``hold`` as
    ``steps.set_aside`` gives it), with its slip's link: the copy goes on the hold shelf, not back
    on the shelf for anyone."""
    return format_html(
        'Copy {} is set aside for hold {} of {}: put it on the hold shelf with its <a href="{}">slip</a>.',
        inventory_id,
        hold["hold_id"],
        hold["customer"],
        slip_url(hold["hold_id"]),
    )


def _desk_visit(request, customer_id: int, permission: str):
    """What every write of a customer's page starts with: the permission checked, the caller's
    scope, the customer (404 out of it) and the visit kept in the session."""
    require(request, permission)
    scope = scope_of(request.user)
    customer = get_object_or_404(Customer.objects.in_scope(scope).only("pk"), pk=customer_id)
    return scope, customer, Visit(request.session, customer.pk)


def render(site, request, template: str, title: str, context: dict) -> TemplateResponse:
    """A counter page in the back-office site's frame."""
    return TemplateResponse(request, template, {**site.each_context(request), "title": title, **context})


class CounterViews:
    """The counter's views, rendered in the back-office site's frame (``urls.py`` mounts them)."""

    def __init__(self, site):
        self.site = site

    def _render(self, request, template: str, title: str, context: dict) -> TemplateResponse:
        return render(self.site, request, template, title, context)

    # --- finding a customer ----------------------------------------------------------------------

    @method_decorator(require_GET)
    def find(self, request):
        require(request)
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
                return redirect(customer_url(exact, "check-out"))
            found = list(
                customers.desk_search(text)
                .select_related("address")
                .order_by("last_name", "first_name", "customer_id")[: MATCHES_SHOWN + 1]
            )
            if len(found) == 1:
                return redirect(customer_url(found[0].pk, "check-out"))
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
                "may_check_in": may(request, CHANGE),
                "may_see_holds": may(request, SEE_HOLDS),
                "may_see_transfers": may(request, SEE_TRANSFERS),
                "focus": focus,
            },
        )

    @method_decorator(require_POST)
    def check_in_any(self, request):
        """Copies handed back with no customer looked up: each is returned; when they were all one
        customer's, that customer's page opens with the returns in the visit (to print or pay)."""
        require(request, CHANGE)
        scope = scope_of(request.user)
        form = ScanForm(request.POST)
        back = f"{reverse('admin:counter')}?focus=check-in"
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["copies"]))
            return redirect(back)
        owners = {}
        for inventory_id in form.cleaned_data["copies"]:
            found = steps.open_rental_of(scope, inventory_id)
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
                visit.add(**steps.return_rental(scope, inventory_id, rental_id))
            visit.save()
            return redirect(customer_url(customer_id, "check-in"))
        # Several customers' copies at once: returned here, each said in a message.
        for customer_id, copies in owners.items():
            for inventory_id, rental_id in copies:
                returned = steps.return_rental(scope, inventory_id, rental_id)
                if returned["outcome"] == "refused":
                    messages.error(request, f"Copy {inventory_id}: {returned['detail']}")
                else:
                    messages.success(
                        request,
                        f"Copy {inventory_id} ({returned['film']}) of customer {customer_id} returned. "
                        f"{returned['detail']}.",
                    )
                if returned["hold"]:
                    messages.warning(request, set_aside_message(inventory_id, returned["hold"]))
        return redirect(back)

    # --- one customer's visit --------------------------------------------------------------------

    @method_decorator(require_GET)
    def customer(self, request, customer_id: int):
        require(request)
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
        may_check_out = may(request, RENT)
        may_change = may(request, CHANGE)
        # An unlinked superuser may return copies but neither rent nor take payment: both name
        # the staff member who did it.
        linked = scope.staff_id is not None
        owing = visit.owing() if may_change and linked else []
        focus = request.GET.get("focus") or ("check-out" if may_check_out and linked else "check-in")
        may_hold = may(request, HOLD)
        stores = holds.desk_stores(scope, fallback=customer.store_id) if may_hold else None
        # A title that named several films comes back here to choose one (hold_views.place).
        film_text = request.GET.get("film", "")[:255] if may_hold else ""
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
                "holds": holds.customer_holds(customer.pk) if may(request, SEE_HOLDS) else [],
                "holds_shown": holds.HOLDS_SHOWN,
                "may_cancel_hold": may(request, CHANGE_HOLD),
                "may_hold": may_hold,
                "hold_form": HoldForm(
                    initial={
                        "store": request.GET.get("store") or (stores and stores.default),
                        "film": film_text,
                    },
                    store_ids=stores.store_ids if stores else [],
                    auto_id="id_hold_%s",
                ),
                "film_matches": holds.films_titled(film_text) if film_text else None,
                "film_matches_shown": holds.FILM_MATCHES,
                "focus": focus,
            },
        )

    @method_decorator(require_POST)
    def check_out(self, request, customer_id: int):
        return self._scan(request, customer_id, RENT, "check-out", steps.check_out)

    @method_decorator(require_POST)
    def check_in(self, request, customer_id: int):
        return self._scan(request, customer_id, CHANGE, "check-in", steps.check_in)

    def _scan(self, request, customer_id: int, permission: str, step: str, scan_one):
        """A scan box of a customer's page: every copy id typed or scanned goes through
        ``scan_one(scope, customer_id, inventory_id)``, whose event joins the visit, so a refused
        copy is said next to its id and the others still go through."""
        scope, customer, visit = _desk_visit(request, customer_id, permission)
        form = ScanForm(request.POST)
        if not form.is_valid():
            visit.add(**unreadable(step, form))
        else:
            for inventory_id in form.cleaned_data["copies"]:
                visit.add(**scan_one(scope, customer.pk, inventory_id))
        visit.save()
        return redirect(customer_url(customer.pk, step))

    @method_decorator(require_POST)
    def pay_visit(self, request, customer_id: int):
        """Take what the visit's rentals owe now, each through ``payment_create`` (up to the
        999.99 one payment holds; the rest stays owed)."""
        scope, customer, visit = _desk_visit(request, customer_id, CHANGE)
        owing = visit.owing()
        if not owing:
            visit.add(**event("payment", "refused", "", detail="Nothing is owed for this visit."))
        for rental_id, inventory_id, film, balance in owing:
            visit.add(**steps.pay(scope, rental_id, inventory_id, film, min(balance, MAX_PAYMENT)))
        visit.save()
        return redirect(customer_url(customer.pk, "receipt"))

    @method_decorator(require_POST)
    def pay(self, request, customer_id: int):
        """Take a payment of any amount for one of the customer's rentals (a part of what it owes,
        or an old debt)."""
        scope, customer, visit = _desk_visit(request, customer_id, CHANGE)
        form = PaymentForm(request.POST)
        if not form.is_valid():
            visit.add(**unreadable("payment", form))
        else:
            rental_id, amount = form.cleaned_data["rental"], form.cleaned_data["amount"]
            rental = Rental.objects.filter(pk=rental_id, customer=customer).with_film().first()
            if rental is None:
                # Kept apart so that a visit's receipt is one customer's.
                visit.add(
                    **event("payment", "refused", "", detail=f"Rental {rental_id} is not this customer's.")
                )
            else:
                visit.add(**steps.pay(scope, rental.pk, rental.inventory_id, rental.film_title, amount))
        visit.save()
        return redirect(customer_url(customer.pk, "pay"))

    @method_decorator(require_POST)
    def done(self, request, customer_id: int):
        require(request)
        Visit.end(request.session)
        return redirect(f"{reverse('admin:counter')}?focus=find")

    # --- receipts --------------------------------------------------------------------------------

    @method_decorator(require_GET)
    def receipt(self, request, rental_ids: str):
        require(request)
        receipt = receipts.receipt_of(
            scope_of(request.user), [int(rental_id) for rental_id in rental_ids.split("-")]
        )
        return self._render(
            request,
            "counter/receipt.html",
            f"Receipt for {receipt.customer_label}",
            {"receipt": receipt, "printed_at": timezone.now()},
        )
