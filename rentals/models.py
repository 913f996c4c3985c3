"""Inventory, rentals and payments: unmanaged models over Pagila's tables.

Maps ``inventory``, ``rental`` and the partitioned ``payment`` table (primary key
``(payment_date, payment_id)``; rows live in Pagila's monthly ``payment_p2022_*`` partitions,
later ones in ``payment_default``). What we add to Pagila's schema: the partial unique index
behind ``Rental.Meta.constraints`` (migration ``0002``), at most one open rental per copy; and
a partition for payments of any date, with keys and indexes on ``payment`` itself (``0006``).
"""

import functools
import operator
from decimal import Decimal

from django.db import models
from django.db.models import Case, Exists, ExpressionWrapper, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, Now
from django.db.models.lookups import IsNull, LessThan

from customers.models import Customer, Staff, Store
from films.models import Film
from rentals.summaries import DaySummary, FilmSummary  # noqa: F401 - the dashboard's summaries


def _out_on_an_open_rental() -> Exists:
    """Whether the copy of the outer query is out: Pagila's ``inventory_in_stock()``, negated."""
    return Exists(Rental.objects.open().filter(inventory=OuterRef("pk")))


def _set_aside() -> Exists:
    """Whether the copy of the outer query is set aside for a ready hold (an expired one's copy
    too, until it is passed on: ``rentals.holds``)."""
    return Exists(Hold.objects.filter(status=Hold.Status.READY, inventory=OuterRef("pk")))


def _travelling() -> Exists:
    """Whether the copy of the outer query is in transit between stores."""
    return Exists(Transfer.objects.in_transit().filter(inventory=OuterRef("pk")))


def _on_its_shelf() -> Q:
    """The copy of the query is on its store's shelf for anyone: in good condition, not out on a
    rental, not set aside for a hold, not travelling."""
    return Q(condition="good") & ~_out_on_an_open_rental() & ~_set_aside() & ~_travelling()


class InventoryQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Copies held by one of ``scope``'s stores."""
        return self if scope.every_store else self.filter(store_id__in=scope.store_ids)

    def in_stock(self):
        """Copies on their store's shelf: in good condition, not out on an open rental, not set
        aside for a hold, not in transit."""
        return self.filter(_on_its_shelf())

    def with_in_stock(self):
        """Annotate ``in_stock`` (see ``in_stock()``)."""
        return self.annotate(in_stock=ExpressionWrapper(_on_its_shelf(), output_field=models.BooleanField()))

    def with_shelf_state(self):
        """Annotate why a copy is not on its shelf: ``on_loan``, ``in_transit``, and the ready hold
        it is set aside for (``held_for``: its hold_id, ``held_for_customer``, and ``held_expired``:
        past its ``expires_at`` by the database's clock, its copy not passed on yet)."""
        ready = Hold.objects.filter(status=Hold.Status.READY, inventory=OuterRef("pk"))
        return self.annotate(
            on_loan=_out_on_an_open_rental(),
            in_transit=_travelling(),
            held_for=models.Subquery(ready.values("pk")[:1]),
            held_for_customer=models.Subquery(ready.values("customer_id")[:1]),
            held_expired=Exists(Hold.objects.due_to_expire().filter(inventory=OuterRef("pk"))),
        )


class Inventory(models.Model):
    class Condition(models.TextChoices):
        GOOD = "good"
        DAMAGED = "damaged"
        LOST = "lost"
        WITHDRAWN = "withdrawn"

    inventory_id = models.AutoField(primary_key=True)
    film = models.ForeignKey(Film, models.DO_NOTHING, related_name="inventory")
    store = models.ForeignKey(Store, models.DO_NOTHING, related_name="inventory")
    # Our column on Pagila's table (migration 0014): anything but good is rentable by no one.
    condition = models.TextField(choices=Condition, default=Condition.GOOD, db_default=Condition.GOOD)
    last_update = models.DateTimeField(db_default=Now())

    objects = InventoryQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "inventory"
        ordering = ["inventory_id"]
        verbose_name_plural = "inventory"
        permissions = [("set_copy_condition", "Can mark a copy damaged, lost, withdrawn or good")]

    def __str__(self) -> str:
        return f"Copy {self.inventory_id}"


