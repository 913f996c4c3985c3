"""The counter's reads of holds and transfers: the stores a desk chooses among, a customer's open
holds, a store's hold shelf, a hold slip, the transfers travelling to or from the clerk's stores,
the transfer a scan names, and the films a typed title names. The writes are the services'
(``rentals.holds``, ``rentals.transfers``), called by ``hold_views.py``.

Every list here is bounded: a shelf or a list of transfers longer than a desk can read says so
rather than growing the page with the chain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import F
from django.http import Http404

from customers.models import Staff, Store
from customers.scope import customer_label, customer_label_sql
from films.models import Film
from pagila_site.backoffice.admin_filters import is_pagila_id
from rentals.models import Hold, Transfer, shown_holds

#: Rows a page lists at most (one more is read to know there are more).
HOLDS_SHOWN = 50
SHELF_SHOWN = 200
TRANSFERS_SHOWN = 200
FILM_MATCHES = 20


@dataclass(frozen=True)
class DeskStores:
    """The stores the clerk may choose (``store_ids``, sorted) and the one chosen unless they say
    otherwise (``default``; None when they work for none)."""

    store_ids: list[int]
    default: int | None


def desk_stores(scope, fallback: int | None = None) -> DeskStores:
    """The caller's stores, defaulting to ``fallback`` (the customer's own store: where they shop)
    when the clerk works for it, else a store the clerk manages, else their staff member's store,
    else the first. Managed before their own: Pagila's clerks belong to stores with no copies
    (staff 1 to 25) and manage the ones that hold them, where the desk is (1)."""
    store_ids = scope.sorted_store_ids()

    def candidates():
        yield fallback
        if scope.staff_id is not None:
            yield (
                Store.objects.filter(manager_staff_id=scope.staff_id)
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )
            yield Staff.objects.filter(pk=scope.staff_id).values_list("store_id", flat=True).first()

    # Lazily: the customer's store, when it is one of the clerk's, costs no query.
    default = next(
        (store for store in candidates() if store in store_ids), store_ids[0] if store_ids else None
    )
    return DeskStores(store_ids, default)


def customer_holds(customer_id: int) -> list[Hold]:
    """The customer's open holds as the API shows them (``shown_status``, ``position``,
    ``shown_inventory_id``), newest first, with ``film_title``; at most ``HOLDS_SHOWN`` + 1."""
    return list(
        shown_holds()
        .filter(customer_id=customer_id, status__in=Hold.OPEN)
        .annotate(film_title=F("film__title"))[: HOLDS_SHOWN + 1]
    )


def shelf(scope, store_id: int) -> list[Hold]:
    """The store's hold shelf: every ready hold (an expired one too, until the worker passes its
    copy on) with its copy, ``film_title``, ``customer_shown`` and ``customer_in_scope``, soonest to
    expire first; at most ``SHELF_SHOWN`` + 1."""
    ready = list(
        Hold.objects.filter(store_id=store_id, status=Hold.Status.READY)
        .with_shown_status()
        .annotate(
            film_title=F("film__title"),
            customer_shown=customer_label_sql(scope),
            customer_store_id=F("customer__store_id"),
        )
        .order_by("expires_at", "hold_id")[: SHELF_SHOWN + 1]
    )
    for hold in ready:
        hold.customer_in_scope = scope.covers_store(hold.customer_store_id)
    return ready


@dataclass(frozen=True)
class Slip:
    hold: Hold
    # "NAME (#id)" for a customer of the caller's stores, "#id" for another store's.
    customer: str
    customer_in_scope: bool


def slip_of(scope, hold_id: int) -> Slip:
    """The hold slip of ``hold_id``; ``Http404`` unless the hold is in scope."""
    hold = shown_holds().in_scope(scope).select_related("customer", "film").filter(pk=hold_id).first()
    if hold is None:
        raise Http404("No such hold in your stores.")
    return Slip(
        hold=hold,
        customer=shown_customer(scope, hold.customer),
        customer_in_scope=scope.covers_customer(hold.customer),
    )


def shown_customer(scope, customer) -> str:
    """A hold's customer as the counter names them: "NAME (#id)" for a customer of the caller's
    stores, "#id" alone for another store's (``customers.scope.customer_label``)."""
    label = customer_label(scope, customer)
    return f"{label} (#{customer.pk})" if scope.covers_customer(customer) else label


def travelling(scope) -> tuple[list[Transfer], list[Transfer]]:
    """Transfers in transit ``(to, from)`` the caller's stores, newest first, with ``film_title``;
    at most ``TRANSFERS_SHOWN`` + 1 each. One between two of the caller's stores is in both: it
    may be received and cancelled here."""
    in_transit = (
        Transfer.objects.in_transit()
        .annotate(film_title=F("inventory__film__title"), film_id=F("inventory__film_id"))
        .order_by("-sent_at", "-transfer_id")
    )
    if scope.every_store:
        return list(in_transit[: TRANSFERS_SHOWN + 1]), []
    stores = sorted(scope.store_ids)
    return (
        list(in_transit.filter(to_store_id__in=stores)[: TRANSFERS_SHOWN + 1]),
        list(in_transit.filter(from_store_id__in=stores)[: TRANSFERS_SHOWN + 1]),
    )


# A transfer id is typed as the pages show it, "T42": a bare number is what a scanner reads off a
# copy, and reading it as a transfer id when the copy has none in transit would receive another
# copy's transfer.
_TRANSFER_ID = re.compile(r"[Tt]([0-9]{1,9})")


class UnreadableScan(ValueError):
    pass


def transfer_scanned(scope, text: str) -> int | None:
    """The transfer a scan at the transfers page names: "T42" is transfer 42; a copy's inventory
    id is its transfer in transit to one of the caller's stores (None when it has none).
    ``UnreadableScan`` for anything else."""
    text = text.strip()
    if match := _TRANSFER_ID.fullmatch(text):
        return int(match[1])
    if not is_pagila_id(text):
        raise UnreadableScan(f"Not an inventory id or a transfer id (T42): {text[:40]}.")
    coming = Transfer.objects.in_transit().filter(inventory_id=int(text))
    if not scope.every_store:
        coming = coming.filter(to_store_id__in=sorted(scope.store_ids))
    return coming.values_list("pk", flat=True).first()


def films_titled(text: str) -> list[tuple[int, str]]:
    """``(film_id, title)`` of the films the clerk means by ``text``: the one titled exactly so
    (case aside), else those whose title holds it, by title; at most ``FILM_MATCHES`` + 1."""
    films = Film.objects.order_by("title", "film_id").values_list("pk", "title")
    exact = list(films.filter(title__iexact=text)[: FILM_MATCHES + 1])
    if exact:
        return exact
    return list(films.filter(title__icontains=text)[: FILM_MATCHES + 1])
