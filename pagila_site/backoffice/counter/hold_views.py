"""The counter's pages for holds and transfers: placing and cancelling a customer's hold, a hold
slip, a store's hold shelf, and the transfers page (receive by one scan, send, cancel).

Each write goes through ``rentals.holds`` or ``rentals.transfers`` with the clerk's scope and
redirects back (POST-redirect-GET); what it did, or why the service refused, is a message at the
top of the page the clerk comes back to, as the start page's check-in says its results.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from customers.models import Customer
from customers.scope import scope_of
from pagila_site.backoffice.admin_filters import is_pagila_id
from pagila_site.backoffice.counter import holds
from pagila_site.backoffice.counter.forms import HoldForm, ReceiveForm, SendForm, ShelfForm
from pagila_site.backoffice.counter.permissions import (
    CHANGE_HOLD,
    CHANGE_TRANSFER,
    HOLD,
    SEE_HOLDS,
    SEE_TRANSFERS,
    SEND,
    may,
    require,
)
from pagila_site.backoffice.counter.steps import set_aside
from pagila_site.backoffice.counter.views import customer_url, render, set_aside_message, slip_url
from rentals.errors import RentalError
from rentals.holds import hold_cancel, hold_place
from rentals.models import Hold, Transfer, shown_holds
from rentals.transfers import transfer_cancel, transfer_receive, transfer_send


def _form_errors(form) -> str:
    return " ".join(" ".join(errors) for errors in form.errors.values())


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _transfers_url(focus: str) -> str:
    return f"{reverse('admin:counter-transfers')}?focus={focus}"


def _back(request, default: str) -> str:
    """Where a form asked to come back to (``next``), if it is one of this site's pages."""
    wanted = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return wanted
    return default


