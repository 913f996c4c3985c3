"""``manage.py grow_pagila``: N times Pagila's history, by Pagila's rules, the same for the same seed.

Each run works on a private clone of the template (never the session's test database, which other
tests share), at factor 3 so the module takes seconds. The history ends at a fixed ``--until``, so
the rows don't depend on the day the tests run.
"""

import subprocess
from datetime import UTC, datetime

import psycopg
import pytest

from pagila_site.db import conninfo
from pagila_site.testsupport import commands, testdb

FACTOR = 3
GROW = ["--factor", str(FACTOR), "--seed", "7", "--until", "2026-06-01"]
UNTIL = datetime(2026, 6, 1, tzinfo=UTC)
LAST_SAMPLE_RENTAL_DATE = datetime(2022, 8, 23, 21, 50, 12, tzinfo=UTC)
SAMPLE_RENTALS, LAST_SAMPLE_RENTAL, SAMPLE_PAYMENTS, LAST_SAMPLE_PAYMENT = 16044, 16049, 16049, 32098


def _grow_pagila(dbname: str, *args: str) -> subprocess.CompletedProcess:
    return commands.manage("grow_pagila", *args, timeout=120, DATABASE_URL=testdb.database_url(dbname))


def _all(dbname: str, query: str, params=()) -> list[tuple]:
    with psycopg.connect(conninfo(dbname=dbname)) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        return conn.execute(query, params).fetchall()


def _one(dbname: str, query: str, params=()) -> tuple:
    return _all(dbname, query, params)[0]


# The new rows, in id order, as one digest per table.
DIGEST = """
SELECT (SELECT md5(string_agg(r::text, ',' ORDER BY rental_id)) FROM rental r WHERE rental_id > %(rental)s),
       (SELECT md5(string_agg(p::text, ',' ORDER BY payment_id)) FROM payment p
        WHERE payment_id > %(payment)s),
       (SELECT md5(string_agg(c::text, ',' ORDER BY customer_id)) FROM customer c WHERE customer_id > 599),
       (SELECT md5(string_agg(a::text, ',' ORDER BY address_id)) FROM address a WHERE address_id > 605),
       (SELECT md5(string_agg(h::text, ',' ORDER BY hold_id)) FROM hold h),
       (SELECT md5(string_agg(t::text, ',' ORDER BY transfer_id)) FROM transfer t)
"""
SAMPLE_IDS = {"rental": LAST_SAMPLE_RENTAL, "payment": LAST_SAMPLE_PAYMENT}

# Every index, constraint and trigger (and whether it is enabled) of the grown tables, by name and
# definition; not the foreign keys' internal triggers, named after oids that rebuilding a key changes.
SCHEMA = """
WITH grown(oid) AS (
    VALUES ('rental'::regclass), ('payment'), ('payment_default'), ('customer'), ('address'), ('hold'),
           ('transfer')
)
SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
WHERE indrelid IN (SELECT oid FROM grown)
UNION ALL
SELECT conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid IN (SELECT oid FROM grown)
UNION ALL
SELECT tgrelid::regclass::text || '.' || tgname, tgenabled::text || ' ' || pg_get_triggerdef(oid)
FROM pg_trigger WHERE tgrelid IN (SELECT oid FROM grown) AND NOT tgisinternal
ORDER BY 1, 2
"""


# Pairs of consecutive rentals of a copy where the next starts before the first is returned.
# Pagila's sample has 182 of its own (copies out since February and rented again in summer): only
# pairs with a new rental count.
OVERLAPPING = """
SELECT count(*) FROM (
    SELECT rental_id, return_date, lead(rental_date) OVER w AS next_date, lead(rental_id) OVER w AS next_id
    FROM rental WINDOW w AS (PARTITION BY inventory_id ORDER BY rental_date)
) r
WHERE next_date < coalesce(return_date, 'infinity') AND greatest(rental_id, next_id) > %s
"""

# New open rentals followed by a later rental of their copy; copies with two new open rentals.
OPEN_NOT_LATEST = """
SELECT count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM rental later
           WHERE later.inventory_id = r.inventory_id AND later.rental_date > r.rental_date)),
       count(*) - count(DISTINCT inventory_id)
FROM rental r WHERE return_date IS NULL AND rental_id > %s
"""

