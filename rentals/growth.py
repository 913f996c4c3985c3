"""Growing a Pagila database's history N-fold, deterministically: the data of a chain's scale.

Pagila's sample is 599 customers, 16,044 rentals and 16,049 payments from February to August
2022, on 4,581 copies in stores 1 and 2. ``grow()`` keeps the catalogue and the copies as they
are and adds, after the sample's last rental and up to ``until`` (by default today, 00:00 UTC):

- ``599 * (factor - 1) / 5`` customers (about 12,000 more at 100x), each with an address of its
  own built from Pagila's streets and cities and a name from its first and last names, signing up
  evenly over the years, spread over the stores that hold copies; 2.5 % are inactive (``active``
  0, as Pagila marks its 15), and those never rent;
- ``16,044 * (factor - 1)`` rentals, about: every copy without an open rental gets a chain of
  rentals that never overlap, each returned before the next begins, so only its latest can be
  open (the sample's 183 open rentals, from 2022, keep their copies). A rental lasts its film's
  ``rental_duration`` times 0.15 to 1.85 (1 % of them 2.05 to 3 times: lost, the replacement cost
  is charged). At high factors the copies must be out more of the time than that allows, so
  the ordinary durations shrink until copies are out 80 % of the time (at 100x to about two
  thirds: a quarter of the rentals are late, against 40 % at low factors), and the gaps between
  rentals take the rest. Each rental goes to an
  active customer who had signed up by then (any store's, as in Pagila, where half the
  rentals are of another store's copy) and is served by a staff member of the copy's store
  (its manager or an active staff member whose ``store_id`` it is: the scope rule). A rental
  whose return would come after ``until`` is open; some of those are overdue.
- payments by the fee rule (``rental_fee()``, rentals migration 0007) for returned rentals,
  paid on return, a tenth of the late ones in two parts (the rental rate when renting, the rest
  on return); 3 % unpaid, 2 % partly paid; half the open rentals paid their rate when rented.
  Every amount is below numeric(5, 2)'s 999.99. The rows land in ``payment_default``, like any
  payment after Pagila's months (README: why no monthly partitions are made ahead).
- holds (one per 20 rentals, most of them history: fulfilled, cancelled, expired; some waiting, a
  few ready) and transfers between the stores holding copies (one per 100 rentals, mostly
  received, some in transit), by the database's rules and the services': ``rentals.growth_holds``.

Same seed, factor and ``until``, same rows: every random choice is a hash of the seed and the
row's key (``pg_temp.grow_u``), never ``random()``, so the plan and the order rows come in don't
matter, and ids are numbered in ``rental_date`` (``payment_date``) order. It is all set-based
SQL in one transaction, the tables locked against other writers. The row trigger that would run
per inserted rental (``film_copies_changed``, a cache notification per film) is disabled for it
and replaced by one notification, and the dashboard's summaries are summed again from the whole
history at the end (REPLACED_TRIGGERS says why); rental's and ``payment_default``'s secondary indexes
and foreign keys are dropped for the load and built again (``_bulk_loading``: 75 s instead of
405 s at 100x). Afterwards the grown tables are vacuumed and analyzed.

It refuses a database whose history is not exactly the sample (unless ``force``); what it did
is recorded in ``pagila_growth``, so a grown database is refused too.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import sql

from rentals import growth_holds

DEFAULT_SEED = 20220823
# Pagila's sample history: the database must hold exactly this to grow (unless forced).
SAMPLE = {
    "customers": (599, 599),
    "rentals": (16044, 16049),
    "payments": (16049, 32098),
}
SAMPLE_RENTALS = SAMPLE["rentals"][0]
SAMPLE_CUSTOMERS = SAMPLE["customers"][0]
# New customers per sample-sized slice of history: Pagila's ~27 rentals per customer would make
# 60,000 customers at 100x; a fifth of that gives the issue's ~12,000 (about 130 rentals each).
CUSTOMERS_PER_FACTOR = 1 / 5
# The share of time a copy is out, at most: the rest is gaps between rentals.
OCCUPANCY = 0.8
# Triggers that the load goes without, and what does their work once at the end instead:
# film_copies_changed would notify per rental (per row); the summaries' statement triggers
# (rentals migration 0009) would sum the new rentals once, but payment's never sees the payments,
# loaded into its detached DEFAULT partition (_payments), so the summaries are rebuilt.
# The change records (the changes app's record_change trigger) of the rows added: one insert
# record each, as the trigger would have written them, set by set.
CHANGE_RECORDS = """
INSERT INTO change_record (at, table_name, object_id, action, changes, source, store_ids, customer_id)
SELECT now(), '{table}', r.{key}, 'insert',
       (SELECT jsonb_object_agg(key, jsonb_build_array(NULL, value))
        FROM jsonb_each(to_jsonb(r) - 'last_update')),
       'command:grow_pagila',
       (SELECT array_agg(DISTINCT s ORDER BY s) FROM unnest(change_stores('{table}', to_jsonb(r))) AS s
        WHERE s IS NOT NULL),
       {customer}