class HoldViews:
    """The holds and transfers pages, in the back-office site's frame (``urls.py`` mounts them)."""

    def __init__(self, site):
        self.site = site

    # --- a customer's holds ----------------------------------------------------------------------

    @method_decorator(require_POST)
    def place(self, request, customer_id: int):
        """Place a hold from the customer's page: the film by id, by its exact title, or by the
        one title holding what was typed; several such titles come back as a list to choose from."""
        require(request, HOLD)
        scope = scope_of(request.user)
        customer = get_object_or_404(Customer.objects.in_scope(scope).only("pk"), pk=customer_id)
        back = customer_url(customer.pk, "hold")
        form = HoldForm(request.POST, store_ids=holds.desk_stores(scope).store_ids)
        if not form.is_valid():
            messages.error(request, f"Hold not placed: {_form_errors(form)}")
            return redirect(back)
        text, store_id = form.cleaned_data["film"], form.cleaned_data["store"]
        # The store chosen stays chosen for the next hold: a desk serving another store's queue
        # serves it for a while.
        back = f"{back}&store={store_id}"
        if is_pagila_id(text):
            film_id = int(text)  # the service says whether there is such a film
        else:
            films = holds.films_titled(text)
            if not films:
                messages.error(request, f"Hold not placed: no film's title holds “{text}”.")
                return redirect(back)
            if len(films) > 1:
                choose = urlencode({"film": text, "store": store_id})
                return redirect(f"{customer_url(customer.pk, 'hold-matches')}&{choose}")
            [(film_id, _title)] = films
        try:
            hold = hold_place(scope=scope, customer_id=customer.pk, film_id=film_id, store_id=store_id)
        except RentalError as exc:
            messages.error(request, f"Hold not placed: {exc}")
            return redirect(back)
        messages.success(request, _placed_message(hold.pk))
        return redirect(back)

    @method_decorator(require_POST)
    def cancel(self, request, hold_id: int):
        require(request, CHANGE_HOLD)
        back = _back(request, reverse("admin:counter-holds"))
        try:
            hold_cancel(scope=scope_of(request.user), hold_id=hold_id)
        except Hold.DoesNotExist:
            messages.error(request, f"No hold {hold_id} in your stores.")
        except RentalError as exc:
            messages.error(request, f"Hold {hold_id} not cancelled: {exc}")
        else:
            messages.success(request, f"Hold {hold_id} cancelled.")
        return redirect(back)

    @method_decorator(require_GET)
    def slip(self, request, hold_id: int):
        require(request, SEE_HOLDS)
        slip = holds.slip_of(scope_of(request.user), hold_id)
        return render(
            self.site,
            request,
            "counter/hold_slip.html",
            f"Hold slip {hold_id}",
            {"slip": slip, "printed_at": timezone.now()},
        )

    # --- a store's hold shelf --------------------------------------------------------------------

    @method_decorator(require_GET)
    def shelf(self, request):
        require(request, SEE_HOLDS)
        scope = scope_of(request.user)
        stores = holds.desk_stores(scope)
        form = ShelfForm(request.GET if "store" in request.GET else None, store_ids=stores.store_ids)
        store_id = form.cleaned_data["store"] if form.is_valid() else stores.default
        if form.is_bound and not form.is_valid():
            messages.error(request, f"{_form_errors(form)} Showing store {store_id}.")
        ready = holds.shelf(scope, store_id) if store_id is not None else []
        return render(
            self.site,
            request,
            "counter/holds.html",
            f"Hold shelf of store {store_id}",
            {
                "store_form": ShelfForm(
                    initial={"store": store_id}, store_ids=stores.store_ids, auto_id="id_shelf_%s"
                ),
                "store_id": store_id,
                "ready": ready[: holds.SHELF_SHOWN],
                "more": len(ready) > holds.SHELF_SHOWN,
                "expired": sum(hold.shown_status == Hold.Status.EXPIRED for hold in ready),
                "may_cancel_hold": may(request, CHANGE_HOLD),
                "focus": request.GET.get("focus") or ("shelf" if ready else "store"),
            },
        )

    # --- transfers -------------------------------------------------------------------------------

    @method_decorator(require_GET)
    def transfers(self, request):
        require(request, SEE_TRANSFERS)
        scope = scope_of(request.user)
        coming, going = holds.travelling(scope)
        return render(
            self.site,
            request,
            "counter/transfers.html",
            "Transfers",
            {
                "coming": coming[: holds.TRANSFERS_SHOWN],
                "more_coming": len(coming) > holds.TRANSFERS_SHOWN,
                "going": going[: holds.TRANSFERS_SHOWN],
                "more_going": len(going) > holds.TRANSFERS_SHOWN,
                # A superuser's list is every transfer in transit, one list.
                "every_store": scope.every_store,
                "shown": holds.TRANSFERS_SHOWN,
                "may_receive": may(request, CHANGE_TRANSFER),
                "may_send": may(request, SEND),
                "receive_form": ReceiveForm(auto_id="id_receive_%s"),
                "send_form": SendForm(auto_id="id_send_%s"),
                "focus": request.GET.get("focus") or "receive",
            },
        )

    @method_decorator(require_POST)
    def receive(self, request):
        """One scan receives a copy: its inventory id (its transfer in transit to one of the
        clerk's stores) or its transfer's id typed as "T42"."""
        require(request, CHANGE_TRANSFER)
        scope = scope_of(request.user)
        back = _transfers_url("receive")
        form = ReceiveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return redirect(back)
        try:
            transfer_id = holds.transfer_scanned(scope, form.cleaned_data["scan"])
        except holds.UnreadableScan as exc:
            messages.error(request, str(exc))
            return redirect(back)
        if transfer_id is None:
            copy = form.cleaned_data["scan"].strip()
            messages.error(request, f"Copy {copy} is not in transit to any of your stores.")
            return redirect(back)
        try:
            hold = transfer_receive(scope=scope, transfer_id=transfer_id)
        except Transfer.DoesNotExist:
            messages.error(request, f"No transfer T{transfer_id} to or from your stores.")
            return redirect(back)
        except RentalError as exc:
            messages.error(request, f"Transfer T{transfer_id} not received: {exc}")
            return redirect(back)
        inventory_id, to_store_id, title = (
            Transfer.objects.filter(pk=transfer_id)
            .values_list("inventory_id", "to_store_id", "inventory__film__title")
            .get()
        )
        messages.success(
            request,
            f"Transfer T{transfer_id} received: copy {inventory_id} ({title}) is store {to_store_id}'s now.",
        )
        if hold is None:
            messages.info(request, f"No hold waits for it: put copy {inventory_id} on the shelf.")
        else:
            messages.warning(request, set_aside_message(inventory_id, set_aside(scope, hold)))
        return redirect(back)

    @method_decorator(require_POST)
    def send(self, request):
        require(request, SEND)
        back = _transfers_url("send")
        form = SendForm(request.POST)
        if not form.is_valid():
            messages.error(request, f"Not sent: {_form_errors(form)}")
            return redirect(back)
        try:
            transfer = transfer_send(
                scope=scope_of(request.user),
                inventory_id=form.cleaned_data["copy"],
                to_store_id=form.cleaned_data["to_store"],
            )
        except RentalError as exc:
            messages.error(request, f"Copy {form.cleaned_data['copy']} not sent: {exc}")
            return redirect(back)
        messages.success(
            request,
            f"Copy {transfer.inventory_id} is on its way from store {transfer.from_store_id} to store "
            f"{transfer.to_store_id} (transfer T{transfer.pk}).",
        )
        return redirect(back)

    @method_decorator(require_POST)
    def cancel_transfer(self, request, transfer_id: int):
        require(request, CHANGE_TRANSFER)
        back = _transfers_url("receive")
        try:
            transfer_cancel(scope=scope_of(request.user), transfer_id=transfer_id)
        except Transfer.DoesNotExist:
            messages.error(request, f"No transfer T{transfer_id} to or from your stores.")
        except RentalError as exc:
            messages.error(request, f"Transfer T{transfer_id} not cancelled: {exc}")
        else:
            messages.success(request, f"Transfer T{transfer_id} cancelled: the copy stays where it was.")
        return redirect(back)


def _placed_message(hold_id: int) -> str:
    """What a hold just placed is: ready at once with a copy from the shelf, or waiting."""
    hold = shown_holds().select_related("film").get(pk=hold_id)
    if hold.shown_status == Hold.Status.READY:
        return format_html(
            'Hold {} placed: copy {} of {} is ready at store {} until {}. Its <a href="{}">hold slip</a>.',
            hold.pk,
            hold.shown_inventory_id,
            hold.film.title,
            hold.store_id,
            _local(hold.expires_at),
            slip_url(hold.pk),
        )
    return (
        f"Hold {hold.pk} placed: {hold.film.title}, number {hold.position} in the queue at store "
        f"{hold.store_id}."
    )
