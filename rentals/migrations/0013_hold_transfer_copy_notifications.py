"""``NOTIFY pagila_catalogue, 'film:<id>'`` when a hold or a transfer moves a copy in or out of
stock, as ``0004`` does for rentals and inventory: a copy set aside or travelling is no longer in
the film detail's ``copies.in_stock``, so the catalogue cache must drop that film's pages
(``pagila_site/serving/catalogue_cache.py``). A hold's change that sets no copy aside and frees
none (a waiting hold placed or cancelled) notifies nothing.
"""

from django.db import migrations

FUNCTION = """
CREATE FUNCTION film_copies_held_or_moved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
BEGIN
    IF TG_TABLE_NAME = 'hold' THEN
        IF TG_OP = 'UPDATE' AND NEW.inventory_id IS NOT DISTINCT FROM OLD.inventory_id
                AND NEW.status = OLD.status THEN
            RETURN NULL;
        END IF;
        IF (TG_OP = 'UPDATE' AND (NEW.inventory_id IS NOT NULL OR OLD.inventory_id IS NOT NULL))
                OR (TG_OP <> 'UPDATE' AND r.inventory_id IS NOT NULL) THEN
            PERFORM pg_notify('pagila_catalogue', 'film:' || r.film_id);
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.status = OLD.status AND NEW.inventory_id = OLD.inventory_id THEN
        RETURN NULL;
    END IF;
    PERFORM pg_notify('pagila_catalogue', 'film:' || i.film_id)
        FROM inventory i WHERE i.inventory_id = r.inventory_id;
    RETURN NULL;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("rentals", "0012_hold_transfer")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION film_copies_held_or_moved();"),
        *(
            migrations.RunSQL(
                f"CREATE TRIGGER film_copies_held_or_moved AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION film_copies_held_or_moved();",
                f"DROP TRIGGER film_copies_held_or_moved ON {table};",
            )
            for table in ("hold", "transfer")
        ),
    ]
