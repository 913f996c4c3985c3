"""The ``record_change`` trigger on every tracked table (``changes.models.TRACKED``)."""

from django.db import migrations

# Columns whose change alone is no change: kept by Pagila's own triggers on every write.
IGNORED = {"film": ["last_update", "fulltext"]}


def _create(table: str, key: str) -> str:
    arguments = ", ".join(f"'{a}'" for a in [table, key, *IGNORED.get(table, ["last_update"])])
    return (
        f"CREATE TRIGGER record_change AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION record_change({arguments})"
    )


# As they were when this migration was written: a table tracked later gets a migration of its own.
TRACKED = {
    "film": "film_id",
    "customer": "customer_id",
    "streaming_subscription": "id",
    "inventory": "inventory_id",
    "rental": "rental_id",
    "payment": "payment_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0001_change_record"),
        ("films", "0004_film_change_streaming_permission"),
        ("customers", "0004_customer_trigram_search"),
        ("rentals", "0011_rental_open_by_customer"),
    ]

    operations = [
        migrations.RunSQL(_create(table, key), f"DROP TRIGGER record_change ON {table}")
        for table, key in TRACKED.items()
    ]
