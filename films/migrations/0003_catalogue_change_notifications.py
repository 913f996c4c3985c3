"""``NOTIFY pagila_catalogue, '<table>'`` after any write to a table the catalogue pages show.

Statement-level triggers, so a bulk update sends one notification, and PostgreSQL delivers it
only when the writing transaction commits. Every server process listens and drops the cached
pages the change makes stale (``pagila_site/serving/catalogue_cache.py``), whoever wrote: the API, the
admin or plain SQL.
"""

from django.db import migrations

TABLES = ["film", "category", "film_category", "language", "actor", "film_actor", "inventory", "rental"]

FUNCTION = """
CREATE FUNCTION catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('pagila_catalogue', TG_TABLE_NAME);
    RETURN NULL;
END $$;
"""

TRIGGER = """
CREATE TRIGGER catalogue_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
"""


class Migration(migrations.Migration):
    # The rental and inventory tables the triggers watch come with Pagila, not from a migration
    # of ours, so this needs nothing of the rentals app (which depends on films, not the reverse).
    dependencies = [
        ("films", "0002_film_streaming_available"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION catalogue_changed();"),
        *(
            migrations.RunSQL(TRIGGER.format(table=table), f"DROP TRIGGER catalogue_changed ON {table};")
            for table in TABLES
        ),
    ]
