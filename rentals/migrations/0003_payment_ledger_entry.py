"""State only: a second unmanaged mapping of `payment` for the admin (no database change)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rentals", "0002_rental_one_open_per_inventory"),
    ]

    operations = [
        migrations.CreateModel(
            name="PaymentLedgerEntry",
            fields=[
                ("amount", models.DecimalField(decimal_places=2, max_digits=5)),
                ("payment_date", models.DateTimeField()),
                ("payment_id", models.IntegerField(primary_key=True, serialize=False)),
            ],
            options={
                "verbose_name": "payment",
                "db_table": "payment",
                "ordering": ["-payment_date", "-payment_id"],
                "abstract": False,
                "managed": False,
            },
        ),
    ]