FROM {table} r WHERE r.{key} > %({key_before})s
"""
# A table's name drops every cached catalogue page (pagila_site/serving/catalogue_cache).
CATALOGUE_CHANGED = "SELECT pg_notify('pagila_catalogue', 'rental')"
# The customer a change record belongs to (the trigger reads the row's customer_id): a transfer has none.
RECORDED_CUSTOMER = {"transfer": "NULL::integer"}

# film_copies_changed would notify per rental (per row); the summaries' statement triggers
# (rentals migration 0009) would sum the new rentals once, but payment's never sees the payments,
# loaded into its detached DEFAULT partition (_payments), so the summaries are rebuilt; the change
# records are written for the new rows afterwards. The statements are run with the growth's
# parameters (_parameters).
REPLACED_TRIGGERS = {
    ("rental", "film_copies_changed"): CATALOGUE_CHANGED,
    # A ready hold's copy and a travelling one leave the film's copies.in_stock, as a rental's.
    ("hold", "film_copies_held_or_moved"): CATALOGUE_CHANGED,
    ("transfer", "film_copies_held_or_moved"): CATALOGUE_CHANGED,
    ("rental", "rental_summaries_insert"): "SELECT rental_summaries_rebuild()",
    ("payment", "payment_summaries_insert"): "SELECT rental_summaries_rebuild()",
    **{
        (table, "record_change"): CHANGE_RECORDS.format(
            table=table,
            key=f"{table}_id",
            key_before=f"{table}0",
            customer=RECORDED_CUSTOMER.get(table, "r.customer_id"),
        )
        for table in ("customer", "rental", "payment", "hold", "transfer")
    },
}


class GrowthRefused(Exception):
    """The database is not one to grow (not the sample, grown already, bad arguments)."""


@dataclass(frozen=True)
class Growth:
    factor: int
    seed: int
    until: datetime
    customers: int
    rentals: int
    payments: int
    holds: int
    transfers: int
    seconds: float


# A pseudo-random number in [0, 1) per (seed, key, salt). hashint8extended is PostgreSQL's hash
# of hash partitioning, so it is stable across versions and platforms; an IMMUTABLE one-SELECT
# SQL function is inlined by the planner, so calling it per row costs a hash.
RANDOM_FUNCTION = """
CREATE FUNCTION pg_temp.grow_u(seed bigint, key bigint, salt integer) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((hashint8extended(key, seed * 64 + salt) >> 11) & 9007199254740991)::float8
        / 9007199254740992
$$
"""

RECORD_TABLE = """
CREATE TABLE IF NOT EXISTS pagila_growth (
    grown_at timestamptz NOT NULL DEFAULT now(),
    factor integer NOT NULL,
    seed bigint NOT NULL,
    until timestamptz NOT NULL,
    customers_added integer NOT NULL,
    rentals_added integer NOT NULL,
    payments_added integer NOT NULL,
    seconds numeric NOT NULL
)
"""
RECORD_COMMENT = (
    "COMMENT ON TABLE pagila_growth IS 'manage.py grow_pagila: the history added to Pagila''s sample'"
)

STREETS = """
CREATE TEMP TABLE grow_street ON COMMIT DROP AS
SELECT (row_number() OVER (ORDER BY address_id) - 1)::int AS k,
       substring(address FROM '^[0-9]+ (.+)$') AS street, district, city_id
