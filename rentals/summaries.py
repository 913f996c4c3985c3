"""The back office dashboard's figures over the whole history, summarised as rentals and payments
are written: two tables of ours (migration ``0009``) that triggers on ``rental`` and ``payment``
keep current, whoever writes (the services, the grow command, plain SQL).

- :class:`DaySummary`: rentals per day (the UTC date of ``rental_date``), per copy store and
  customer store.
- :class:`FilmSummary`: per film, copy store, customer store and payer store (the payment's own
  customer's, which five of Pagila's payments name apart from their rental's): its rentals, its
  payments and their sum.

Each statement on ``rental`` or ``payment`` adds what it changed in one grouped upsert, from its
transition tables (``REFERENCING NEW TABLE``): a rental is two small upserts, a million rentals
inserted by one statement are one pass. A return changes no key and costs one check.

The stores a row records are those of the copy (``inventory.store_id``) and of the customers
(``customer.store_id``) when the rental or payment was written: a copy or customer that later
moves to another store leaves its history with the store it was at, where the live lists
(``in_scope``) follow it. Deleting or re-keying a rental or payment subtracts it under the
stores of that moment. ``rental_summaries_rebuild()`` computes both tables again from the
history, with today's stores. Days are UTC dates, as ``TIME_ZONE`` is.
"""

from django.db import connections, models
from django.db.models import Q

from films.models import Film


class _SummaryQuerySet(models.QuerySet):
    #: The store columns a scope is applied to: a row is in scope when any of them is its store.
    store_columns: tuple[str, ...] = ()

    def in_scope(self, scope):
        """What ``scope``'s stores see, as ``RentalQuerySet.in_scope`` and
        ``PaymentQuerySet.in_scope`` decide it (with the stores of the moment of writing)."""
        if scope.every_store:
            return self
        either = Q()
        for column in self.store_columns:
            either |= Q(**{f"{column}__in": scope.store_ids})
        return self.filter(either)


class DaySummaryQuerySet(_SummaryQuerySet):
    store_columns = ("copy_store_id", "customer_store_id")


class DaySummary(models.Model):
    pk = models.CompositePrimaryKey("day", "copy_store_id", "customer_store_id")
    day = models.DateField()
    copy_store_id = models.IntegerField()
    customer_store_id = models.IntegerField()
    rentals = models.IntegerField(db_default=0)

    objects = DaySummaryQuerySet.as_manager()

    class Meta:
        db_table = "rentals_day_summary"

    def __str__(self) -> str:
        return f"{self.rentals} rentals on {self.day}"


class FilmSummaryQuerySet(_SummaryQuerySet):
    store_columns = ("copy_store_id", "customer_store_id", "payer_store_id")


class FilmSummary(models.Model):
    """A rental counts with its customer as the payer, so a rental's scope test is the same."""

    pk = models.CompositePrimaryKey("film", "copy_store_id", "customer_store_id", "payer_store_id")
    # A derived row: Pagila's own keys guard the film; the key's first column indexes it.
    film = models.ForeignKey(Film, models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    copy_store_id = models.IntegerField()
    customer_store_id = models.IntegerField()
    payer_store_id = models.IntegerField()
    rentals = models.BigIntegerField(db_default=0)
    payments = models.BigIntegerField(db_default=0)
    revenue = models.DecimalField(max_digits=14, decimal_places=2, db_default=0)

    objects = FilmSummaryQuerySet.as_manager()

    class Meta:
        db_table = "rentals_film_summary"

    def __str__(self) -> str:
        return f"Film {self.film_id}: {self.rentals} rentals, {self.revenue} paid"


def summaries_ensure(*, using: str = "default", **kwargs) -> None:
    """``post_migrate`` receiver: summaries left empty while Pagila has rentals are computed again
    from the history. ``manage.py flush`` (and every transactional test's clean-up) empties our
    tables but not Pagila's, and would leave the dashboard at zero; after a plain ``migrate`` the
    summaries are there and this costs two index probes."""
    with connections[using].cursor() as cursor:
        # Nothing to do where the migration that creates them is not applied (migrated back).
        cursor.execute("SELECT to_regproc('rental_summaries_rebuild') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return
        cursor.execute(
            f"SELECT NOT EXISTS (SELECT 1 FROM {DaySummary._meta.db_table})"  # noqa: S608
            " AND EXISTS (SELECT 1 FROM rental)"
        )
        if cursor.fetchone()[0]:
            cursor.execute("SELECT rental_summaries_rebuild()")
