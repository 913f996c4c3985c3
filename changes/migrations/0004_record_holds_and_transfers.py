"""Change records of holds and transfers (issue 21): their stores, for a clerk's scope, and the
``record_change`` trigger on both tables."""

import importlib

from django.db import migrations

first = importlib.import_module("changes.migrations.0001_change_record")

# As 0001's, with a hold's store and a transfer's two stores.
CHANGE_STORES = first.CHANGE_STORES.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION").replace(
    "    WHEN tbl IN ('customer', 'inventory')",
    "    WHEN tbl = 'transfer' THEN ARRAY[(r ->> 'from_store_id')::integer, (r ->> 'to_store_id')::integer]\n"
    "    WHEN tbl IN ('customer', 'inventory', 'hold')",
)
assert CHANGE_STORES.count("'hold'") == 1

TRACKED = {"hold": "hold_id", "transfer": "transfer_id"}


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0003_change_record_source"),
        ("rentals", "0012_hold_transfer"),
    ]

    operations = [
        migrations.RunSQL(
            CHANGE_STORES, first.CHANGE_STORES.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
        ),
        *(
            migrations.RunSQL(
                f"CREATE TRIGGER record_change AFTER INSERT OR UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION record_change('{table}', '{key}', 'last_update')",
                f"DROP TRIGGER record_change ON {table}",
            )
            for table, key in TRACKED.items()
        ),
    ]
