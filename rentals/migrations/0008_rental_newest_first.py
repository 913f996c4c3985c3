"""Indexes for the chain-wide rental lists, newest first (the API's ``/rentals/``, the admin's
changelist, the dashboard's open and overdue figures).

Pagila indexes ``rental`` by (rental_date, inventory_id, customer_id), which orders by date but
not by the list's tie-breaker, so every page of ``ORDER BY rental_date DESC, rental_id DESC``
sorted the whole table. The partial index covers the open rentals only (a small, hot fraction
of the history). ``IF NOT EXISTS``: on a chain's database, build them first with ``CREATE INDEX
CONCURRENTLY`` (same names and definitions) so the table keeps taking writes; the migration then
only records them (it runs in a transaction, where ``CONCURRENTLY`` is refused). As in 0005, the
indexes are in the migration state and created with SQL.
"""

from django.db import migrations, models

NEWEST = "rental_newest_first"
OPEN_NEWEST = "rental_open_newest_first"


class Migration(migrations.Migration):
    dependencies = [
        ("rentals", "0007_rental_fee_function"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="rental",
                    index=models.Index(
                        models.F("rental_date").desc(), models.F("rental_id").desc(), name=NEWEST
                    ),
                ),
                migrations.AddIndex(
                    model_name="rental",
                    index=models.Index(
                        models.F("rental_date").desc(),
                        models.F("rental_id").desc(),
                        name=OPEN_NEWEST,
                        condition=models.Q(return_date__isnull=True),
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"CREATE INDEX IF NOT EXISTS {NEWEST} ON rental (rental_date DESC, rental_id DESC)",
                    f"DROP INDEX IF EXISTS {NEWEST}",
                ),
                migrations.RunSQL(
                    f"CREATE INDEX IF NOT EXISTS {OPEN_NEWEST} ON rental (rental_date DESC, rental_id DESC) "
                    "WHERE return_date IS NULL",
                    f"DROP INDEX IF EXISTS {OPEN_NEWEST}",
                ),
            ],
        ),
    ]