# New rentals by customers not signed up yet, by inactive customers, served by staff of another store.
WHO_RENTS = """
WITH store_staff AS (
    SELECT store_id, staff_id FROM staff UNION SELECT store_id, manager_staff_id FROM store
)
SELECT count(*) FILTER (WHERE r.rental_date::date < c.create_date),
       count(*) FILTER (WHERE c.active <> 1),
       count(*) FILTER (WHERE ss.staff_id IS NULL)
FROM rental r
JOIN customer c USING (customer_id)
JOIN inventory i USING (inventory_id)
LEFT JOIN store_staff ss ON ss.store_id = i.store_id AND ss.staff_id = r.staff_id
WHERE r.rental_id > %s
"""

# New returned rentals: how many, paid in full, unpaid, partly paid, overpaid; smallest and largest
# payment.
PAID = """
WITH paid AS (
    SELECT rental_id, sum(amount) AS amount, min(amount) AS smallest, max(amount) AS largest
    FROM payment GROUP BY rental_id
), owed AS (
    SELECT p.*,
           rental_fee(r.rental_date, r.return_date, f.rental_duration, f.rental_rate, f.replacement_cost)
               AS fee
    FROM rental r
    JOIN inventory USING (inventory_id)
    JOIN film f USING (film_id)
    LEFT JOIN paid p USING (rental_id)
    WHERE r.return_date IS NOT NULL AND r.rental_id > %s
)
SELECT count(*), count(*) FILTER (WHERE amount = fee), count(*) FILTER (WHERE amount IS NULL),
       count(*) FILTER (WHERE amount < fee), count(*) FILTER (WHERE amount > fee), min(smallest), max(largest)
FROM owed
"""


# Holds by status as the grown history leaves them at --until; transfers likewise.
HOLDS_AND_TRANSFERS = """
SELECT (SELECT count(*) FROM rental) - %s,
       (SELECT jsonb_object_agg(status, n) FROM (SELECT status, count(*) AS n FROM hold GROUP BY 1) h),
       (SELECT jsonb_object_agg(status, n) FROM (SELECT status, count(*) AS n FROM transfer GROUP BY 1) t)
"""

# What the services keep and no constraint does, each a count of the rows breaking it, at --until
# ("now" for the grown history):
# - a ready hold: its copy of the hold's film at the hold's store, on the shelf (not out on a rental,
#   not travelling), not expired yet;
# - a waiting hold: no copy of its film at its store is free on the shelf (it would be ready);
# - a fulfilled hold: its rental is of its customer and copy, rented while the copy was set aside;
# - an in-transit transfer: of a copy on its sending store's shelf, not set aside;
# - a received transfer: the copy travels between two rentals, not while rented; a copy's
#   journeys end where it is (inventory.store_id): it came back as often as it left.
BROKEN_RULES = """
WITH open_rental AS (SELECT inventory_id FROM rental WHERE return_date IS NULL),
travelling AS (SELECT inventory_id FROM transfer WHERE status = 'in_transit'),
set_aside AS (SELECT inventory_id FROM hold WHERE status = 'ready'),
free AS (
    SELECT i.store_id, i.film_id FROM inventory i
    WHERE i.inventory_id NOT IN (SELECT * FROM open_rental UNION ALL SELECT * FROM travelling
                                 UNION ALL SELECT * FROM set_aside)
)
SELECT
  (SELECT count(*) FROM hold h JOIN inventory i USING (inventory_id) WHERE h.status = 'ready' AND (
       (i.store_id, i.film_id) <> (h.store_id, h.film_id) OR h.expires_at <= %(until)s
       OR h.ready_at > %(until)s OR h.created > h.ready_at
       OR h.inventory_id IN (SELECT * FROM open_rental UNION ALL SELECT * FROM travelling))),
  (SELECT count(*) FROM hold h WHERE h.status = 'waiting'
       AND (EXISTS (SELECT 1 FROM free f WHERE (f.store_id, f.film_id) = (h.store_id, h.film_id))
            OR h.created > %(until)s)),
  (SELECT count(*) FROM hold h
   JOIN rental r USING (rental_id) JOIN inventory i ON i.inventory_id = r.inventory_id
   WHERE h.status = 'fulfilled' AND (
       (r.customer_id, r.inventory_id, i.film_id, i.store_id)
           <> (h.customer_id, h.inventory_id, h.film_id, h.store_id)
       OR NOT (h.created <= h.ready_at AND h.ready_at <= r.rental_date AND r.rental_date <= h.expires_at)
       OR h.closed_at <> r.rental_date)),
  (SELECT count(*) FROM transfer t JOIN inventory i USING (inventory_id) WHERE t.status = 'in_transit' AND (
       t.from_store_id <> i.store_id OR t.sent_at > %(until)s
       OR t.inventory_id IN (SELECT * FROM open_rental UNION ALL SELECT * FROM set_aside))),
  (SELECT count(*) FROM transfer t WHERE t.status = 'received' AND EXISTS (
       SELECT 1 FROM rental r WHERE r.inventory_id = t.inventory_id
       AND r.rental_date < t.received_at AND coalesce(r.return_date, 'infinity') > t.sent_at)),
  (SELECT count(*) FROM (
       SELECT 1 FROM transfer t JOIN inventory i USING (inventory_id) WHERE t.status = 'received'
       GROUP BY t.inventory_id, i.store_id
       HAVING count(*) FILTER (WHERE t.to_store_id = i.store_id)
           <> count(*) FILTER (WHERE t.from_store_id = i.store_id)
   ) unbalanced)
"""

