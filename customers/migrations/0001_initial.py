"""State for the unmanaged Pagila tables of this app: no database operations."""

import django.db.models.deletion
import django.db.models.functions.datetime
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Address",
            fields=[
                ("address_id", models.AutoField(primary_key=True, serialize=False)),
                ("address", models.TextField()),
                ("address2", models.TextField(blank=True, null=True)),
                ("district", models.TextField()),
                ("postal_code", models.TextField(blank=True, null=True)),
                ("phone", models.TextField()),
                (
                    "last_update",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
            ],
            options={
                "verbose_name_plural": "addresses",
                "db_table": "address",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="City",
            fields=[
                ("city_id", models.AutoField(primary_key=True, serialize=False)),
                ("city", models.TextField()),
                (
                    "last_update",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
            ],
            options={
                "verbose_name_plural": "cities",
                "db_table": "city",
                "ordering": ["city"],
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="Country",
            fields=[
                ("country_id", models.AutoField(primary_key=True, serialize=False)),
                ("country", models.TextField()),
                (
                    "last_update",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
            ],
            options={
                "verbose_name_plural": "countries",
                "db_table": "country",
                "ordering": ["country"],
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="Customer",
            fields=[
                ("customer_id", models.AutoField(primary_key=True, serialize=False)),
                ("first_name", models.TextField()),
                ("last_name", models.TextField()),
                ("email", models.TextField(blank=True, null=True)),
                ("activebool", models.BooleanField(db_default=True)),
                (
                    "create_date",
                    models.DateField(db_default=django.db.models.functions.datetime.Now()),
                ),
                (
                    "last_update",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), null=True),
                ),
                ("active", models.IntegerField(blank=True, null=True)),
            ],
            options={
                "db_table": "customer",
                "ordering": ["customer_id"],
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="Staff",
            fields=[
                ("staff_id", models.AutoField(primary_key=True, serialize=False)),
                ("first_name", models.TextField()),
                ("last_name", models.TextField()),
                ("email", models.TextField(blank=True, null=True)),
                ("active", models.BooleanField(db_default=True)),
                ("username", models.TextField()),
                (
                    "last_update",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
            ],
            options={
                "verbose_name_plural": "staff",
                "db_table": "staff",
                "ordering": ["staff_id"],
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="Store",
            fields=[
                ("store_id", models.AutoField(primary_key=True, serialize=False)),
                ("manager_staff_id", models.IntegerField(unique=True)),
                (
                    "last_update",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
            ],
            options={
                "db_table": "store",
                "ordering": ["store_id"],
                "managed": False,
            },
        ),
    ]