FROM address WHERE address ~ '^[0-9]+ .'
"""

NAMES = """
CREATE TEMP TABLE grow_name ON COMMIT DROP AS
SELECT (row_number() OVER (ORDER BY customer_id) - 1)::int AS k, first_name, last_name
FROM customer WHERE customer_id <= %(customer0)s
"""

ADDRESSES = """
INSERT INTO address (address_id, address, district, city_id, postal_code, phone, last_update)
SELECT %(address0)s + g,
       (1 + floor(pg_temp.grow_u(%(seed)s, g, 1) * 1999))::int || ' ' || s.street,
       d.district, d.city_id,
       lpad(floor(pg_temp.grow_u(%(seed)s, g, 2) * 100000)::int::text, 5, '0'),
       lpad(floor(pg_temp.grow_u(%(seed)s, g, 3) * 1e12)::bigint::text, 12, '0'),
       date_trunc('second', %(start)s + (%(until)s - %(start)s) * ((g - 0.5) / %(n)s))
FROM generate_series(1, %(n)s) g
JOIN grow_street s ON s.k = floor(pg_temp.grow_u(%(seed)s, g, 4) * %(streets)s)::int
JOIN grow_street d ON d.k = floor(pg_temp.grow_u(%(seed)s, g, 5) * %(streets)s)::int
"""

# Customers sign up evenly from the sample's end to ``until``, in id order; a name drawn twice
# gets a number in its email, as mail providers do.
CUSTOMERS = """
INSERT INTO customer (customer_id, store_id, first_name, last_name, email, address_id, activebool,
                      create_date, last_update, active)
SELECT customer_id, store_id, first_name, last_name,
       first_name || '.' || last_name || CASE WHEN same_name > 1 THEN same_name::text ELSE '' END
           || '@sakilacustomer.org',
       address_id, true, created::date, created, active
FROM (
    SELECT %(customer0)s + g AS customer_id,
           (%(stores)s::int[])[1 + floor(pg_temp.grow_u(%(seed)s, g, 6) * cardinality(%(stores)s::int[]))]
               AS store_id,
           f.first_name, l.last_name,
           row_number() OVER (PARTITION BY f.first_name, l.last_name ORDER BY g)
               + (f.k = l.k)::int AS same_name,
           %(address0)s + g AS address_id,
           date_trunc('second', %(start)s + (%(until)s - %(start)s) * ((g - 0.5) / %(n)s)) AS created,
           CASE WHEN pg_temp.grow_u(%(seed)s, g, 7) < 0.025 THEN 0 ELSE 1 END AS active
    FROM generate_series(1, %(n)s) g
    JOIN grow_name f ON f.k = floor(pg_temp.grow_u(%(seed)s, g, 8) * %(names)s)::int
    JOIN grow_name l ON l.k = floor(pg_temp.grow_u(%(seed)s, g, 9) * %(names)s)::int
) c
"""

# Active customers numbered in sign-up order, and per day how many had signed up by then: a
# rental on day d picks a number below that day's count, so its customer existed.
ACTIVE_CUSTOMERS = """
CREATE TEMP TABLE grow_customer ON COMMIT DROP AS
SELECT (row_number() OVER (ORDER BY create_date, customer_id) - 1)::int AS rank, customer_id, create_date
FROM customer WHERE active = 1
"""
CUSTOMER_DAYS = """
CREATE TEMP TABLE grow_day ON COMMIT DROP AS
SELECT day::date AS day, (sum(count(c.customer_id)) OVER (ORDER BY day))::int AS customers
FROM generate_series((SELECT min(create_date) FROM grow_customer), %(until)s::date, interval '1 day') day
LEFT JOIN grow_customer c ON c.create_date = day::date
GROUP BY day
"""

# Who serves a store's copies: its manager and its active staff (customers/scope.py's rule).
STAFF = """
CREATE TEMP TABLE grow_staff ON COMMIT DROP AS
SELECT s.store_id, st.staff_id,
       (row_number() OVER (PARTITION BY s.store_id ORDER BY st.staff_id) - 1)::int AS k,
       (count(*) OVER (PARTITION BY s.store_id))::int AS n
FROM store s
JOIN staff st ON st.active AND (st.store_id = s.store_id OR st.staff_id = s.manager_staff_id)
WHERE s.store_id IN (SELECT store_id FROM inventory)
"""

# Copies whose latest rental is returned, and when each is free from.
COPIES = """
CREATE TEMP TABLE grow_copy ON COMMIT DROP AS
SELECT i.inventory_id, i.store_id, f.rental_duration, f.rental_rate, f.replacement_cost,
       greatest(%(start)s, max(r.rental_date), max(r.return_date)) AS t0
