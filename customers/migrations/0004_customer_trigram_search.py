"""Trigram indexes on Pagila's ``customer`` names and email, so that a search for any part of them
(the back office's changelists, the counter's find box) reads the index instead of every row.

Django's ``icontains`` is ``UPPER(column) LIKE UPPER('%text%')`` on PostgreSQL, so the indexes are
GIN indexes of ``upper(column)`` with ``pg_trgm``'s ``gin_trgm_ops``: PostgreSQL serves a
``LIKE '%SMITH%'`` from the trigrams of ``SMITH`` (three letters or more; a shorter word has none
and is read from the whole index). As in rentals 0005 and 0008, the indexes are in the migration
state (``Customer.Meta.indexes``) and created with SQL, Django leaving unmanaged tables alone.

``pg_trgm`` ships with PostgreSQL and is a trusted extension: a role with ``CREATE`` on the
database may create it. Going back drops the indexes and leaves the extension, which may have
been there before and may serve others.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations
from django.db.models.functions import Upper

COLUMNS = ("first_name", "last_name", "email")


def _name(column: str) -> str:
    return f"customer_{column}_trgm"


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_staff_account"),
    ]

    operations = [
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", migrations.RunSQL.noop),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="customer",
                    index=GinIndex(OpClass(Upper(column), name="gin_trgm_ops"), name=_name(column)),
                )
                for column in COLUMNS
            ],
            database_operations=[
                migrations.RunSQL(
                    f"CREATE INDEX {_name(column)} ON customer USING gin (upper({column}) gin_trgm_ops)",
                    f"DROP INDEX {_name(column)}",
                )
                for column in COLUMNS
            ],
        ),
    ]
