"""Every payment date has a partition, and every partition has Pagila's keys and indexes.

Pagila partitions ``payment`` by month and ships 2022-01 to 2022-07 only, so an insert dated
today failed ("no partition of relation payment found for row"). This adds:

- ``payment_default``, the DEFAULT partition: any date outside a monthly partition lands there,
  so no payment ever fails for want of one.
- No monthly partitions ahead. A rental's payments are found by ``rental_id``, which says
  nothing about the month, so every such lookup visits every partition: with monthly partitions
  from 2022-08 to 2030-12 (109 in all) a page of a customer's rentals with its payments took
  1.25 ms instead of 0.54 ms, nearly all of it planning. Eight partitions keep that cheap.
- ``payment_partition_create(month)``, for whoever later wants a month in a partition of its own
  (to archive or drop it). PostgreSQL refuses ``CREATE TABLE ... PARTITION OF`` for a range the
  DEFAULT partition holds rows in, so the function moves them: under a lock that holds back
  every use of the DEFAULT partition (payments and balances of its months wait), it copies that month's rows into a new
  table, deletes them from the DEFAULT partition and attaches the table, all in the caller's one
  transaction. It returns an existing partition of that name as it is. Months are UTC months,
  like Pagila's bounds.
- Pagila's per-partition foreign keys (customer, staff, rental) and indexes (customer_id,
  staff_id) lived on 2022-01 to 2022-06 only; 2022-07 had neither. They are now declared on
  ``payment`` itself, so every partition has them, the DEFAULT one and any created later
  included: PostgreSQL adopts a partition's matching index or foreign key instead of building a
  second one, and builds the rest (2022-07's, validated against its rows). ``payment(rental_id)``
  is indexed too: the rentals' ``amount_paid`` looks payments up by it.

Reversing refuses while any payment lies outside Pagila's seven partitions (they would be lost:
archive them first), drops the empty partitions added since, and puts Pagila's own per-partition
keys and indexes back under their names, so the schema is Pagila's again.
"""

from django.db import migrations

PAGILA_MONTHS = [f"2022_{month:02}" for month in range(1, 8)]
# The months whose partitions carried Pagila's keys and indexes (2022-07's had none).
INDEXED_MONTHS = PAGILA_MONTHS[:6]
FOREIGN_KEYS = {"customer_id": "customer", "staff_id": "staff", "rental_id": "rental"}

DEFAULT_PARTITION = "CREATE TABLE payment_default PARTITION OF payment DEFAULT"

FUNCTION = """
CREATE FUNCTION payment_partition_create(month date) RETURNS regclass LANGUAGE plpgsql AS $$
DECLARE
    first_day timestamptz := date_trunc('month', month::timestamp) AT TIME ZONE 'UTC';
    next_first_day timestamptz := (date_trunc('month', month::timestamp) + interval '1 month')
        AT TIME ZONE 'UTC';
    name text := 'payment_p' || to_char(month, 'YYYY_MM');
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN name::regclass;
    END IF;
    -- Holds back every use of the DEFAULT partition (today's payments and balances) until we
    -- commit, so none of the month can land there between the move and the attach. The lock
    -- ATTACH needs is taken now: a weaker one first would let a payment read the partition and
    -- then wait to insert while ATTACH waited for its read to end, a deadlock.
    LOCK TABLE payment_default IN ACCESS EXCLUSIVE MODE;
    EXECUTE format('CREATE TABLE %I (LIKE payment INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
    EXECUTE format(
        'INSERT INTO %I SELECT * FROM payment_default WHERE payment_date >= $1 AND payment_date < $2',
        name
    ) USING first_day, next_first_day;
    DELETE FROM payment_default WHERE payment_date >= first_day AND payment_date < next_first_day;
    -- Attaching builds the partitioned indexes and foreign keys of payment on the new table.
    EXECUTE format(
        'ALTER TABLE payment ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
        name, first_day, next_first_day
    );
    RETURN name::regclass;
END $$
"""

DROP_ADDED_PARTITIONS = """
DO $$
DECLARE
    partition regclass;
BEGIN
    IF EXISTS (SELECT 1 FROM payment WHERE tableoid::regclass::text !~ '^payment_p2022_0[1-7]$') THEN
        RAISE EXCEPTION 'payments dated outside 2022-01..2022-07 exist: archive them before reversing';
    END IF;
    FOR partition IN
        SELECT inhrelid::regclass FROM pg_inherits
        WHERE inhparent = 'payment'::regclass AND inhrelid::regclass::text !~ '^payment_p2022_0[1-7]$'
    LOOP
        EXECUTE format('DROP TABLE %s', partition);
    END LOOP;
END $$
"""


# Pagila's own indexes on 2022-01 to 2022-06, by column (customer_id has two).
PAGILA_INDEXES = {
    "customer_id": ["idx_fk_payment_p{month}_customer_id", "payment_p{month}_customer_id_idx"],
    "staff_id": ["idx_fk_payment_p{month}_staff_id"],
    "rental_id": [],
}


def _index(column: str) -> migrations.RunSQL:
    # Dropping the partitioned index drops the partitions' indexes it adopted (one of Pagila's
    # per partition); those missing are put back under their names.
    restore = [
        f"CREATE INDEX IF NOT EXISTS {name.format(month=month)} ON payment_p{month} ({column})"
        for month in INDEXED_MONTHS
        for name in PAGILA_INDEXES[column]
    ]
    return migrations.RunSQL(
        f"CREATE INDEX payment_{column}_idx ON payment ({column})",
        [f"DROP INDEX payment_{column}_idx", *restore],
    )


def _foreign_key(column: str, table: str) -> migrations.RunSQL:
    # As with the indexes: dropping payment's foreign key drops the ones it adopted from Pagila's
    # partitions, which are then added back as Pagila declared them.
    restore = [
        f"ALTER TABLE ONLY payment_p{month} ADD CONSTRAINT payment_p{month}_{column}_fkey "
        f"FOREIGN KEY ({column}) REFERENCES {table} ({column})"
        for month in INDEXED_MONTHS
    ]
    return migrations.RunSQL(
        f"ALTER TABLE payment ADD CONSTRAINT payment_{column}_fkey FOREIGN KEY ({column}) "
        f"REFERENCES {table} ({column})",
        [f"ALTER TABLE payment DROP CONSTRAINT payment_{column}_fkey", *restore],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rentals", "0005_rental_customer_newest_first"),
    ]

    operations = [
        *[_index(column) for column in PAGILA_INDEXES],
        *[_foreign_key(column, table) for column, table in FOREIGN_KEYS.items()],
        migrations.RunSQL(DEFAULT_PARTITION, DROP_ADDED_PARTITIONS),
        migrations.RunSQL(FUNCTION, "DROP FUNCTION payment_partition_create(date)"),
    ]
