"""A copy's condition, a rental whose copy was lost, and the permission to rent past a block.

- ``inventory.condition`` (``good``, ``damaged``, ``lost``, ``withdrawn``; default ``good``): a
  column on Pagila's own table rather than a one-to-one table of ours. Every question about a
  copy's stock (``InventoryQuerySet.in_stock``: film details, the counter, holds, the AI) then
  reads one row it reads already, where a table beside it would add a join or an EXISTS to each;
  the change log's trigger on ``inventory`` records each change with its note, as it does the
  copy's store; and adding a column with a constant default is instant (PostgreSQL 11+: no
  table rewrite), its CHECK read once. Pagila's own functions (``inventory_in_stock``) ignore it.
- ``rental.lost``: the copy was marked lost while out on this rental. ``rental_fee`` gains a
  sixth argument: a lost copy's rental owes the replacement cost whenever it was returned (the
  five-argument form stays, for what calls it so).
- ``Rental.Meta.permissions``: ``override_block`` (the ``Manager`` group has it);
  ``Inventory.Meta.permissions``: ``set_copy_condition`` (the ``Clerk`` group's).
"""

from django.db import migrations

FEE = """
CREATE FUNCTION rental_fee(
    rental_date timestamptz, returned_at timestamptz, rental_duration integer,
    rental_rate numeric, replacement_cost numeric, lost boolean
) RETURNS numeric LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT rental_rate
        + greatest(0, extract(day FROM returned_at - (rental_date + make_interval(days => rental_duration))))
        + CASE WHEN lost OR returned_at - rental_date > make_interval(days => rental_duration * 2)
               THEN replacement_cost ELSE 0.00 END
$$
"""


class Migration(migrations.Migration):
    dependencies = [
        ("rentals", "0013_hold_transfer_copy_notifications"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE inventory ADD COLUMN condition text NOT NULL DEFAULT 'good' "
            "CONSTRAINT inventory_condition_known CHECK (condition IN ('good', 'damaged', 'lost', 'withdrawn'))",
            "ALTER TABLE inventory DROP COLUMN condition",
        ),
        migrations.RunSQL(
            "ALTER TABLE rental ADD COLUMN lost boolean NOT NULL DEFAULT false",
            "ALTER TABLE rental DROP COLUMN lost",
        ),
        migrations.RunSQL(
            FEE, "DROP FUNCTION rental_fee(timestamptz, timestamptz, integer, numeric, numeric, boolean)"
        ),
        migrations.AlterModelOptions(
            name="inventory",
            options={
                "managed": False,
                "ordering": ["inventory_id"],
                "verbose_name_plural": "inventory",
                "permissions": [("set_copy_condition", "Can mark a copy damaged, lost, withdrawn or good")],
            },
        ),
        migrations.AlterModelOptions(
            name="rental",
            options={
                "managed": False,
                "ordering": ["-rental_date", "-rental_id"],
                "permissions": [("override_block", "Can rent to a blocked customer, giving a reason")],
            },
        ),
    ]
