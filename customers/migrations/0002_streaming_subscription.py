"""Create ``streaming_subscription``: our own table, beside Pagila's.

The foreign key to ``customer`` gets its index (``customer_id``) from Django; the CHECK
constraint keeps ``end_date`` null or on/after ``start_date`` whoever writes the row.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="StreamingSubscription",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("plan_name", models.CharField(max_length=50)),
                ("start_date", models.DateField()),
                ("end_date", models.DateField(blank=True, null=True)),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="subscriptions",
                        to="customers.customer",
                    ),
                ),
            ],
            options={
                "db_table": "streaming_subscription",
                "ordering": ["id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("end_date__isnull", True),
                            ("end_date__gte", models.F("start_date")),
                            _connector="OR",
                        ),
                        name="streaming_subscription_end_after_start",
                        violation_error_message="end_date must be on or after start_date.",
                    )
                ],
            },
        ),
    ]
