"""Add ``film.streaming_available`` to Pagila's existing ``film`` table.

Django performs no schema operations for unmanaged models, so the column is added with SQL
and the model state is updated separately. ``ADD COLUMN ... DEFAULT false`` is a catalogue-only
change on PostgreSQL 11+: the existing 1000 rows are kept, not rewritten.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql="ALTER TABLE film ADD COLUMN streaming_available boolean NOT NULL DEFAULT false",
                    reverse_sql="ALTER TABLE film DROP COLUMN streaming_available",
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="film",
                    name="streaming_available",
                    field=models.BooleanField(db_default=False, default=False),
                ),
            ],
        ),
    ]