FROM inventory i
JOIN film f USING (film_id)
LEFT JOIN rental r USING (inventory_id)
WHERE i.store_id IN (SELECT store_id FROM grow_staff)
GROUP BY i.inventory_id, f.film_id
HAVING count(r.rental_id) = count(r.return_date)
"""

# Each copy's chain: slot k is a gap then a rental; a slot's start is the chain's origin plus
# every earlier slot (the running sum). The origin lies up to a slot before the copy is free and
# rentals starting before it is free are dropped, so a chain starts mid-slot, as if it had run
# all along (starting with a whole slot would lose half a rental per copy). More slots are made
# than fit before ``until`` and the rest dropped, so the last weeks end as any day would: some
# copies out, some of them overdue.
SLOTS = """
CREATE TEMP TABLE grow_slot ON COMMIT DROP AS
SELECT * FROM (
    SELECT inventory_id, k, store_id, rental_duration, rental_rate, replacement_cost, t0,
           date_trunc('second', origin + make_interval(secs => sum(gap + dur) OVER w - dur)) AS rental_date,
           date_trunc('second', origin + make_interval(secs => sum(gap + dur) OVER w)) AS returned_at
    FROM (
        SELECT c.*, k,
               c.t0 - make_interval(secs => %(slot)s * pg_temp.grow_u(%(seed)s, c.inventory_id, 15))
                   AS origin,
               %(gap)s * (0.02 + 1.96 * pg_temp.grow_u(%(seed)s, c.inventory_id::bigint * 1048576 + k, 10))
                   AS gap,
               86400 * c.rental_duration * CASE
                   WHEN pg_temp.grow_u(%(seed)s, c.inventory_id::bigint * 1048576 + k, 11) < 0.01
                   THEN 2.05 + 0.95 * pg_temp.grow_u(%(seed)s, c.inventory_id::bigint * 1048576 + k, 12)
                   ELSE %(shrink)s
                       * (0.15 + 1.7 * pg_temp.grow_u(%(seed)s, c.inventory_id::bigint * 1048576 + k, 12))
               END AS dur
        FROM grow_copy c,
             generate_series(1, ceil(extract(epoch FROM %(until)s - c.t0) / %(slot)s * 1.25)::int + 10) k
    ) s
    WINDOW w AS (PARTITION BY inventory_id ORDER BY k)
) chained
WHERE rental_date >= t0 AND rental_date < %(until)s
"""

RENTALS = """
CREATE TEMP TABLE grow_rental ON COMMIT DROP AS
SELECT %(rental0)s + row_number() OVER (ORDER BY s.rental_date, s.inventory_id) AS rental_id,
       s.rental_date, s.inventory_id, cu.customer_id,
       CASE WHEN s.returned_at <= %(until)s THEN s.returned_at END AS return_date,
       st.staff_id, s.store_id, s.rental_duration, s.rental_rate, s.replacement_cost,
       CASE WHEN s.returned_at <= %(until)s
            THEN least(rental_fee(s.rental_date, s.returned_at, s.rental_duration, s.rental_rate,
                                  s.replacement_cost), 999.99) END AS fee
FROM grow_slot s
JOIN grow_day d ON d.day = s.rental_date::date
JOIN grow_customer cu
    ON cu.rank
        = floor(pg_temp.grow_u(%(seed)s, s.inventory_id::bigint * 1048576 + s.k, 13) * d.customers)::int
JOIN grow_staff st
    ON st.store_id = s.store_id
    AND st.k = floor(pg_temp.grow_u(%(seed)s, s.inventory_id::bigint * 1048576 + s.k, 14) * st.n)::int
"""
INSERT_RENTALS = """
INSERT INTO rental (rental_id, rental_date, inventory_id, customer_id, return_date, staff_id, last_update)
SELECT rental_id, rental_date, inventory_id, customer_id, return_date, staff_id,
       coalesce(return_date, rental_date)