# The database's own rules on open holds and transfers, counted again: customers holding a film
# twice while waiting or ready, copies set aside twice or travelling twice.
TWICE = """
SELECT (SELECT count(*) FROM (SELECT 1 FROM hold WHERE status IN ('waiting', 'ready')
                              GROUP BY customer_id, film_id HAVING count(*) > 1) c),
       (SELECT count(*) FROM (SELECT 1 FROM hold WHERE status = 'ready'
                              GROUP BY inventory_id HAVING count(*) > 1) c),
       (SELECT count(*) FROM (SELECT 1 FROM transfer WHERE status = 'in_transit'
                              GROUP BY inventory_id HAVING count(*) > 1) c)
"""


@pytest.fixture(scope="module")
def grown():
    """A clone of the template grown 3 times, the command's run, and the clone's schema before."""
    with testdb.clone("grow") as dbname:
        schema = _all(dbname, SCHEMA)
        run = _grow_pagila(dbname, *GROW)
        assert run.returncode == 0, run.stderr
        yield dbname, run, schema


def test_it_grows_the_history_by_about_the_factor(grown):
    dbname, run, _schema = grown
    rentals, payments, customers = _one(
        dbname,
        "SELECT (SELECT count(*) FROM rental), (SELECT count(*) FROM payment), "
        "(SELECT count(*) FROM customer)",
    )
    assert 0.95 * FACTOR * SAMPLE_RENTALS < rentals < 1.05 * FACTOR * SAMPLE_RENTALS
    assert 0.9 * FACTOR * SAMPLE_PAYMENTS < payments < 1.05 * FACTOR * SAMPLE_PAYMENTS
    assert customers == 599 + round(599 * (FACTOR - 1) / 5)
    assert f"{rentals - SAMPLE_RENTALS:,} rentals" in run.stdout


def test_it_numbers_new_rentals_in_date_order_after_the_sample(grown):
    dbname, _run, _schema = grown
    first, out_of_order, last_start = _one(
        dbname,
        "SELECT min(rental_date), count(*) FILTER (WHERE rental_date < previous), max(rental_date) "
        "FROM (SELECT rental_date, lag(rental_date) OVER (ORDER BY rental_id) AS previous FROM rental "
        "WHERE rental_id > %s) r",
        [LAST_SAMPLE_RENTAL],
    )
    assert first > LAST_SAMPLE_RENTAL_DATE
    assert out_of_order == 0
    assert last_start < UNTIL


def test_it_never_overlaps_two_rentals_of_a_copy(grown):
    dbname, _run, _schema = grown
    overlapping = _one(dbname, OVERLAPPING, [LAST_SAMPLE_RENTAL])[0]
    assert overlapping == 0


