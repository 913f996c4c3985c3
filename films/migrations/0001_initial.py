"""State for the unmanaged Pagila tables of this app: no database operations."""

import django.contrib.postgres.fields
import django.contrib.postgres.search
import django.db.models.functions.datetime
from django.db import migrations, models

import films.models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Actor",
            fields=[
                ("actor_id", models.AutoField(primary_key=True, serialize=False)),
                ("first_name", models.TextField()),
                ("last_name", models.TextField()),
                (
                    "last_update",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
            ],
            options={
                "db_table": "actor",
                "ordering": ["last_name", "first_name", "actor_id"],
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="Category",
            fields=[
                ("category_id", models.AutoField(primary_key=True, serialize=False)),
                ("name", models.TextField()),
                (
                    "last_update",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
            ],
            options={
                "verbose_name_plural": "categories",
                "db_table": "category",
                "ordering": ["name"],
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="Film",
            fields=[
                ("film_id", models.AutoField(primary_key=True, serialize=False)),
                ("title", models.TextField()),
                ("description", models.TextField(blank=True, null=True)),
                ("release_year", models.IntegerField(blank=True, null=True)),
                ("rental_duration", models.SmallIntegerField(db_default=3)),
                (
                    "rental_rate",
                    models.DecimalField(db_default=4.99, decimal_places=2, max_digits=4),
                ),
                ("length", models.SmallIntegerField(blank=True, null=True)),
                (
                    "replacement_cost",
                    models.DecimalField(db_default=19.99, decimal_places=2, max_digits=5),
                ),
                (
                    "rating",
                    models.TextField(
                        blank=True,
                        choices=[
                            ("G", "G"),
                            ("PG", "PG"),
                            ("PG-13", "PG-13"),
                            ("R", "R"),
                            ("NC-17", "NC-17"),
                        ],
                        db_default="G",
                        null=True,
                    ),
                ),
                (
                    "last_update",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
                (
                    "special_features",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.TextField(), blank=True, null=True
                    ),
                ),
                (
                    "fulltext",
                    django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
            ],
            options={
                "db_table": "film",
                "ordering": ["film_id"],
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="FilmActor",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "actor_id",
                        "film_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "last_update",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
            ],
            options={
                "db_table": "film_actor",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="FilmCategory",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "film_id",
                        "category_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "last_update",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
            ],
            options={
                "verbose_name_plural": "film categories",
                "db_table": "film_category",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="Language",
            fields=[
                ("language_id", models.AutoField(primary_key=True, serialize=False)),
                ("name", films.models.TrimmedCharField(max_length=20)),
                (
                    "last_update",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
            ],
            options={
                "db_table": "language",
                "ordering": ["language_id"],
                "managed": False,
            },
        ),
    ]
