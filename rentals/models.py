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


class InventoryQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Copies held by one of ``scope``'s stores."""
        return self if scope.every_store else self.filter(store_id__in=scope.store_ids)

    def in_stock(self):
        """Copies not out on an open rental (one not returned yet)."""
        return self.filter(~_out_on_an_open_rental())

    def with_in_stock(self):
        """Annotate ``in_stock``: the copy is not out on an open rental."""
        return self.annotate(in_stock=~_out_on_an_open_rental())


class Inventory(models.Model):
    inventory_id = models.AutoField(primary_key=True)
    film = models.ForeignKey(Film, models.DO_NOTHING, related_name="inventory")
    store = models.ForeignKey(Store, models.DO_NOTHING, related_name="inventory")
    last_update = models.DateTimeField(db_default=Now())

    objects = InventoryQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "inventory"
        ordering = ["inventory_id"]
        verbose_name_plural = "inventory"

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
    those not out on an open rental, as Pagila's ``inventory_in_stock()`` counts them.

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
    """``rental_fee(...)``, Pagila's fee rule in SQL (migration 0007): what the annotated rental
    owes were it returned at ``returned_at``."""

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
    last_update = models.DateTimeField(db_default=Now())

    objects = RentalQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "rental"
        ordering = ["-rental_date", "-rental_id"]
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


def with_account(customers: models.QuerySet) -> models.QuerySet:
    """``customers`` as the customer detail shows them: ``with_open_rentals()``, ``with_balance()``."""
    return with_balance(with_open_rentals(customers))
