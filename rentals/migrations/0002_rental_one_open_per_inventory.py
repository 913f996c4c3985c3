"""At most one open rental per copy, enforced by PostgreSQL whoever writes.

``rental`` is Pagila's table (unmanaged), so Django would never create the index itself: the
constraint goes into the migration state (so model validation and the admin know it) and
the index is created with SQL. Pagila's data already satisfies it: 183 open rentals, never
two on one copy. The index also serves the service's "is this copy out?" lookup.
"""

from django.db import migrations, models

CREATE = (
    "CREATE UNIQUE INDEX rental_one_open_per_inventory ON rental (inventory_id) WHERE return_date IS NULL"
)
DROP = "DROP INDEX rental_one_open_per_inventory"


class Migration(migrations.Migration):
    dependencies = [
        ("rentals", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name="rental",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("return_date__isnull", True)),
                        fields=("inventory",),
                        name="rental_one_open_per_inventory",
                        violation_error_message="This copy is already out on an open rental.",
                    ),
                ),
            ],
            database_operations=[migrations.RunSQL(CREATE, reverse_sql=DROP)],
        ),
    ]
