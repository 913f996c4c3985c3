"""Which stores a caller works for: the one rule behind every "in scope" in the contract.

A staff member works for the store of ``staff.store_id`` and for every store whose
``store.manager_staff_id`` is theirs (Pagila's staff 1 and 2, who did every historical rental,
belong to stores 25 and 33 but manage stores 1 and 2, which hold all the copies). A superuser
works for every store; any other user, linked to no staff member, for none.

The API, the admin, the counter and the AI tools all ask :func:`scope_of`; the querysets'
``in_scope(scope)`` methods turn the answer into rows.
"""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import Case, F, Q, TextField, Value, When
from django.db.models.functions import Cast, Concat

from customers.models import StaffAccount, Store


class Scope:
    """What a caller works for: ``store_ids`` (None: every store) and ``staff_id`` (its linked
    Pagila staff member, or None)."""

    def __init__(
        self,
        *,
        store_ids: frozenset[int] | None,
        staff_id: int | None = None,
        holds_copies: bool = True,
        has_customers: bool = True,
    ):
        self.store_ids = store_ids
        self.staff_id = staff_id
        # Whether the stores hold any copy, and have any customer, when the scope was read: a
        # store with neither (most of a chain's 500, in Pagila's data) is in scope of no rental,
        # and a query need not walk the history to find that out (RentalQuerySet.in_scope).
        # True when unknown: the rows are then filtered as if it held some.
        self.holds_copies = holds_copies
        self.has_customers = has_customers

    @property
    def every_store(self) -> bool:
        return self.store_ids is None

    @property
    def has_stores(self) -> bool:
        return self.store_ids is None or bool(self.store_ids)

    def covers_store(self, store_id: int) -> bool:
        return self.store_ids is None or store_id in self.store_ids

    def covers_customer(self, customer) -> bool:
        return self.covers_store(customer.store_id)

    def sorted_store_ids(self) -> list[int]:
        """The stores as ``/me/`` lists them: every store's id for a superuser."""
        if self.store_ids is None:
            return list(Store.objects.order_by("store_id").values_list("store_id", flat=True))
        return sorted(self.store_ids)

    def __repr__(self) -> str:
        stores = "every store" if self.store_ids is None else sorted(self.store_ids)
        return f"<Scope {stores}>"


class _SuperuserScope(Scope):
    """Every store. The superuser's staff member, if it is linked to one, is read only when
    something asks (a write that defaults ``staff_id``, ``/me/``), so its reads cost no query."""

    def __init__(self, user_id):  # no staff_id: the cached_property below answers for it
        self.store_ids = None
        self._user_id = user_id

    @functools.cached_property
    def staff_id(self) -> int | None:
        # Plain SQL, as _linked_scope: the queryset cost five times the round trip's Python, on every
        # write a superuser makes.
        with connection.cursor() as cursor:
            cursor.execute(_STAFF_LINK, [self._user_id])
            row = cursor.fetchone()
        return None if row is None else row[0]


#: For code acting for no particular user (commands, tests): it names its staff member itself.
EVERY_STORE = Scope(store_ids=None)

# One round trip: the linked staff member, its own store and the stores it manages, and whether
# they hold copies and have customers (the table names are the models' db_table).
_STAFF_STORES = """
    SELECT staff_id, stores,
           EXISTS (SELECT 1 FROM inventory i WHERE i.store_id = ANY (stores)),
           EXISTS (SELECT 1 FROM customer c WHERE c.store_id = ANY (stores))
    FROM (
        SELECT s.staff_id,
               s.store_id
               || ARRAY(SELECT m.store_id FROM store m WHERE m.manager_staff_id = s.staff_id) AS stores
        FROM customers_staffaccount a JOIN staff s ON s.staff_id = a.staff_id
        WHERE a.user_id = %s
    ) linked
"""


_STAFF_LINK = f"SELECT staff_id FROM {StaffAccount._meta.db_table} WHERE user_id = %s"  # noqa: S608 - a model's table


def _linked_scope(user) -> Scope:
    with connection.cursor() as cursor:
        cursor.execute(_STAFF_STORES, [user.pk])
        row = cursor.fetchone()
    if row is None:
        return Scope(store_ids=frozenset())
    staff_id, stores, holds_copies, has_customers = row
    return Scope(
        store_ids=frozenset(stores), staff_id=staff_id, holds_copies=holds_copies, has_customers=has_customers
    )


def scope_of(user) -> Scope:
    """The caller's scope, computed once per user object (so once per request)."""
    cached = getattr(user, "_pagila_scope", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False):
        scope = Scope(store_ids=frozenset())
    elif user.is_superuser:
        scope = _SuperuserScope(user.pk)
    else:
        scope = _linked_scope(user)
    user._pagila_scope = scope
    return scope


# --- Showing a customer ------------------------------------------------------------------------
# A rental (and its payments) is in scope by its copy too, so a clerk sees rows of other stores'
# customers: those customers appear by id only ("#333"), never by name, email, phone or address,
# wherever the back office shows them (changelists, their CSV, change pages, receipts, the
# counter), as the API shows them by customer_id and answers 404 for the customer itself. What
# follows is the one way to show one: in Python, or in SQL for lists and exports.


def customer_label(scope: Scope, customer) -> str:
    """``customer`` as the caller may name them: "FIRST LAST" in scope, "#id" otherwise."""
    if scope.covers_customer(customer):
        return f"{customer.first_name} {customer.last_name}"
    return f"#{customer.pk}"


def _customer_in_scope(scope: Scope, path: str) -> Q:
    return Q(**{f"{path}__store_id__in": sorted(scope.store_ids)})


def customer_detail(scope: Scope, field: str, path: str = "customer"):
    """SQL: the customer's ``field`` (at ``path`` from the rows) when in scope, else NULL."""
    value = F(f"{path}__{field}")
    if scope.every_store:
        return value
    return Case(When(_customer_in_scope(scope, path), then=value), default=None, output_field=TextField())


def customer_label_sql(scope: Scope, path: str = "customer"):
    """SQL: :func:`customer_label` of the customer at ``path`` from the rows."""
    name = Concat(F(f"{path}__first_name"), Value(" "), F(f"{path}__last_name"), output_field=TextField())
    if scope.every_store:
        return name
    by_id = Concat(Value("#"), Cast(F(f"{path}_id"), TextField()), output_field=TextField())
    return Case(When(_customer_in_scope(scope, path), then=name), default=by_id, output_field=TextField())