def _count(queryset) -> models.Subquery:
    """``(SELECT count(*) ...)`` as an expression: 0 rather than NULL when no row matches.

    The count is a plain function to Django, so the outer query gets no GROUP BY.
    """
    return models.Subquery(
        queryset.order_by().values(n=models.Func(template="count(*)", output_field=models.IntegerField()))
    )


def with_copies(films: models.QuerySet) -> models.QuerySet:
    """``films`` annotated with ``copies_total`` and ``copies_in_stock``: their inventory rows, and
    those on their store's shelf (``InventoryQuerySet.in_stock()``).

    The film detail shows these; they live here because copies and rentals are this app's, and
    the catalogue's models know nothing of rentals.
    """
    copies = Inventory.objects.filter(film=OuterRef("pk"))
    return films.annotate(copies_total=_count(copies), copies_in_stock=_count(copies.in_stock()))


def film_details() -> models.QuerySet:
    """Films as their detail shows them (language, categories, cast, copies): a clone of one
    queryset built once per process, as ``shown_rentals()``; building it was a fifth of a
    detail's Python. ``fulltext`` is left unread: it is only ever matched in SQL."""
    return _film_details().all()


@functools.cache
def _film_details() -> models.QuerySet:
    return with_copies(Film.objects.with_language_name().with_category_names().with_cast().defer("fulltext"))


OPEN_RENTAL_CONSTRAINT = "rental_one_open_per_inventory"
# Pagila's own foreign keys from rental (its schema names them), by the field they guard.
RENTAL_FOREIGN_KEYS = {
    "inventory": "rental_inventory_id_fkey",
    "customer": "rental_customer_id_fkey",
    "staff": "rental_staff_id_fkey",
}


class MakeInterval(models.Func):
    """PostgreSQL's ``make_interval(days => n)``: a whole number of days as an interval."""

    function = "make_interval"
    template = "%(function)s(days => %(expressions)s)"
    output_field = models.DurationField()


def _due_date():
    # Pagila's rule (see its rewards_report and get_customer_balance): a copy is due
    # rental_duration days after it was rented.
    return ExpressionWrapper(
        F("rental_date") + MakeInterval(F("inventory__film__rental_duration")),
        output_field=models.DateTimeField(),
    )


MONEY = models.DecimalField(max_digits=9, decimal_places=2)


class RentalFee(models.Func):
    """``rental_fee(...)``, Pagila's fee rule in SQL (migrations 0007, 0014): what the annotated
    rental owes were it returned at ``returned_at``, the replacement cost always for a lost copy."""

    function = "rental_fee"
    output_field = MONEY


def _fee(returned_at) -> RentalFee:
    """Pagila's fee for the annotated rental, were it returned at ``returned_at`` (an expression)."""
    film = "inventory__film__"
    return RentalFee(
        F("rental_date"),
        returned_at,
        F(f"{film}rental_duration"),
        F(f"{film}rental_rate"),
        F(f"{film}replacement_cost"),
        F("lost"),
    )


def _fee_so_far() -> RentalFee:
    """What the annotated rental owes were it returned now: its fee, once it is returned."""
    return _fee(Coalesce(F("return_date"), Now()))


def _amount_paid() -> Coalesce:
    """``(SELECT sum(amount) FROM payment WHERE rental_id = <outer rental>)``, 0.00 rather than NULL.

    ``sum`` is a plain function to Django, as in ``_count()``: no GROUP BY on the outer query.
    """
    total = Payment.objects.filter(rental_id=OuterRef("pk")).order_by()
    total = total.values(total=models.Func(F("amount"), function="sum", output_field=MONEY))
    return Coalesce(models.Subquery(total), Value(Decimal("0.00")), output_field=MONEY)


