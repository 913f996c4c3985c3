"""Our migrations run on a database that already holds Pagila, lose nothing, and reverse cleanly."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db


def _columns(table):
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


def _tables():
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def _count(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
        return cursor.fetchone()[0]


def _migrate(*targets):
    executor = MigrationExecutor(connection)
    executor.migrate(list(targets))


def _leaf(app):
    executor = MigrationExecutor(connection)
    return next(node for node in executor.loader.graph.leaf_nodes() if node[0] == app)


def test_it_adds_streaming_available_without_losing_films():
    assert "streaming_available" in _columns("film")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_default, is_nullable FROM information_schema.columns "
            "WHERE table_name = 'film' AND column_name = 'streaming_available'"
        )
        assert cursor.fetchone() == ("false", "NO")
    assert _count("film") == 1000


def test_it_removes_and_restores_streaming_available():
    leaf = _leaf("films")
    _migrate(("films", "0001_initial"))
    assert "streaming_available" not in _columns("film")
    assert _count("film") == 1000

    _migrate(leaf)
    assert "streaming_available" in _columns("film")
    assert _count("film") == 1000


def test_it_drops_and_recreates_streaming_subscription():
    leaf = _leaf("customers")
    _migrate(("customers", None))
    assert "streaming_subscription" not in _tables()
    assert _count("customer") == 599

    _migrate(leaf)
    assert "streaming_subscription" in _tables()
    constraints = connection.introspection.get_constraints(connection.cursor(), "streaming_subscription")
    assert constraints["streaming_subscription_end_after_start"]["check"]
    assert any(c["index"] and c["columns"] == ["customer_id"] for c in constraints.values())
