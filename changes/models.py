"""Change records: one per insert, update or delete of a tracked table, written by PostgreSQL.

The rows are written by the ``record_change`` trigger (migrations 0001 and 0002), in the writer's
transaction, with the context ``pagila_site.change_context`` sends; the app only reads them, and
the database refuses to update or delete one.
"""

import functools
from decimal import Decimal

from django.apps import apps
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import BrinIndex, GinIndex
from django.db import models
from django.db.models import Q

from customers.models import Customer

# The tracked tables and their keys: what migration 0002 puts the trigger on.
TRACKED = {
    "film": "film_id",
    "customer": "customer_id",
    "streaming_subscription": "id",
    "inventory": "inventory_id",
    "rental": "rental_id",
    "payment": "payment_id",
    "hold": "hold_id",
    "transfer": "transfer_id",
}


class ChangeQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Changes ``scope``'s staff may see: the catalogue's; a customer's and their
        subscriptions' while the customer is in scope now (a customer in scope is seen whole,
        one who left is not seen at all); a copy's, a rental's and a payment's also for the stores
        that held the copy or the customer when it changed."""
        if scope.every_store:
            return self
        customers = Customer.objects.in_scope(scope).values("pk")
        return self.filter(
            Q(table="film")
            | Q(customer_id__in=customers)
            | Q(
                table__in=["inventory", "rental", "payment", "hold", "transfer"],
                store_ids__overlap=sorted(scope.store_ids),
            )
        )

    def of(self, table: str, object_id: int):
        return self.filter(table=table, object_id=object_id)


class Change(models.Model):
    class Action(models.TextChoices):
        INSERT = "insert"
        UPDATE = "update"
        DELETE = "delete"

    change_id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(help_text="When the writing transaction started.")
    table = models.TextField(db_column="table_name")
    object_id = models.BigIntegerField(help_text="The row's key in its table.")
    action = models.TextField(choices=Action.choices)
    changes = models.JSONField(help_text="Each changed column: [before, after].")
    user = models.TextField(null=True, db_column="username", help_text="Null for SQL outside the app.")
    token = models.TextField(null=True, help_text="The bearer token's 8-character prefix.")
    request_id = models.TextField(null=True)
    idempotency_key = models.TextField(null=True)
    reason = models.TextField(null=True)
    source = models.TextField(
        null=True, help_text="api, ai, admin, counter or command:<name>; null: outside the app."
    )
    # The stores that held the row when it changed: a row's own store, a rental's copy's and
    # customer's. Null for the catalogue (films), which every store shares.
    store_ids = ArrayField(models.IntegerField(), null=True)
    # The customer the row is or belongs to (a customer's own records, a rental's, a payment's, a
    # subscription's), whose scope now decides who sees it; null for films and copies.
    customer_id = models.IntegerField(null=True)

    objects = ChangeQuerySet.as_manager()

    class Meta:
        db_table = "change_record"
        ordering = ["-change_id"]
        indexes = [
            models.Index(fields=["table", "object_id", "-change_id"], name="change_record_object"),
            models.Index(
                fields=["user", "-change_id"], name="change_record_user", condition=Q(user__isnull=False)
            ),
            models.Index(
                fields=["request_id"], name="change_record_request", condition=Q(request_id__isnull=False)
            ),
            # The admin's filter by source (SQL: null): a rare source's newest records without
            # reading the table (767 ms at 100x without it).
            models.Index(fields=["source", "-change_id"], name="change_record_source"),
            # Summarized as pages fill, not only by vacuum: since/until stay cheap on fresh rows.
            BrinIndex(fields=["at"], name="change_record_at", autosummarize=True),
            GinIndex(fields=["store_ids"], name="change_record_stores"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.table} {self.object_id}"

    def shown_changes(self) -> dict[str, list]:
        """``changes`` as the API and the back office show them: money as the contract's strings
        ("2.99"), not the JSON numbers PostgreSQL's ``to_jsonb`` gives."""
        places = _money_columns().get(self.table, {})
        return {
            column: [_money(v, places[column]) if column in places and v is not None else v for v in pair]
            for column, pair in self.changes.items()
        }


@functools.cache
def _money_columns() -> dict[str, dict[str, int]]:
    """Per table, its money columns and their decimal places."""
    columns: dict[str, dict[str, int]] = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.get_internal_type() == "DecimalField":
                columns.setdefault(model._meta.db_table, {})[field.column] = field.decimal_places
    return columns


def _money(value, places: int) -> str:
    return str(Decimal(str(value)).quantize(Decimal(1).scaleb(-places)))
