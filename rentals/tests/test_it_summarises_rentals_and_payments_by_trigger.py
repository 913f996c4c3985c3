"""Whatever writes rentals and payments, plain SQL included, the summaries (rentals migration
0009) are what summing the history gives: after a bulk insert of thousands of rows in one
statement, a rental moved to another customer, a payment's amount changed, deletes, and the
rebuild."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from pagila_site.testsupport.data import sql_all, sql_one

pytestmark = [pytest.mark.django_db, pytest.mark.full_data]

# The summaries as summing the history gives them, for the stores of now.
DAYS = """
    SELECT (r.rental_date AT TIME ZONE 'UTC')::date, i.store_id, c.store_id, count(*)
    FROM rental r JOIN inventory i USING (inventory_id) JOIN customer c USING (customer_id)
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
"""
FILM_RENTALS = """
    SELECT i.film_id, i.store_id, c.store_id, count(*)
    FROM rental r JOIN inventory i USING (inventory_id) JOIN customer c USING (customer_id)
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
"""
FILM_PAYMENTS = """
    SELECT i.film_id, i.store_id, c.store_id, payer.store_id, count(*), sum(p.amount)
    FROM payment p JOIN rental r USING (rental_id) JOIN inventory i USING (inventory_id)
    JOIN customer c ON c.customer_id = r.customer_id JOIN customer payer ON payer.customer_id = p.customer_id
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
"""


def run(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def assert_summaries_match_the_history():
    assert sql_all(
        "SELECT day, copy_store_id, customer_store_id, rentals FROM rentals_day_summary "
        "WHERE rentals <> 0 ORDER BY 1, 2, 3"
    ) == sql_all(DAYS)
    assert sql_all(
        "SELECT film_id, copy_store_id, customer_store_id, sum(rentals) FROM rentals_film_summary "
        "WHERE rentals <> 0 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    ) == sql_all(FILM_RENTALS)
    assert sql_all(
        "SELECT film_id, copy_store_id, customer_store_id, payer_store_id, payments, revenue "
        "FROM rentals_film_summary WHERE payments <> 0 ORDER BY 1, 2, 3, 4"
    ) == sql_all(FILM_PAYMENTS)


def test_the_migration_summarised_pagilas_history():
    assert sql_one("SELECT sum(rentals) FROM rentals_day_summary") == (16044,)
    assert_summaries_match_the_history()


def test_a_flush_leaves_them_summarised():
    # flush empties our tables, Pagila's history stays: every transactional test's clean-up does
    # it, and a dashboard at zero (or a test after such a test) would be wrong.
    call_command("flush", interactive=False, verbosity=0)
    assert sql_one("SELECT sum(rentals) FROM rentals_day_summary") == (16044,)
    assert_summaries_match_the_history()


def test_a_bulk_insert_of_rentals_and_payments_is_summarised():
    # Pagila's history again, a year later, in two statements (what the grow command does).
    run(
        "INSERT INTO rental (rental_date, inventory_id, customer_id, staff_id, return_date) "
        "SELECT rental_date + interval '1 year', inventory_id, customer_id, staff_id, "
        "coalesce(return_date, rental_date) + interval '1 year' FROM rental"
    )
    run(
        "INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date) "
        "SELECT customer_id, staff_id, rental_id, amount, payment_date + interval '1 year' FROM payment"
    )
    assert sql_one("SELECT sum(rentals) FROM rentals_day_summary") == (2 * 16044,)
    assert_summaries_match_the_history()


def test_a_rental_moved_to_another_customer_and_a_payment_changed_are_summarised():
    run(
        "UPDATE rental SET customer_id = (SELECT min(customer_id) FROM customer WHERE store_id = 2), "
        "rental_date = rental_date - interval '3 days' "
        "WHERE rental_id IN (SELECT rental_id FROM rental r JOIN customer c USING (customer_id) "
        "WHERE c.store_id = 1 ORDER BY rental_id LIMIT 50)"
    )
    run("UPDATE payment SET amount = amount + 1 WHERE payment_id IN (SELECT min(payment_id) FROM payment)")
    assert_summaries_match_the_history()


def test_deletes_are_summarised():
    run("DELETE FROM payment WHERE rental_id IN (SELECT rental_id FROM rental ORDER BY rental_id LIMIT 100)")
    run(
        "DELETE FROM rental WHERE rental_id IN (SELECT rental_id FROM rental r WHERE NOT EXISTS "
        "(SELECT 1 FROM payment p WHERE p.rental_id = r.rental_id) ORDER BY rental_id LIMIT 100)"
    )
    assert sql_one("SELECT sum(rentals) FROM rentals_day_summary") == (16044 - 100,)
    assert_summaries_match_the_history()


def test_a_return_changes_no_summary():
    before = sql_all("SELECT * FROM rentals_day_summary ORDER BY 1, 2, 3")
    films_before = sql_all("SELECT * FROM rentals_film_summary ORDER BY 1, 2, 3, 4")
    run("UPDATE rental SET return_date = now() WHERE return_date IS NULL")
    assert sql_all("SELECT * FROM rentals_day_summary ORDER BY 1, 2, 3") == before
    assert sql_all("SELECT * FROM rentals_film_summary ORDER BY 1, 2, 3, 4") == films_before


def test_the_rebuild_sums_the_history_again():
    run("TRUNCATE rentals_day_summary, rentals_film_summary")
    sql_one("SELECT rental_summaries_rebuild()")
    assert_summaries_match_the_history()


def test_going_back_drops_the_summaries_and_coming_back_fills_them():
    executor = MigrationExecutor(connection)
    leaf = next(node for node in executor.loader.graph.leaf_nodes() if node[0] == "rentals")
    executor.migrate([("rentals", "0008_rental_newest_first")])
    tables = sql_one("SELECT to_regclass('rentals_day_summary'), to_regclass('rentals_film_summary')")
    assert tables == (None, None)
    assert sql_one("SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%%_summaries_%%'") == (0,)
    MigrationExecutor(connection).migrate([leaf])
    assert sql_one("SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%%_summaries_%%'") == (6,)
    assert_summaries_match_the_history()