FROM grow_rental ORDER BY rental_id
"""

# Part 1 is paid when renting (the rental rate), part 2 on return (what is left, or a part of
# it, by someone on duty then). A partly paid rental pays 10 % to 90 % of its fee, never 0.
PAYMENTS = """
CREATE TEMP TABLE grow_payment ON COMMIT DROP AS
WITH owed AS MATERIALIZED (
    SELECT r.*,
           pg_temp.grow_u(%(seed)s, r.rental_id, 20) AS pays,
           pg_temp.grow_u(%(seed)s, r.rental_id, 21) AS splits,
           floor(pg_temp.grow_u(%(seed)s, r.rental_id, 23) * st.n)::int AS returning_staff
    FROM grow_rental r
    JOIN (SELECT DISTINCT store_id, n FROM grow_staff) st USING (store_id)
), parts AS (
    SELECT rental_id, customer_id, staff_id, 1 AS part, rental_rate AS amount, rental_date AS payment_date
    FROM owed
    WHERE CASE WHEN return_date IS NULL THEN splits < 0.5
               ELSE pays >= 0.05 AND splits < 0.1 AND fee > rental_rate END
    UNION ALL
    SELECT o.rental_id, o.customer_id, st.staff_id, 2,
           CASE WHEN o.pays < 0.05
                    THEN greatest(0.01, round(
                        o.fee * (0.1 + 0.8 * pg_temp.grow_u(%(seed)s, o.rental_id, 22))::numeric, 2))
                WHEN o.splits < 0.1 AND o.fee > o.rental_rate THEN o.fee - o.rental_rate
                ELSE o.fee END,
           o.return_date
    FROM owed o
    JOIN grow_staff st ON st.store_id = o.store_id AND st.k = o.returning_staff
    WHERE o.return_date IS NOT NULL AND o.pays >= 0.03
)
SELECT %(payment0)s + row_number() OVER (ORDER BY payment_date, rental_id, part) AS payment_id,
       customer_id, staff_id, rental_id, amount, payment_date
FROM parts
"""
INSERT_PAYMENTS = """
INSERT INTO payment_default (payment_id, customer_id, staff_id, rental_id, amount, payment_date)
SELECT payment_id, customer_id, staff_id, rental_id, amount, payment_date
FROM grow_payment ORDER BY payment_id
"""

# Pagila's sequences are not OWNED BY their columns, so pg_get_serial_sequence() doesn't find them.
SEQUENCES = """
SELECT setval('address_address_id_seq', (SELECT max(address_id) FROM address)),
       setval('customer_customer_id_seq', (SELECT max(customer_id) FROM customer)),
       setval('rental_rental_id_seq', (SELECT max(rental_id) FROM rental)),
       setval('payment_payment_id_seq', (SELECT max(payment_id) FROM payment)),
       setval(pg_get_serial_sequence('hold', 'hold_id'), (SELECT max(hold_id) FROM hold)),
       setval(pg_get_serial_sequence('transfer', 'transfer_id'), (SELECT max(transfer_id) FROM transfer))
"""

# Triggers on the tables grown that fire on INSERT (not the foreign keys' internal ones): table,
# name, whether per row.
INSERT_TRIGGERS = """
SELECT c.relname, t.tgname, t.tgtype & 1 = 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND t.tgtype & 4 = 4 AND t.tgparentid = 0
  AND (c.relname IN ('address', 'customer', 'rental', 'payment', 'hold', 'transfer')
       OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'payment'::regclass))
