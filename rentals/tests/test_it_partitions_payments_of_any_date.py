"""Payments of any date are stored (migration 0006), with Pagila's keys, and the migration reverses
to Pagila's own schema."""

import re

import pytest
from django.conf import settings
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from pagila_site.devdb import pagila
from pagila_site.testsupport.data import sql_one

pytestmark = pytest.mark.django_db


def _insert_payment(payment_date: str, rental_id: int = 1) -> tuple[int, str]:
    """A payment of rental ``rental_id`` (customer 130's) on ``payment_date``: its id and partition."""
    return sql_one(
        "INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date) "
        "VALUES (130, 1, %s, 1.00, %s) RETURNING payment_id, tableoid::regclass::text",
        [rental_id, payment_date],
    )


def _partition_of(payment_id: int) -> str:
    return sql_one("SELECT tableoid::regclass::text FROM payment WHERE payment_id = %s", [payment_id])[0]


def _schema_of_payment_tables() -> set[tuple[str, str, str]]:
    """Every index and foreign key of ``payment`` and its partitions: (table, name, definition)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, regexp_replace(indexdef, '^.* USING ', '') FROM pg_indexes "
            "WHERE tablename LIKE 'payment%%' "
            "UNION ALL SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text LIKE 'payment%%'"
        )
        return set(cursor.fetchall())


def _pagila_schema_of_payment_tables() -> set[tuple[str, str, str]]:
    """The same, read from Pagila's schema file: what the shipped partitions are declared with."""
    text = pagila.locate(settings.PAGILA_DIR, log=lambda _message: None).schema.read_text()
    indexes = {
        (table, name, f"btree ({column})")
        for name, table, column in re.findall(
            r"CREATE INDEX (\S+) ON public\.(payment\S*) USING btree \((\w+)\);", text
        )
    }
    foreign_keys = {
        (table, name, f"FOREIGN KEY ({column}) REFERENCES {target}({column})")
        for table, name, column, target in re.findall(
            r"ALTER TABLE ONLY public\.(payment\S*)\n\s+ADD CONSTRAINT (\S+) FOREIGN KEY \((\w+)\) "
            r"REFERENCES public\.(\w+)\(\w+\);",
            text,
        )
    }
    # Primary keys: the partitioned one and each partition's, as PostgreSQL names them.
    keys = {("payment", "payment_pkey", "btree (payment_date, payment_id)")} | {
        (f"payment_p2022_{month:02}", f"payment_p2022_{month:02}_pkey", "btree (payment_date, payment_id)")
        for month in range(1, 8)
    }
    return indexes | foreign_keys | keys


def _migrate(target):
    MigrationExecutor(connection).migrate([target])


def test_it_stores_a_payment_dated_now():
    _payment_id, partition = _insert_payment("now")
    assert partition == "payment_default"


def test_it_stores_a_payment_dated_before_pagilas_first_month():
    _payment_id, partition = _insert_payment("2021-12-31T23:59:59Z")
    assert partition == "payment_default"


def test_it_keeps_pagilas_months_in_their_partitions():
    _payment_id, partition = _insert_payment("2022-07-31T23:59:59Z")
    assert partition == "payment_p2022_07"


def test_it_checks_the_rental_of_a_payment_in_the_default_partition():
    with pytest.raises(IntegrityError), transaction.atomic():
        _insert_payment("now", rental_id=999999)


def test_it_moves_a_months_payments_from_the_default_partition_into_a_new_one():
    in_may, _ = _insert_payment("2030-05-31T23:59:59Z")
    in_june, _ = _insert_payment("2030-06-01T00:00:00Z")

    assert sql_one("SELECT payment_partition_create('2030-05-01')::text") == ("payment_p2030_05",)

    assert _partition_of(in_may) == "payment_p2030_05"
    assert _partition_of(in_june) == "payment_default"
    assert sql_one("SELECT count(*) FROM payment") == (16049 + 2,)


def test_it_gives_a_new_partition_the_keys_and_indexes_of_payment():
    sql_one("SELECT payment_partition_create('2030-05-01')")
    created = {
        (name, definition)
        for table, name, definition in _schema_of_payment_tables()
        if table == "payment_p2030_05"
    }
    assert created == {
        ("payment_p2030_05_pkey", "btree (payment_date, payment_id)"),
        ("payment_p2030_05_customer_id_idx", "btree (customer_id)"),
        ("payment_p2030_05_staff_id_idx", "btree (staff_id)"),
        ("payment_p2030_05_rental_id_idx", "btree (rental_id)"),
        # Migration 0010: a payment found by its id alone.
        ("payment_p2030_05_payment_id_idx", "btree (payment_id)"),
        ("payment_customer_id_fkey", "FOREIGN KEY (customer_id) REFERENCES customer(customer_id)"),
        ("payment_staff_id_fkey", "FOREIGN KEY (staff_id) REFERENCES staff(staff_id)"),
        ("payment_rental_id_fkey", "FOREIGN KEY (rental_id) REFERENCES rental(rental_id)"),
    }


def test_it_answers_an_existing_partition_as_it_is():
    assert sql_one("SELECT payment_partition_create('2022-03-15')::text") == ("payment_p2022_03",)
    assert sql_one("SELECT count(*) FROM payment_p2022_03") == (2713,)


def test_it_reverses_to_pagilas_own_keys_and_indexes():
    leaf = next(
        node for node in MigrationExecutor(connection).loader.graph.leaf_nodes() if node[0] == "rentals"
    )
    sql_one("SELECT payment_partition_create('2030-05-01')")  # empty: dropped on the way back
    _migrate(("rentals", "0005_rental_customer_newest_first"))
    assert _schema_of_payment_tables() == _pagila_schema_of_payment_tables()
    assert sql_one("SELECT to_regclass('payment_default'), to_regclass('payment_p2030_05')") == (None, None)
    _migrate(leaf)
    assert _insert_payment("now")[1] == "payment_default"


def test_it_refuses_to_reverse_while_payments_lie_outside_pagilas_months():
    _insert_payment("now")
    with pytest.raises(ProgrammingError, match="archive them before reversing"), transaction.atomic():
        _migrate(("rentals", "0005_rental_customer_newest_first"))
