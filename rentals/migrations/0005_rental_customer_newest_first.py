"""An index for "a customer's rentals, newest first" on Pagila's ``rental`` table.

Pagila indexes ``rental`` by copy and by (rental_date, inventory_id, customer_id) only, so every
customer's rental list, its count, the customer detail's open rentals and a balance scanned the
whole table (16,000 rows) or walked the date index. As in 0002, the index is in the migration
state (``Rental.Meta.indexes``) and created with SQL, Django leaving unmanaged tables alone.
"""

from django.db import migrations, models

NAME = "rental_customer_newest_first"


class Migration(migrations.Migration):
    dependencies = [
        ("rentals", "0004_film_copies_notifications"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="rental",
                    index=models.Index(
                        "customer", models.F("rental_date").desc(), models.F("rental_id").desc(), name=NAME
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"CREATE INDEX {NAME} ON rental (customer_id, rental_date DESC, rental_id DESC)",
                    f"DROP INDEX {NAME}",
                ),
            ],
        ),
    ]