ORDER BY 1, 2
"""

# Parallel plans would not change the rows (no random() is used) but are turned off so nothing
# depends on it; UTC because adding days to a timestamptz (the fee rule, the day a customer signs
# up) depends on the time zone.
SESSION = (
    "SET LOCAL max_parallel_workers_per_gather = 0",
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL statement_timeout = 0",
    "SET LOCAL work_mem = '256MB'",
    # The staging tables are temporary: kept in memory rather than written out and read back.
    "SET LOCAL temp_buffers = '512MB'",
    "SET LOCAL maintenance_work_mem = '512MB'",
    # hold's and transfer's foreign keys are Django's, deferred to the commit: checked then, their
    # pending events would keep the tables' triggers from being enabled again.
    "SET CONSTRAINTS ALL IMMEDIATE",
)

GROWN_TABLES = ("address", "customer", "rental", "payment", "hold", "transfer")


def grow(
    conninfo: str,
    *,
    factor: int,
    seed: int = DEFAULT_SEED,
    until: datetime | None = None,
    force: bool = False,
    log: Callable[[str], object] = print,
) -> Growth | None:
    """Grow the database at ``conninfo`` to ``factor`` times Pagila's history (None: factor 1,
    nothing to do). Raises GrowthRefused before changing anything."""
    if factor < 1:
        raise GrowthRefused("--factor must be 1 or more")
    if not 0 <= seed < 2**40:
        raise GrowthRefused("--seed must be between 0 and 2**40")
    if factor == 1:
        log("Factor 1: the history stays as it is.")
        return None
    began = time.monotonic()
    with psycopg.connect(conninfo, cursor_factory=psycopg.ClientCursor) as conn:
        # One transaction: all of it or nothing.
        for setting in SESSION:
            conn.execute(setting)
        # Other writers would take ids from the sequences that this numbers itself; readers may
        # go on reading the sample meanwhile.
        conn.execute("LOCK TABLE address, customer, rental, payment, hold, transfer IN EXCLUSIVE MODE")
        _refuse_unless_sample(conn, force)
        params = _parameters(conn, factor=factor, seed=seed, until=until)
        log(
            f"Growing to {factor}x: {params['start']:%Y-%m-%d %H:%M} .. "
            f"{params['until']:%Y-%m-%d %H:%M} UTC, seed {seed}"
        )
        conn.execute(RANDOM_FUNCTION)
        disabled, instead = _insert_triggers_off(conn, log)

        customers = _step(conn, log, "customers", _customers, params)
        rentals = _step(conn, log, "rentals", _rentals, params)
        payments = _step(conn, log, "payments", _payments, params)
        shared = growth_holds.plan(conn, {**params, "rentals_added": rentals})
        if shared["hold_rate"] + shared["transfer_rate"] > 1:
            raise GrowthRefused("More holds and transfers than gaps between rentals: lower --factor")
        holds = _step(conn, log, "holds", growth_holds.grow_holds, shared)
        transfers = _step(conn, log, "transfers", growth_holds.grow_transfers, shared)
        conn.execute(SEQUENCES)
        for table, trigger in disabled:
            conn.execute(
                sql.SQL("ALTER TABLE {} ENABLE TRIGGER {}").format(*map(sql.Identifier, (table, trigger)))
            )
        for statement in instead:
            t = time.monotonic()
            conn.execute(statement, params)
            log(f"  {_short(statement)}: {time.monotonic() - t:.1f} s")
        seconds = time.monotonic() - began
        conn.execute(RECORD_TABLE)
        conn.execute(RECORD_COMMENT)
        conn.execute(
            "INSERT INTO pagila_growth (factor, seed, until, customers_added, rentals_added, payments_added,"
            " seconds) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [factor, seed, params["until"], customers, rentals, payments, round(seconds, 1)],
        )
        t = time.monotonic()
        conn.commit()
        log(f"  committed in {time.monotonic() - t:.1f} s")
    _vacuum_analyze(conninfo, log)
    growth = Growth(
        factor,
        seed,
        params["until"],
        customers,
        rentals,
        payments,
        holds,
        transfers,
        time.monotonic() - began,
    )
    added = customers + rentals + payments + holds + transfers
    log(
        f"Grown in {growth.seconds:.1f} s: {customers:,} customers, {rentals:,} rentals, "
        f"{payments:,} payments, {holds:,} holds, {transfers:,} transfers added "
        f"({added / growth.seconds:,.0f} rows/s)"
    )
    return growth


def _refuse_unless_sample(conn: psycopg.Connection, force: bool) -> None:
    if conn.execute("SELECT to_regclass('pagila_growth') IS NOT NULL").fetchone()[0]:
        last = conn.execute(
            "SELECT factor, seed, grown_at FROM pagila_growth ORDER BY grown_at DESC LIMIT 1"
        ).fetchone()
        if last and not force:
            raise GrowthRefused(
                f"This database was grown already ({last[0]}x, seed {last[1]}, on {last[2]:%Y-%m-%d %H:%M}); "
                "--force grows it again"
            )
    counts = {
        name: conn.execute(f"SELECT count(*), coalesce(max({table}_id), 0) FROM {table}").fetchone()  # noqa: S608 - table names are ours
        for name, table in (("customers", "customer"), ("rentals", "rental"), ("payments", "payment"))
    }
    differing = [
        f"{name} {count:,} (max id {top:,}), not {SAMPLE[name][0]:,} ({SAMPLE[name][1]:,})"
        for name, (count, top) in counts.items()
        if (count, top) != SAMPLE[name]
    ]
    if differing and not force:
        raise GrowthRefused(
            f"This database does not hold exactly Pagila's sample history ({'; '.join(differing)}); "
            "--force grows it anyway"
        )


def _parameters(conn: psycopg.Connection, *, factor: int, seed: int, until: datetime | None) -> dict:
    migrated = conn.execute(
        "SELECT to_regclass('payment_default') IS NOT NULL AND to_regprocedure("
        "'rental_fee(timestamptz, timestamptz, integer, numeric, numeric)') IS NOT NULL"
    ).fetchone()[0]
    if not migrated:
        raise GrowthRefused("The rentals migrations are not applied (manage.py migrate first)")
    # The payments go into the DEFAULT partition, detached while they load (_payments): a
    # monthly partition made later by payment_partition_create would be bypassed.
    later = conn.execute(
        "SELECT string_agg(c.relname, ', ') FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'payment'::regclass AND c.relname !~ '^payment_p2022_0[1-7]$'"
        " AND c.relname <> 'payment_default'"
    ).fetchone()[0]
    if later:
        raise GrowthRefused(f"Payment partitions other than Pagila's and the DEFAULT one exist ({later})")
    start, until_default = conn.execute(
        "SELECT max(rental_date), date_trunc('day', now()) FROM rental"
    ).fetchone()
    until = until or until_default
    if (until - start).days < 7:
        raise GrowthRefused(f"--until must be at least a week after the last rental ({start:%Y-%m-%d})")
    row = conn.execute(
        "SELECT max(address_id), (SELECT max(customer_id) FROM customer),"
        " (SELECT max(rental_id) FROM rental), (SELECT max(payment_id) FROM payment),"
        " (SELECT array_agg(DISTINCT store_id) FROM inventory),"
        " (SELECT coalesce(max(hold_id), 0) FROM hold), (SELECT coalesce(max(transfer_id), 0) FROM transfer)"
        " FROM address"
    ).fetchone()
    return {
        "factor": factor,
        "seed": seed,
        "start": start,
        "until": until,
        "address0": row[0],
        "customer0": row[1],
        "rental0": row[2],
        "payment0": row[3],
        "stores": sorted(row[4]),
        "hold0": row[5],
        "transfer0": row[6],
        "customers": round(SAMPLE_CUSTOMERS * (factor - 1) * CUSTOMERS_PER_FACTOR),
        "rentals": SAMPLE_RENTALS * (factor - 1),
    }


def _insert_triggers_off(conn: psycopg.Connection, log: Callable[[str], object]) -> tuple[list, list]:
    """Disables the INSERT triggers REPLACED_TRIGGERS knows; returns them and the statements
    that do their work afterwards. Refuses when payment has one it doesn't know: the payments
    are loaded into a detached partition, where none of payment's triggers would run."""
    triggers = conn.execute(INSERT_TRIGGERS).fetchall()
    unknown = [f"{table}.{name}" for table, name, _per_row in triggers if table.startswith("payment")]
    unknown = [name for name in unknown if tuple(name.split(".")) not in REPLACED_TRIGGERS]
    if unknown:
        raise GrowthRefused(
            f"Payments are loaded past payment's triggers, and what {', '.join(unknown)} would do is unknown"
        )
    disabled, instead = [], []
    for table, name, per_row in triggers:
        replacement = REPLACED_TRIGGERS.get((table, name))
        if replacement is None:
            log(f"  trigger {table}.{name} runs {'for every row' if per_row else 'once per statement'}")
            continue
        if table.startswith("payment"):
            log(f"  trigger {table}.{name} bypassed by the load, then once: {_short(replacement)}")
        else:
            disable = sql.SQL("ALTER TABLE {} DISABLE TRIGGER {}")
            conn.execute(disable.format(sql.Identifier(table), sql.Identifier(name)))
            disabled.append((table, name))
            log(f"  trigger {table}.{name} off for the load, then once: {_short(replacement)}")
        if replacement not in instead:
            instead.append(replacement)
    return disabled, instead


