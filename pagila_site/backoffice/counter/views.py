"""The counter's pages: each checks who may, reads its form, runs the visit's steps and answers
with the page, or redirects back to it with the cursor in the next box (POST-redirect-GET)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
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
from pagila_site.backoffice.counter.forms import (
    CheckInForm,
    CheckOutForm,
    ConditionForm,
    FindForm,
    HoldForm,
    PaymentForm,
    local_now,
)
from pagila_site.backoffice.counter.permissions import (
    CHANGE,
    CHANGE_HOLD,
    HOLD,
    OVERRIDE_BLOCK,
    RENT,
    SEE_HOLDS,
    SEE_TRANSFERS,
    SET_CONDITION,
    may,
    require,
)
from pagila_site.backoffice.counter.visit import Visit, event, unreadable
from rentals.models import Inventory, PaymentLedgerEntry, Rental, with_block
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


def block_said(customer) -> list[str]:
    """The block rule's reasons for the customer (annotated by ``with_block``), with the figures
    and the limits they pass, as the desk reads them: empty when they may rent."""
    reasons = customer.blocked_reasons
    said = []
    if "balance" in reasons:
        said.append(f"owes ${customer.balance:,.2f} (over ${settings.CIRCULATION_MAX_BALANCE:,.2f})")
    if "overdue" in reasons:
        overdue = customer.overdue_rentals
        said.append(f"{overdue} rental{pluralize(overdue)} overdue (over {settings.CIRCULATION_MAX_OVERDUE})")
    return said


def _form_errors(form) -> str:
    return " ".join(" ".join(errors) for errors in form.errors.values())


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
                "may_check_in": may(request, CHANGE),
                "returned_at_shown": local_now(),
                "backdate_days": settings.RETURN_BACKDATE_DAYS,
                "may_mark": may(request, SET_CONDITION),
                "conditions": Inventory.Condition.choices,
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
        form = CheckInForm(request.POST)
        back = f"{reverse('admin:counter')}?focus=check-in"
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return redirect(back)
        returned_at = form.cleaned_data["returned_at"]
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
                visit.add(**steps.return_rental(scope, inventory_id, rental_id, returned_at=returned_at))
            visit.save()
            return redirect(customer_url(customer_id, "check-in"))
        # Several customers' copies at once: returned here, each said in a message.
        for customer_id, copies in owners.items():
            for inventory_id, rental_id in copies:
                returned = steps.return_rental(scope, inventory_id, rental_id, returned_at=returned_at)
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
        # The block's figures come with the balance, in the customer's one query.
        customers = with_block(Customer.objects.in_scope(scope)).select_related("address")
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
                "blocked": block_said(customer),
                "may_override": may(request, OVERRIDE_BLOCK),
                "returned_at_shown": local_now(),
                "backdate_days": settings.RETURN_BACKDATE_DAYS,
                "may_mark": may(request, SET_CONDITION),
                "conditions": Inventory.Condition.choices,
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
        def options(data):
            # The service refuses a reason from whoever may not; whoever may is told to give one.
            # (require() has read the user's permissions: asking costs no query.)
            return {"override_reason": data["override_reason"], "may_override": may(request, OVERRIDE_BLOCK)}

        return self._scan(request, customer_id, RENT, "check-out", CheckOutForm, steps.check_out, options)

    @method_decorator(require_POST)
    def check_in(self, request, customer_id: int):
        def options(data):
            return {"returned_at": data["returned_at"]}

        return self._scan(request, customer_id, CHANGE, "check-in", CheckInForm, steps.check_in, options)

    def _scan(self, request, customer_id: int, permission: str, step: str, form_class, scan_one, options):
        """A scan box of a customer's page: every copy id typed or scanned goes through
        ``scan_one(scope, customer_id, inventory_id, **options(cleaned_data))`` (the form's other
        fields: an override's reason, a return's time), whose event joins the visit, so a refused
        copy is said next to its id and the others still go through."""
        scope, customer, visit = _desk_visit(request, customer_id, permission)
        form = form_class(request.POST)
        if not form.is_valid():
            visit.add(**unreadable(step, form))
        else:
            for inventory_id in form.cleaned_data["copies"]:
                visit.add(**scan_one(scope, customer.pk, inventory_id, **options(form.cleaned_data)))
        visit.save()
        return redirect(customer_url(customer.pk, step))

    @method_decorator(require_POST)
    def mark(self, request, customer_id: int):
        """A copy's condition marked from a customer's page: the result joins the visit (a copy
        this customer had out and marked lost is returned owing its replacement cost, which the
        visit's payment then takes)."""
        scope, customer, visit = _desk_visit(request, customer_id, SET_CONDITION)
        form = ConditionForm(request.POST)
        if not form.is_valid():
            visit.add(**unreadable("condition", form))
        else:
            data = form.cleaned_data
            visit.add(**steps.mark_copy(scope, data["copy"], data["condition"], data["note"], customer.pk))
        visit.save()
        return redirect(customer_url(customer.pk, "condition"))

    @method_decorator(require_POST)
    def mark_any(self, request):
        """A copy's condition marked from the start page, with no customer at the desk: the
        result is a message."""
        require(request, SET_CONDITION)
        form = ConditionForm(request.POST)
        back = f"{reverse('admin:counter')}?focus=condition"
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return redirect(back)
        data = form.cleaned_data
        marked = steps.mark_copy(scope_of(request.user), data["copy"], data["condition"], data["note"])
        if marked["outcome"] == "refused":
            messages.error(request, f"Copy {data['copy']}: {marked['detail']}")
        else:
            messages.success(request, f"Copy {data['copy']} ({marked['film']}): {marked['detail']}.")
        return redirect(back)

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
