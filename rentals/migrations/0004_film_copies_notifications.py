"""``NOTIFY pagila_catalogue, 'film:<id>'`` when a film's copies move in or out of stock.

``films.0003`` notified the table's name after any statement on ``rental`` or ``inventory``,
which made every process drop every cached film detail at each rental. Row triggers now name
the film whose copies changed (a rental's film through its inventory row; an inventory row's
film before and after), so only that film's detail pages are dropped
(``pagila_site/serving/catalogue_cache.py``). PostgreSQL folds identical notifications of one
transaction into one and sends them on commit. A rental update that moves no copy (neither
``return_date`` nor ``inventory_id`` changes) notifies nothing. TRUNCATE keeps the statement
trigger, which drops every detail page.
"""

from django.db import migrations

FUNCTION = """
CREATE FUNCTION film_copies_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'inventory' THEN
        IF TG_OP <> 'DELETE' THEN
            PERFORM pg_notify('pagila_catalogue', 'film:' || NEW.film_id);
        END IF;
        IF TG_OP <> 'INSERT' THEN
            PERFORM pg_notify('pagila_catalogue', 'film:' || OLD.film_id);
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.inventory_id = OLD.inventory_id
            AND NEW.return_date IS NOT DISTINCT FROM OLD.return_date THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_notify('pagila_catalogue', 'film:' || i.film_id)
            FROM inventory i WHERE i.inventory_id = NEW.inventory_id;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('pagila_catalogue', 'film:' || i.film_id)
            FROM inventory i WHERE i.inventory_id = OLD.inventory_id;
    END IF;
    RETURN NULL;
END $$;
"""

STATEMENT_TRIGGER = """
CREATE TRIGGER catalogue_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
"""


def _per_film(table: str) -> list[migrations.RunSQL]:
    return [
        migrations.RunSQL(
            f"DROP TRIGGER catalogue_changed ON {table};", STATEMENT_TRIGGER.format(table=table)
        ),
        migrations.RunSQL(
            f"CREATE TRIGGER film_copies_changed AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION film_copies_changed();",
            f"DROP TRIGGER film_copies_changed ON {table};",
        ),
        migrations.RunSQL(
            f"CREATE TRIGGER catalogue_truncated AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();",
            f"DROP TRIGGER catalogue_truncated ON {table};",
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0003_catalogue_change_notifications"),
        ("rentals", "0003_payment_ledger_entry"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION film_copies_changed();"),
        *_per_film("rental"),
        *_per_film("inventory"),
    ]