def _copies_of(scope) -> models.QuerySet:
    return Inventory.objects.filter(store_id__in=scope.store_ids).values("pk")


def _customers_of(scope) -> models.QuerySet:
    return Customer.objects.filter(store_id__in=scope.store_ids).values("pk")


def _rental_scope_branches(scope) -> list[Q]:
    """The conditions of a rental in ``scope``, only those that can match: an OR makes PostgreSQL
    filter rows while it walks the history, which for a store with no copies (most of a chain's)
    means all of it; one condition alone it can answer from an index."""
    branches = []
    if scope.holds_copies:
        branches.append(Q(inventory_id__in=_copies_of(scope)))
    if scope.has_customers:
        branches.append(Q(customer_id__in=_customers_of(scope)))
    return branches


class RentalQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Rentals of a copy held by one of ``scope``'s stores, or of a customer in scope: a
        customer's history is seen whole, whichever store lent the copies.

        As ``IN (SELECT ...)`` rather than joins: PostgreSQL checks each rental against two
        hashed sets of ids (the stores' copies and customers, thousands of rows) while it walks
        an index in the list's order, instead of joining and hashing whole tables to count a
        clerk's list at a chain's size (EXPLAIN ANALYZE at 100x, README "Scale")."""
        if scope.every_store:
            return self
        branches = _rental_scope_branches(scope)
        if not branches:
            return self.none()
        return self.filter(functools.reduce(operator.or_, branches))

    def in_scope_parts(self, scope) -> list:
        """Parts of ``in_scope(scope)`` that PostgreSQL counts by one condition each (its customers'
        rentals, its copies'), for a bounded count to stop early (pagination's lower bounds)."""
        if scope.every_store:
            return []
        return [self.filter(branch) for branch in reversed(_rental_scope_branches(scope))]

    def open(self):
        return self.filter(return_date__isnull=True)

    def returned(self):
        return self.filter(return_date__isnull=False)

    def overdue(self):
        """Open rentals past their due date, judged by the database clock."""
        return self.open().filter(LessThan(_due_date(), Now()))

    def with_due_date(self):
        """Annotate ``due_date`` and ``overdue`` in SQL, so a page of rentals costs one query."""
        return self.annotate(due_date=_due_date()).annotate(
            overdue=ExpressionWrapper(
                Q(return_date__isnull=True, due_date__lt=Now()), output_field=models.BooleanField()
            )
        )

    def with_film(self):
        """Annotate the rented film's ``film_id`` and ``film_title`` without loading the film row."""
        return self.annotate(film_id=F("inventory__film_id"), film_title=F("inventory__film__title"))

    def with_amounts(self):
        """Annotate what each rental owes and has paid, in exact numeric SQL.

        - ``amount_due``: Pagila's fee rule for a returned rental (the film's rental_rate, plus
          $1.00 per whole day between due date and return, plus the replacement cost when the
          rental lasted more than twice rental_duration days); null while it is open;
        - ``amount_paid``: the sum of its payments, 0.00 when there are none;
        - ``balance``: what it owes (``amount_due``, or for an open rental the fee were it
          returned now) minus ``amount_paid``. Pagila's own payments don't always match the
          rule, so a historical balance may be negative (overpaid) as well as positive.
        """
        paid = _amount_paid()
        return self.annotate(
            amount_due=Case(When(return_date__isnull=False, then=_fee(F("return_date"))), output_field=MONEY),
            amount_paid=paid,
            balance=ExpressionWrapper(_fee_so_far() - paid, output_field=MONEY),
        )

    def with_fee_so_far(self):
        """Annotate ``fee_so_far``: what each rental owes were it returned now (its ``amount_due``
        once returned), before any payment, as the counter shows open rentals."""
        return self.annotate(fee_so_far=_fee_so_far())


class Rental(models.Model):
    rental_id = models.AutoField(primary_key=True)
    rental_date = models.DateTimeField()
    inventory = models.ForeignKey(Inventory, models.DO_NOTHING, related_name="rentals")
    customer = models.ForeignKey(Customer, models.DO_NOTHING, related_name="rentals")
    return_date = models.DateTimeField(null=True, blank=True)
    staff = models.ForeignKey(Staff, models.DO_NOTHING, related_name="rentals")
    # Our column on Pagila's table (migration 0014): the copy was marked lost while out on this
    # rental, which then owes its replacement cost whenever it was returned (``rental_fee``).
    lost = models.BooleanField(default=False, db_default=False)
    last_update = models.DateTimeField(db_default=Now())

    objects = RentalQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "rental"
        ordering = ["-rental_date", "-rental_id"]
        permissions = [("override_block", "Can rent to a blocked customer, giving a reason")]
        constraints = [
            # Created by migration 0002 (Django leaves unmanaged tables alone): whoever
            # writes, API, admin or plain SQL, a copy is out on at most one open rental.
            models.UniqueConstraint(
                fields=["inventory"],
                condition=Q(return_date__isnull=True),
                name=OPEN_RENTAL_CONSTRAINT,
                violation_error_message="This copy is already out on an open rental.",
            ),
        ]
        indexes = [
            # Created by migration 0005: a customer's rentals, newest first (lists, counts, balances).
            models.Index(
                "customer",
                models.F("rental_date").desc(),
                models.F("rental_id").desc(),
                name="rental_customer_newest_first",
            ),
            # Created by migration 0008: every rental, and the open ones, newest first.
            models.Index(
                models.F("rental_date").desc(), models.F("rental_id").desc(), name="rental_newest_first"
            ),
            models.Index(
                models.F("rental_date").desc(),
                models.F("rental_id").desc(),
                name="rental_open_newest_first",
                condition=Q(return_date__isnull=True),
            ),
            # Created by migration 0011: a customer's open rentals.
            models.Index("customer", name="rental_open_by_customer", condition=Q(return_date__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"Rental {self.rental_id}"


class PaymentQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Payments of a rental in ``scope`` (``RentalQuerySet.in_scope``: of a copy held by one of
        its stores, or of a customer in it), and every payment of a customer in scope, who is seen
        whole. Both customers count because five of Pagila's payments name another customer than
        their rental's: each is then in the scope of both."""
        if scope.every_store:
            return self
        if not (scope.holds_copies or scope.has_customers):
            return self.none()
        # The rental's scope as EXISTS on its key, not a join and an OR of IN (SELECT ...): beside
        # a join PostgreSQL counts the hashed subqueries' cost again for each rental it would
        # read by key, so even for one customer's payments it read and hashed all of rental.
        # The condition on the payment's own column keeps it from turning the EXISTS into a
        # hashed IN of every rental in scope, which it would build again for each partition.
        rentals = Rental.objects.filter(IsNull(OuterRef("rental_id"), False), pk=OuterRef("rental_id"))
        rental_in_scope = Exists(rentals.in_scope(scope))
        if scope.has_customers:
            return self.filter(rental_in_scope | Q(customer_id__in=_customers_of(scope)))
        return self.filter(rental_in_scope)

    def in_scope_parts(self, scope) -> list:
        """As ``RentalQuerySet.in_scope_parts``: the payments of its customers."""
        if scope.every_store or not scope.has_customers:
            return []
        return [self.filter(customer_id__in=_customers_of(scope))]


class PaymentFields(models.Model):
    """The columns of Pagila's partitioned ``payment`` table, shared by its two mappings."""

    customer = models.ForeignKey(Customer, models.DO_NOTHING, related_name="+")
    staff = models.ForeignKey(Staff, models.DO_NOTHING, related_name="+")
    rental = models.ForeignKey(Rental, models.DO_NOTHING, related_name="+")
    amount = models.DecimalField(max_digits=5, decimal_places=2)
    payment_date = models.DateTimeField()

    objects = PaymentQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-payment_date", "-payment_id"]

    def __str__(self) -> str:
        return f"Payment {self.payment_id}"


class Payment(PaymentFields):
    """A payment, keyed as PostgreSQL keys it: (payment_date, payment_id)."""

    pk = models.CompositePrimaryKey("payment_date", "payment_id")
    # Pagila's column default: one sequence numbers the payments of every partition.
    payment_id = models.IntegerField(
        db_default=models.Func(Value("payment_payment_id_seq"), function="nextval")
    )

    class Meta(PaymentFields.Meta):
        managed = False
        db_table = "payment"


class PaymentLedgerEntry(PaymentFields):
    """The same rows keyed by ``payment_id`` alone, for the read-only admin ledger.

    Django's admin refuses models with a composite primary key. ``payment_id`` comes from one
    sequence for every partition, so it identifies a row on its own.
    """

    payment_id = models.IntegerField(primary_key=True)

    class Meta(PaymentFields.Meta):
        managed = False
        db_table = "payment"
        verbose_name = "payment"


def shown_rentals() -> RentalQuerySet:
    """Rentals with what the API shows of each (``with_due_date()``, ``with_film()``,
    ``with_amounts()``): a clone of one queryset built once per process. Built afresh, those
    annotations cost more Python per request than the rest of the list (README, Performance); a
    clone costs next to nothing, and no caller can fill the shared one's result cache."""
    return _shown_rentals().all()


@functools.cache
def _shown_rentals() -> RentalQuerySet:
    return Rental.objects.with_due_date().with_film().with_amounts()


def with_open_rentals(customers: models.QuerySet) -> models.QuerySet:
    """``customers`` annotated with ``open_rentals``: how many rentals each has not returned yet.

    A subquery per customer, not a join and GROUP BY: grouped, every other annotation (the
    detail's balance) was computed once per joined rental, quadratic in the customer's history
    (seconds for a customer of a chain's size). It lives here for the reason ``with_copies()``
    does: customers know nothing of rentals.
    """
    open_ones = (
        Rental.objects.filter(customer=OuterRef("pk"), return_date__isnull=True)
        .order_by()
        .values("customer")
        .annotate(n=models.Count("*"))
        .values("n")
    )
    return customers.annotate(open_rentals=Coalesce(models.Subquery(open_ones), 0))


def with_balance(customers: models.QuerySet) -> models.QuerySet:
    """``customers`` annotated with ``balance``: the sum of their rentals' balances, 0.00 for none.

    It lives here for the reason ``with_copies()`` does: customers know nothing of rentals.
    """
    balances = Rental.objects.filter(customer_id=OuterRef("pk")).with_amounts().order_by()
    total = balances.values(total=models.Func(F("balance"), function="sum", output_field=MONEY))
    return customers.annotate(
        balance=Coalesce(models.Subquery(total), Value(Decimal("0.00")), output_field=MONEY)
    )


def with_block(customers: models.QuerySet) -> models.QuerySet:
    """``customers`` annotated with what the block rule (``customers.models.block_reasons``) reads:
    ``balance`` (``with_balance()``) and ``overdue_rentals``, how many of their rentals are open
    and past due. Both read a customer's rentals by index (``rental_customer_newest_first``,
    ``rental_open_by_customer``): cheap whatever the chain's history."""
    overdue = Rental.objects.filter(customer_id=OuterRef("pk")).overdue()
    return with_balance(customers).annotate(overdue_rentals=_count(overdue))


def with_account(customers: models.QuerySet) -> models.QuerySet:
    """``customers`` as the customer detail shows them: ``with_open_rentals()`` and
    ``with_block()`` (the balance, and what the detail's ``blocked_reasons`` reads)."""
    return with_block(with_open_rentals(customers))


class HoldQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Holds at one of ``scope``'s stores, or of a customer in scope.

        The customers' condition only when the stores have customers (most of a chain's have
        none): PostgreSQL can't tell that its subquery finds no one, so with it a page walked
        every hold newest first to find the few at the stores (81,286 rows at 100x, EXPLAIN
        ANALYZE); alone, the stores' condition is answered from ``hold_store_newest_first``."""
        if scope.every_store:
            return self
        at_its_stores = Q(store_id__in=scope.store_ids)
        if not scope.has_customers:
            return self.filter(at_its_stores)
        return self.filter(at_its_stores | Q(customer_id__in=_customers_of(scope)))

    def open(self):
        """Waiting and ready holds (a ready one past ``expires_at`` until it is passed on)."""
        return self.filter(status__in=Hold.OPEN)

    def waiting(self):
        return self.filter(status=Hold.Status.WAITING)

    def queue(self, store_id: int, film_id: int):
        """The film's waiting holds at the store, first come first served."""
        return self.waiting().filter(store_id=store_id, film_id=film_id).order_by("created", "hold_id")

    def due_to_expire(self):
        """Ready holds whose ``expires_at`` has passed, read afresh: a writer may have moved it."""
        return self.filter(status=Hold.Status.READY, expires_at__lte=Now())

    def with_status(self, status: str):
        """Holds whose status, as shown (``with_shown_status()``), is ``status``."""
        if status == Hold.Status.EXPIRED:
            return self.filter(Q(status=status) | Q(status=Hold.Status.READY, expires_at__lte=Now()))
        if status == Hold.Status.READY:
            return self.filter(status=status, expires_at__gt=Now())
        return self.filter(status=status)

    def with_shown_status(self):
        """Annotate what a hold shows: ``shown_status`` (a ready hold reads ``expired`` from
        ``expires_at`` on, before the worker passes its copy on), ``shown_inventory_id`` (null
        then), and ``position``, its 1-based place in its queue (null unless waiting)."""
        ahead = Hold.objects.filter(
            status=Hold.Status.WAITING, store_id=OuterRef("store_id"), film_id=OuterRef("film_id")
        ).filter(
            Q(created__lt=OuterRef("created"))
            | Q(created=OuterRef("created"), hold_id__lte=OuterRef("hold_id"))
        )
        past_expiry = Q(status=Hold.Status.READY, expires_at__lte=Now())
        return self.annotate(
            shown_status=Case(
                When(past_expiry, then=Value(Hold.Status.EXPIRED)),
                default=F("status"),
                output_field=models.TextField(),
            ),
            shown_inventory_id=Case(When(past_expiry, then=None), default=F("inventory_id")),
            position=Case(
                When(status=Hold.Status.WAITING, then=_count(ahead)), output_field=models.IntegerField()
            ),
        )


class Hold(models.Model):
    """A customer's request for a film at a store; a copy coming back there is set aside for the
    first one waiting (``rentals.holds``). Managed by migration 0012, with the rules the database
    keeps whoever writes (``Meta.constraints``)."""

    class Status(models.TextChoices):
        WAITING = "waiting"
        READY = "ready"
        FULFILLED = "fulfilled"
        CANCELLED = "cancelled"
        EXPIRED = "expired"

    OPEN = (Status.WAITING, Status.READY)

    hold_id = models.BigAutoField(primary_key=True)
    customer = models.ForeignKey(Customer, models.PROTECT, related_name="holds")
    film = models.ForeignKey(Film, models.PROTECT, related_name="holds")
    store = models.ForeignKey(Store, models.PROTECT, related_name="holds")
    status = models.TextField(choices=Status, default=Status.WAITING, db_default=Status.WAITING)
    created = models.DateTimeField(db_default=Now())
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # The copy set aside (ready) or rented (fulfilled); cleared when a hold closes otherwise.
    inventory = models.ForeignKey(Inventory, models.PROTECT, null=True, blank=True, related_name="holds")
    rental = models.ForeignKey(Rental, models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    # As Pagila's tables: the change log leaves out a change of last_update alone.
    last_update = models.DateTimeField(db_default=Now())

    objects = HoldQuerySet.as_manager()

    class Meta:
        db_table = "hold"
        ordering = ["-created", "-hold_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "film"],
                condition=Q(status__in=["waiting", "ready"]),
                name="hold_one_open_per_customer_film",
            ),
            models.UniqueConstraint(
                fields=["inventory"], condition=Q(status="ready"), name="hold_one_ready_per_copy"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["waiting", "ready", "fulfilled", "cancelled", "expired"]),
                name="hold_status_known",
            ),
            # A copy exactly while set aside or rented; a ready hold knows when it expires.
            models.CheckConstraint(
                condition=Q(status__in=["ready", "fulfilled"], inventory__isnull=False)
                | (~Q(status__in=["ready", "fulfilled"]) & Q(inventory__isnull=True)),
                name="hold_copy_when_ready_or_fulfilled",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | Q(ready_at__isnull=False, expires_at__isnull=False),
                name="hold_ready_has_expiry",
            ),
        ]
        indexes = [
            # A queue, first come first served (setting a copy aside, positions).
            models.Index(
                "store", "film", "created", "hold_id", name="hold_queue", condition=Q(status="waiting")
            ),
            # The list, newest first, whole and by store; a customer's; the worker's ready holds.
            models.Index(models.F("created").desc(), models.F("hold_id").desc(), name="hold_newest_first"),
            models.Index(
                "store",
                models.F("created").desc(),
                models.F("hold_id").desc(),
                name="hold_store_newest_first",
            ),
            models.Index(
                "customer",
                models.F("created").desc(),
                models.F("hold_id").desc(),
                name="hold_customer_newest_first",
            ),
            models.Index("expires_at", name="hold_ready_by_expiry", condition=Q(status="ready")),
        ]

    def __str__(self) -> str:
        return f"Hold {self.hold_id}"


class TransferQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Transfers from or to one of ``scope``'s stores."""
        if scope.every_store:
            return self
        return self.filter(Q(from_store_id__in=scope.store_ids) | Q(to_store_id__in=scope.store_ids))

    def in_transit(self):
        return self.filter(status=Transfer.Status.IN_TRANSIT)


class Transfer(models.Model):
    """A copy travelling from one store to another (``rentals.transfers``). Managed by migration
    0012."""

    class Status(models.TextChoices):
        IN_TRANSIT = "in_transit"
        RECEIVED = "received"
        CANCELLED = "cancelled"

    transfer_id = models.BigAutoField(primary_key=True)
    inventory = models.ForeignKey(Inventory, models.PROTECT, related_name="transfers")
    from_store = models.ForeignKey(Store, models.PROTECT, related_name="+")
    to_store = models.ForeignKey(Store, models.PROTECT, related_name="+")
    status = models.TextField(choices=Status, default=Status.IN_TRANSIT, db_default=Status.IN_TRANSIT)
    sent_at = models.DateTimeField(db_default=Now())
    received_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(Staff, models.PROTECT, null=True, blank=True, related_name="+")
    received_by = models.ForeignKey(Staff, models.PROTECT, null=True, blank=True, related_name="+")
    last_update = models.DateTimeField(db_default=Now())

    objects = TransferQuerySet.as_manager()

    class Meta:
        db_table = "transfer"
        ordering = ["-sent_at", "-transfer_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inventory"], condition=Q(status="in_transit"), name="transfer_one_open_per_copy"
            ),
            models.CheckConstraint(
                condition=~Q(from_store=F("to_store")), name="transfer_between_two_stores"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["in_transit", "received", "cancelled"]), name="transfer_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="received") | Q(received_at__isnull=False), name="transfer_received_when"
            ),
        ]
        indexes = [
            models.Index(
                models.F("sent_at").desc(), models.F("transfer_id").desc(), name="transfer_newest_first"
            ),
            models.Index(
                "from_store",
                models.F("sent_at").desc(),
                models.F("transfer_id").desc(),
                name="transfer_from_newest",
            ),
            models.Index(
                "to_store",
                models.F("sent_at").desc(),
                models.F("transfer_id").desc(),
                name="transfer_to_newest",
            ),
        ]

    def __str__(self) -> str:
        return f"Transfer {self.transfer_id}"


def shown_holds() -> HoldQuerySet:
    """Holds as the API, the counter and the AI show them, newest first."""
    return Hold.objects.with_shown_status().order_by("-created", "-hold_id")
