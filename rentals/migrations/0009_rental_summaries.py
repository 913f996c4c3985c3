"""The dashboard's summaries (``rentals/summaries.py``): two tables, kept current by statement
triggers on ``rental`` and ``payment``, and filled from the history by this migration.

Each trigger reads what its statement changed from the statement's transition tables and adds
it to the summaries in one grouped ``INSERT ... ON CONFLICT DO UPDATE`` per table, its rows in
key order (so two writers lock summary rows in the same order): a million rentals inserted by
one statement are one pass over them, a single rental two one-row upserts. PostgreSQL allows
transition tables on triggers of one event only, hence three triggers per table. An update
that leaves every key as it was (a return sets ``return_date``; keys are a rental's date, copy
and customer, a payment's rental, customer and amount) stops at one comparison of its two
transition tables.

``rental_summaries_rebuild()`` empties the tables and sums the whole history again, holding back
writers of ``rental`` and ``payment`` meanwhile: the backfill here, and the repair after
anything that bypassed the triggers (``TRUNCATE``, triggers disabled). At 100 times Pagila's
history it takes a few seconds.
"""

# ruff: noqa: S608
# (S608: the SQL is put together from this module's own constants, never from input.)

import django.db.models.deletion
from django.db import migrations, models

DAY = "rentals_day_summary"
FILM = "rentals_film_summary"


def _day_deltas(changes: str) -> str:
    """One statement adding ``changes`` (rows of ``rental_date, inventory_id, customer_id, n``,
    ``n`` 1 for a rental counted, -1 for one taken back) to the day summary."""
    return f"""
    INSERT INTO {DAY} AS s (day, copy_store_id, customer_store_id, rentals)
    SELECT (c.rental_date AT TIME ZONE 'UTC')::date, i.store_id, u.store_id, sum(c.n)
    FROM ({changes}) c
    JOIN inventory i ON i.inventory_id = c.inventory_id
    JOIN customer u ON u.customer_id = c.customer_id
    GROUP BY 1, 2, 3 HAVING sum(c.n) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (day, copy_store_id, customer_store_id) DO UPDATE SET rentals = s.rentals + EXCLUDED.rentals;
    """


def _film_deltas(changes: str) -> str:
    """One statement adding ``changes`` (rows of ``inventory_id, customer_id, payer_id, rentals,
    payments, revenue``: the rental's copy and customer, the payment's customer, and what to add)
    to the film summary."""
    return f"""
    INSERT INTO {FILM} AS s (film_id, copy_store_id, customer_store_id, payer_store_id, rentals, payments, revenue)
    SELECT i.film_id, i.store_id, u.store_id, payer.store_id, sum(c.rentals), sum(c.payments), sum(c.revenue)
    FROM ({changes}) c
    JOIN inventory i ON i.inventory_id = c.inventory_id
    JOIN customer u ON u.customer_id = c.customer_id
    JOIN customer payer ON payer.customer_id = c.payer_id
    GROUP BY 1, 2, 3, 4 HAVING sum(c.rentals) <> 0 OR sum(c.payments) <> 0 OR sum(c.revenue) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (film_id, copy_store_id, customer_store_id, payer_store_id) DO UPDATE SET
        rentals = s.rentals + EXCLUDED.rentals,
        payments = s.payments + EXCLUDED.payments,
        revenue = s.revenue + EXCLUDED.revenue;
    """


def _rentals(rows: str, n: int) -> tuple[str, str]:
    """What the rentals of ``rows`` (a table of rental rows) add, ``n`` times, to each summary."""
    return (
        f"SELECT rental_date, inventory_id, customer_id, {n} AS n FROM {rows}",
        f"SELECT inventory_id, customer_id, customer_id AS payer_id, {n} AS rentals, 0 AS payments, "
        f"0 AS revenue FROM {rows}",
    )


def _payments_of_rentals(rows: str, n: int) -> str:
    """The payments of the rentals of ``rows``, as they count ``n`` times for those rentals."""
    return (
        f"SELECT r.inventory_id, r.customer_id, p.customer_id, 0, {n}, {n} * p.amount "
        f"FROM {rows} r JOIN payment p ON p.rental_id = r.rental_id"
    )


def _payments(rows: str, n: int) -> str:
    """What the payments of ``rows`` (a table of payment rows) add, ``n`` times, to the film
    summary, under their rentals' copies and customers."""
    return (
        f"SELECT r.inventory_id, r.customer_id, p.customer_id AS payer_id, 0 AS rentals, {n} AS payments, "
        f"{n} * p.amount AS revenue FROM {rows} p JOIN rental r ON r.rental_id = p.rental_id"
    )


