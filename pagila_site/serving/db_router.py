"""Read scaling: catalogue reads on a streaming replica when DATABASE_REPLICA_URL is set.

The catalogue (films, categories, actors) is public, read-heavy and tolerant of a replica's
lag of a few hundred milliseconds. Everything else, and every read inside a transaction (a
service that checks before it writes, a PATCH that reads back), stays on the primary, so no
decision is ever taken on stale rows. While the replica is down, restarting or lagging too far
(``replica.py``), catalogue reads go to the primary too.
"""

from django.db import connections

from pagila_site.serving.replica import health

CATALOGUE_APPS = {"films"}


class CatalogueReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            model._meta.app_label in CATALOGUE_APPS
            and not connections["default"].in_atomic_block
            and health.usable()
        ):
            return "replica"
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data: the replica is a copy of the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
