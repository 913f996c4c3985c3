"""The partial unique index of migration 0002: whoever writes, one open rental per copy."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from pagila_site.testsupport.data import sql_one

pytestmark = pytest.mark.django_db

INDEX = "rental_one_open_per_inventory"


def _insert_rental(inventory_id: int, returned: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO rental (rental_date, inventory_id, customer_id, staff_id, return_date) "
            "VALUES (now(), %s, 1, 1, CASE WHEN %s THEN now() END)",
            [inventory_id, returned],
        )


def _index_exists() -> bool:
    return sql_one("SELECT count(*) FROM pg_indexes WHERE indexname = %s", [INDEX])[0] == 1


def test_it_refuses_a_second_open_rental_written_in_plain_sql(copy_out):
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        _insert_rental(copy_out, returned=False)
    assert raised.value.__cause__.diag.constraint_name == INDEX


def test_it_accepts_a_returned_rental_of_a_copy_that_is_out(copy_out):
    _insert_rental(copy_out, returned=True)
    assert sql_one("SELECT count(*) FROM rental WHERE inventory_id = %s", [copy_out])[0] >= 2


def test_it_drops_and_recreates_the_index_with_the_migration():
    executor = MigrationExecutor(connection)
    leaf = next(node for node in executor.loader.graph.leaf_nodes() if node[0] == "rentals")
    executor.migrate([("rentals", "0001_initial")])
    assert not _index_exists()

    MigrationExecutor(connection).migrate([leaf])
    assert _index_exists()
    assert sql_one("SELECT count(*) FROM rental WHERE return_date IS NULL") == (183,)