def _unchanged(key: str, old: str, new: str) -> str:
    # An UPDATE's two transition tables hold as many rows: with the same keys, nothing changes.
    return f"IF NOT EXISTS (SELECT {key} FROM {new} EXCEPT ALL SELECT {key} FROM {old}) THEN RETURN NULL; END IF;"


def _rental_function_body(event: str) -> str:
    if event == "INSERT":
        day, film = _rentals("new_rentals", 1)
        return _day_deltas(day) + _film_deltas(film)
    if event == "DELETE":  # a rental's payments went first (payment_rental_id_fkey)
        day, film = _rentals("old_rentals", -1)
        return _day_deltas(day) + _film_deltas(film)
    old_day, old_film = _rentals("old_rentals", -1)
    new_day, new_film = _rentals("new_rentals", 1)
    # A rental given another copy or customer takes its payments along.
    moved = f"{_payments_of_rentals('old_rentals', -1)} UNION ALL {_payments_of_rentals('new_rentals', 1)}"
    return (
        _unchanged("rental_date, inventory_id, customer_id", "old_rentals", "new_rentals")
        + _day_deltas(f"{old_day} UNION ALL {new_day}")
        + _film_deltas(f"{old_film} UNION ALL {new_film} UNION ALL {moved}")
    )


def _payment_function_body(event: str) -> str:
    if event == "INSERT":
        return _film_deltas(_payments("new_payments", 1))
    if event == "DELETE":
        return _film_deltas(_payments("old_payments", -1))
    return _unchanged("rental_id, customer_id, amount", "old_payments", "new_payments") + _film_deltas(
        f"{_payments('old_payments', -1)} UNION ALL {_payments('new_payments', 1)}"
    )


TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_{rows}",
    "UPDATE": "REFERENCING OLD TABLE AS old_{rows} NEW TABLE AS new_{rows}",
    "DELETE": "REFERENCING OLD TABLE AS old_{rows}",
}


def _summarised(table: str, rows: str, body) -> list[migrations.RunSQL]:
    """``table``'s three triggers, each running its own function."""
    operations = []
    for event, referencing in TRANSITIONS.items():
        name = f"{table}_summaries_{event.lower()}"
        operations += [
            migrations.RunSQL(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body(event)}\n"
                "RETURN NULL;\nEND $$;",
                f"DROP FUNCTION {name}();",
            ),
            migrations.RunSQL(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} {referencing.format(rows=rows)} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}();",
                f"DROP TRIGGER {name} ON {table};",
            ),
        ]
    return operations


_HISTORY_DAY, _HISTORY_FILM = _rentals("rental", 1)
REBUILD = f"""
CREATE FUNCTION rental_summaries_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE rental, payment IN SHARE MODE;
    TRUNCATE {DAY}, {FILM};
    {_day_deltas(_HISTORY_DAY)}
    {_film_deltas(f"{_HISTORY_FILM} UNION ALL {_payments('payment', 1)}")}
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0003_catalogue_change_notifications"),
        ("rentals", "0008_rental_newest_first"),
    ]

    operations = [
        migrations.CreateModel(
            name="DaySummary",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "day",
                        "copy_store_id",
                        "customer_store_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("day", models.DateField()),
                ("copy_store_id", models.IntegerField()),
                ("customer_store_id", models.IntegerField()),
                ("rentals", models.IntegerField(db_default=0)),
            ],
            options={"db_table": DAY},
        ),
        migrations.CreateModel(
            name="FilmSummary",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "film",
                        "copy_store_id",
                        "customer_store_id",
                        "payer_store_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("copy_store_id", models.IntegerField()),
                ("customer_store_id", models.IntegerField()),
                ("payer_store_id", models.IntegerField()),
                ("rentals", models.BigIntegerField(db_default=0)),
                ("payments", models.BigIntegerField(db_default=0)),
                ("revenue", models.DecimalField(db_default=0, decimal_places=2, max_digits=14)),
                (
                    "film",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="films.film",
                    ),
                ),
            ],
            options={"db_table": FILM},
        ),
        migrations.RunSQL(REBUILD, "DROP FUNCTION rental_summaries_rebuild();"),
        # Before the triggers, in this migration's transaction: a rental or payment written
        # meanwhile waits for the rebuild's lock, then counts once, by its trigger.
        migrations.RunSQL("SELECT rental_summaries_rebuild();", migrations.RunSQL.noop),
        *_summarised("rental", "rentals", _rental_function_body),
        *_summarised("payment", "payments", _payment_function_body),
    ]