def test_it_leaves_open_only_the_latest_rental_of_a_copy(grown):
    dbname, _run, _schema = grown
    open_with_later, copies_open_twice = _one(dbname, OPEN_NOT_LATEST, [LAST_SAMPLE_RENTAL])
    assert (open_with_later, copies_open_twice) == (0, 0)


def test_it_leaves_some_new_rentals_open_and_some_of_those_overdue(grown):
    dbname, _run, _schema = grown
    copies, still_out, overdue = _one(
        dbname,
        "SELECT (SELECT count(*) FROM inventory), count(*), count(*) FILTER (WHERE r.rental_date "
        "+ make_interval(days => f.rental_duration) < %s) FROM rental r JOIN inventory USING (inventory_id) "
        "JOIN film f USING (film_id) WHERE r.return_date IS NULL AND r.rental_id > %s",
        [UNTIL, LAST_SAMPLE_RENTAL],
    )
    assert 0.005 * copies < still_out < 0.5 * copies
    assert 0 < overdue < still_out


def test_it_rents_to_active_customers_signed_up_by_then_served_by_the_copys_store(grown):
    dbname, _run, _schema = grown
    too_early, inactive, foreign_staff = _one(dbname, WHO_RENTS, [LAST_SAMPLE_RENTAL])
    assert (too_early, inactive, foreign_staff) == (0, 0, 0)


def test_it_charges_returned_rentals_by_the_fee_rule_with_a_share_unpaid(grown):
    dbname, _run, _schema = grown
    returned, paid_in_full, unpaid, partly, overpaid, smallest, largest = _one(
        dbname, PAID, [LAST_SAMPLE_RENTAL]
    )
    assert paid_in_full > 0.9 * returned
    assert 0.01 * returned < unpaid < 0.06 * returned
    assert 0 < partly < 0.05 * returned
    assert overpaid == 0
    assert smallest > 0
    assert largest <= 999.99


def test_it_stores_new_payments_in_the_default_partition(grown):
    dbname, _run, _schema = grown
    partitions = _all(
        dbname,
        "SELECT tableoid::regclass::text, count(*) FROM payment WHERE payment_id > %s GROUP BY 1",
        [LAST_SAMPLE_PAYMENT],
    )
    assert [partition for partition, _count in partitions] == ["payment_default"]


def test_it_sums_the_dashboards_summaries_again(grown):
    # The payments are loaded past payment's triggers, which keep the summaries current.
    dbname, _run, _schema = grown
    summed = _one(
        dbname,
        "SELECT (SELECT sum(rentals) FROM rentals_day_summary), sum(rentals), sum(payments), sum(revenue) "
        "FROM rentals_film_summary",
    )
    counted = _one(
        dbname,
        "SELECT (SELECT count(*) FROM rental), (SELECT count(*) FROM rental), count(*), sum(amount) "
        "FROM payment",
    )
    assert summed == counted


def test_it_keeps_every_index_constraint_and_trigger(grown):
    # They are dropped for the load and built again from their definitions.
    dbname, _run, schema = grown
    assert _all(dbname, SCHEMA) == schema


def test_it_moves_the_sequences_past_the_new_ids(grown):
    dbname, _run, _schema = grown
    assert _all(
        dbname,
        "SELECT nextval('address_address_id_seq') - (SELECT max(address_id) FROM address), "
        "nextval('customer_customer_id_seq') - (SELECT max(customer_id) FROM customer), "
        "nextval('rental_rental_id_seq') - (SELECT max(rental_id) FROM rental), "
        "nextval('payment_payment_id_seq') - (SELECT max(payment_id) FROM payment), "
        "nextval(pg_get_serial_sequence('hold', 'hold_id')) - (SELECT max(hold_id) FROM hold), "
        "nextval(pg_get_serial_sequence('transfer', 'transfer_id'))"
        " - (SELECT max(transfer_id) FROM transfer)",
    ) == [(1, 1, 1, 1, 1, 1)]


