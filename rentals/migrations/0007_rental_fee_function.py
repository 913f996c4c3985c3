"""Pagila's fee rule as one SQL function, ``rental_fee(...)``, that the rentals' annotations call.

The rule (the film's rental rate, plus $1.00 per whole day between due date and return, plus
the replacement cost when the rental lasted more than twice rental_duration days) was a dozen
Django expressions, compiled again for every request that lists or shows a rental, twice per
query (``amount_due`` and ``balance``): a quarter of a rental detail's Python. As a function it
is one call to compile, and one definition of the rule for anything reading the database
(reports, ``psql``). A single-SELECT SQL function is inlined by the planner: it costs nothing
to run. STABLE, not IMMUTABLE: adding days to a timestamptz depends on the session's time zone.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION rental_fee(
    rental_date timestamptz, returned_at timestamptz, rental_duration integer,
    rental_rate numeric, replacement_cost numeric
) RETURNS numeric LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT rental_rate
        + greatest(0, extract(day FROM returned_at - (rental_date + make_interval(days => rental_duration))))
        + CASE WHEN returned_at - rental_date > make_interval(days => rental_duration * 2)
               THEN replacement_cost ELSE 0.00 END
$$
"""
DROP = "DROP FUNCTION rental_fee(timestamptz, timestamptz, integer, numeric, numeric)"


class Migration(migrations.Migration):
    dependencies = [
        ("rentals", "0006_payment_partitions"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