def _short(statement: str) -> str:
    """A statement on one line of a log, cut at 100 characters."""
    return " ".join(statement.split())[:100]


def _step(conn, log, name: str, run: Callable[[psycopg.Connection, dict], int], params: dict) -> int:
    t = time.monotonic()
    added = run(conn, params)
    seconds = time.monotonic() - t
    log(f"  {name}: {added:,} added in {seconds:.1f} s ({added / max(seconds, 1e-6):,.0f} rows/s)")
    return added


def _customers(conn: psycopg.Connection, params: dict) -> int:
    conn.execute(STREETS)
    conn.execute(NAMES, params)
    streets = conn.execute("SELECT count(*) FROM grow_street").fetchone()[0]
    names = conn.execute("SELECT count(*) FROM grow_name").fetchone()[0]
    step = {**params, "n": params["customers"], "streets": streets, "names": names}
    if step["n"]:
        conn.execute(ADDRESSES, step)
        conn.execute(CUSTOMERS, step)
    conn.execute(ACTIVE_CUSTOMERS)
    conn.execute(CUSTOMER_DAYS, params)
    conn.execute("ANALYZE grow_customer, grow_day")
    return step["n"]


def _rentals(conn: psycopg.Connection, params: dict) -> int:
    conn.execute(STAFF)
    conn.execute(COPIES, params)
    conn.execute("ANALYZE grow_staff, grow_copy")
    free_seconds, mean_duration, copies = conn.execute(
        "SELECT sum(extract(epoch FROM %(until)s - t0)), avg(rental_duration), count(*) FROM grow_copy",
        params,
    ).fetchone()
    if not copies:
        raise GrowthRefused("No copy is free to rent (every copy's latest rental is open)")
    # The mean slot (gap + rental) that makes the chains add up to the rentals wanted, and the
    # shrink of ordinary durations that keeps copies out at most OCCUPANCY of the time. A
    # rental lasts rental_duration * (0.99 * shrink * 1.0 + 0.01 * 2.525) days on average.
    slot = float(free_seconds) / params["rentals"]
    days = float(mean_duration) * 86400
    shrink = min(1.0, (OCCUPANCY * slot / days - 0.01 * 2.525) / 0.99)
    if shrink <= 0.05:
        raise GrowthRefused("Too many rentals for the copies and the time: lower --factor")
    gap = slot - days * (0.99 * shrink + 0.01 * 2.525)
    conn.execute(SLOTS, {**params, "slot": slot, "shrink": shrink, "gap": gap})
    # Without statistics on the staging tables the planner guesses a few thousand rows and
    # sorts them all for merge joins; with them it hashes the small tables.
    conn.execute("ANALYZE grow_slot")
    conn.execute(RENTALS, params)
    conn.execute("ANALYZE grow_rental")
    with _bulk_loading(conn, "rental"):
        return conn.execute(INSERT_RENTALS).rowcount