def test_it_grows_the_same_rows_from_the_same_seed(grown):
    dbname, _run, _schema = grown
    with testdb.clone("grow_again") as again:
        run = _grow_pagila(again, *GROW)
        assert run.returncode == 0, run.stderr
        assert _one(again, DIGEST, SAMPLE_IDS) == _one(dbname, DIGEST, SAMPLE_IDS)


def test_it_refuses_a_grown_database(grown):
    dbname, _run, _schema = grown
    run = _grow_pagila(dbname, *GROW)
    assert run.returncode == 1
    [line] = run.stderr.strip().splitlines()
    assert line.startswith(f"CommandError: This database was grown already ({FACTOR}x, seed 7, on ")
    assert line.endswith("); --force grows it again")


def test_it_refuses_a_database_that_is_not_the_sample():
    with testdb.clone("grow_refused") as dbname:
        _one(dbname, "DELETE FROM payment WHERE payment_id = %s RETURNING 1", [LAST_SAMPLE_PAYMENT])
        run = _grow_pagila(dbname, *GROW)
        assert run.returncode == 1
        assert run.stderr.strip() == (
            "CommandError: This database does not hold exactly Pagila's sample history "
            "(payments 16,048 (max id 32,097), not 16,049 (32,098)); --force grows it anyway"
        )
        untouched = _one(dbname, "SELECT count(*), to_regclass('pagila_growth') FROM rental")
        assert untouched == (SAMPLE_RENTALS, None)


def test_it_grows_holds_and_transfers_in_proportion_mostly_history(grown):
    dbname, run, _schema = grown
    rentals_added, holds, transfers = _one(dbname, HOLDS_AND_TRANSFERS, [SAMPLE_RENTALS])
    assert 0.95 * rentals_added / 20 < sum(holds.values()) < 1.05 * rentals_added / 20
    assert 0.9 * rentals_added / 100 < sum(transfers.values()) < 1.05 * rentals_added / 100
    history = holds["fulfilled"] + holds["cancelled"] + holds["expired"]
    assert history > 0.9 * sum(holds.values())
    assert holds["fulfilled"] > holds["cancelled"] > 0
    assert holds["expired"] > 0
    assert holds["waiting"] > holds["ready"] > 0
    assert transfers["received"] > 0.8 * sum(transfers.values())
    assert transfers["in_transit"] > 0
    assert transfers["cancelled"] > 0
    assert f"{sum(holds.values()):,} holds, {sum(transfers.values()):,} transfers added" in run.stdout


def test_it_grows_holds_and_transfers_by_the_services_rules(grown):
    dbname, _run, _schema = grown
    assert _one(dbname, BROKEN_RULES, {"until": UNTIL}) == (0, 0, 0, 0, 0, 0)
    assert _one(dbname, TWICE) == (0, 0, 0)


def test_it_writes_the_change_records_of_new_holds_and_transfers(grown):
    # As the record_change trigger would have: one insert each, in the scope of their stores (a
    # transfer's two) and a hold's customer.
    dbname, _run, _schema = grown
    records = _all(
        dbname,
        "SELECT c.table_name, count(*), count(*) FILTER (WHERE c.action = 'insert' AND c.store_ids = CASE"
        "   WHEN c.table_name = 'hold' THEN ARRAY[h.store_id]"
        "   ELSE ARRAY[least(t.from_store_id, t.to_store_id), greatest(t.from_store_id, t.to_store_id)] END"
        "   AND c.customer_id IS NOT DISTINCT FROM h.customer_id"
        "   AND (c.changes -> 'status' ->> 1) = coalesce(h.status, t.status))"
        " FROM change_record c"
        " LEFT JOIN hold h ON c.table_name = 'hold' AND h.hold_id = c.object_id"
        " LEFT JOIN transfer t ON c.table_name = 'transfer' AND t.transfer_id = c.object_id"
        " WHERE c.table_name IN ('hold', 'transfer') AND c.source = 'command:grow_pagila'"
        " GROUP BY 1 ORDER BY 1",
    )
    counted = _one(dbname, "SELECT (SELECT count(*) FROM hold), (SELECT count(*) FROM transfer)")
    assert records == [("hold", counted[0], counted[0]), ("transfer", counted[1], counted[1])]
