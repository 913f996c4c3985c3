"""State for the unmanaged Pagila tables of this app: no database operations."""

import django.db.models.functions.datetime
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Inventory",
            fields=[
                ("inventory_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "last_update",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
            ],
            options={
                "verbose_name_plural": "inventory",
                "db_table": "inventory",
                "ordering": ["inventory_id"],
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="Payment",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "payment_date",
                        "payment_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("payment_id", models.IntegerField()),
                ("amount", models.DecimalField(decimal_places=2, max_digits=5)),
                ("payment_date", models.DateTimeField()),
            ],
            options={
                "db_table": "payment",
                "ordering": ["-payment_date", "-payment_id"],
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="Rental",
            fields=[
                ("rental_id", models.AutoField(primary_key=True, serialize=False)),
                ("rental_date", models.DateTimeField()),
                ("return_date", models.DateTimeField(blank=True, null=True)),
                (
                    "last_update",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
            ],
            options={
                "db_table": "rental",
                "ordering": ["-rental_date", "-rental_id"],
                "managed": False,
            },
        ),
    ]