def _payments(conn: psycopg.Connection, params: dict) -> int:
    conn.execute(PAYMENTS, params)
    # A partition's indexes and foreign keys belong to payment's while it is attached: detached,
    # it is a table like rental. Attaching it again adopts the rebuilt ones, checks that its rows
    # belong to no other partition, and keeps its name and its indexes' names.
    conn.execute("ALTER TABLE payment DETACH PARTITION payment_default")
    with _bulk_loading(conn, "payment_default"):
        added = conn.execute(INSERT_PAYMENTS).rowcount
    conn.execute("ALTER TABLE payment ATTACH PARTITION payment_default DEFAULT")
    return added


@contextlib.contextmanager
def _bulk_loading(conn: psycopg.Connection, table: str) -> Iterator[None]:
    """``table`` without its secondary indexes and foreign keys while the block runs; then they
    are built again, under the same names, from their definitions.

    Measured at 100x on this project's 2-core machine: inserting 1.6 million rentals into a
    table keeping its seven indexes and three foreign keys took 131 s, building them afterwards
    about 9 s. Building them also checks the rules again: the unique indexes
    (``rental_one_open_per_inventory`` among them) and every foreign key over all the rows. The
    primary key stays: rows come in its order, and payment's foreign key needs rental's.
    """
    keys = conn.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        [table],
    ).fetchall()
    indexes = conn.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid)"
        " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
        [table],
    ).fetchall()
    for name, _definition in keys:
        drop = sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}")
        conn.execute(drop.format(sql.Identifier(table), sql.Identifier(name)))
    for name, _definition in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    yield
    for _name, definition in indexes:
        conn.execute(definition)
    for name, definition in keys:
        conn.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)
            )
        )


def _vacuum_analyze(conninfo: str, log: Callable[[str], object]) -> None:
    # Fresh rows carry no hint bits and no visibility map: the first reads (a benchmark's) would
    # pay for writing them. VACUUM sets both; ANALYZE gives the planner the grown tables' sizes.
    t = time.monotonic()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SET statement_timeout = 0")
        for table in GROWN_TABLES:
            conn.execute(f"VACUUM (ANALYZE) {table}")
    log(f"  vacuumed and analyzed {', '.join(GROWN_TABLES)} in {time.monotonic() - t:.1f} s")
