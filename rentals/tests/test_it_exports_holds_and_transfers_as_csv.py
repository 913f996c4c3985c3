"""The hold and transfer changelists export every row their filters match as CSV, scoped like the
list, another store's customer by id alone (no name).

The export reads on a connection of its own, so it sees only committed rows: these tests commit
their holds and transfers (``transaction=True``); the test's flush empties both tables, which are
ours (managed), and no Pagila row is changed."""

import asyncio
import csv
import io

import pytest

from customers.scope import EVERY_STORE
from pagila_site.testsupport.data import sql_all, sql_one
from rentals.holds import hold_place
from rentals.transfers import transfer_send

pytestmark = pytest.mark.django_db(transaction=True)


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"

    async def read():
        return b"".join([part async for part in response])

    return list(csv.reader(io.StringIO(asyncio.run(read()).decode(), newline="")))


def _first_in_stock(store_id: int) -> tuple[int, int]:
    """``(inventory_id, film_id)`` of the store's first copy on its shelf."""
    return sql_one(
        "SELECT inventory_id, film_id FROM inventory i WHERE store_id = %s AND NOT EXISTS ("
        "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL"
        ") ORDER BY inventory_id LIMIT 1",
        [store_id],
    )


def _customers(store_id: int, count: int) -> list[int]:
    rows = sql_all(
        "SELECT customer_id FROM customer WHERE store_id = %s AND active = 1 ORDER BY customer_id LIMIT %s",
        [store_id, count],
    )
    return [row[0] for row in rows]


@pytest.fixture
def holds() -> dict:
    """At store 1, for a film it has two copies of: a hold of each of three store 1 customers (two
    ready, one waiting) and one of a store 2 customer (waiting); at store 2, one of a store 2
    customer."""
    film = sql_one(
        "SELECT film_id FROM inventory i WHERE store_id = 1 GROUP BY film_id HAVING count(*) = 2 "
        "AND NOT EXISTS (SELECT 1 FROM rental r JOIN inventory j USING (inventory_id) "
        "                WHERE j.film_id = i.film_id AND r.return_date IS NULL) "
        "ORDER BY film_id LIMIT 1"
    )[0]
    _other_copy, other_film = _first_in_stock(2)
    ones = _customers(1, 3)
    visitor, outsider = _customers(2, 2)
    made = {
        f"mine_{i}": hold_place(scope=EVERY_STORE, customer_id=c, film_id=film, store_id=1)
        for i, c in enumerate(ones)
    }
    made["visitor"] = hold_place(scope=EVERY_STORE, customer_id=visitor, film_id=film, store_id=1)
    made["theirs"] = hold_place(scope=EVERY_STORE, customer_id=outsider, film_id=other_film, store_id=2)
    return {name: (hold.pk, hold.customer_id) for name, hold in made.items()}


HOLD_HEADER = [
    "hold_id", "created", "status", "position", "customer_id", "customer_first_name", "customer_last_name",
    "film_id", "film_title", "store_id", "inventory_id", "ready_at", "expires_at", "closed_at", "rental_id",
]  # fmt: skip


def test_a_clerks_hold_export_holds_their_stores_rows_and_names_only_their_customers(clerk_admin, holds):
    header, *rows = _rows(clerk_admin.get("/admin/rentals/hold/export-csv/"))
    assert header == HOLD_HEADER
    by_id = {int(row[0]): row for row in rows}
    assert set(by_id) == {hold_id for name, (hold_id, _c) in holds.items() if name != "theirs"}
    visitor_id, visitor = holds["visitor"]
    assert by_id[visitor_id][4:7] == [str(visitor), "", ""]
    mine_id, mine = holds["mine_0"]
    first, last = sql_one("SELECT first_name, last_name FROM customer WHERE customer_id = %s", [mine])
    assert by_id[mine_id][4:7] == [str(mine), first, last]


def test_the_hold_export_is_every_row_the_filters_match(superuser_client, holds):
    header, *rows = _rows(superuser_client.get("/admin/rentals/hold/export-csv/?status=waiting&store_id=1"))
    status, position, store = (header.index(column) for column in ("status", "position", "store_id"))
    expected = sql_one("SELECT count(*) FROM hold WHERE status = 'waiting' AND store_id = 1")[0]
    assert len(rows) == expected > 0
    assert {(row[status], row[store]) for row in rows} == {("waiting", "1")}
    # Newest first, as the list: the last waiting is the furthest in the queue.
    assert [int(row[position]) for row in rows] == list(range(expected, 0, -1))


def test_a_clerks_transfer_export_holds_the_transfers_to_or_from_their_stores(clerk_admin):
    mine, _film = _first_in_stock(1)
    theirs, _film = _first_in_stock(2)
    going = transfer_send(scope=EVERY_STORE, inventory_id=mine, to_store_id=2).pk
    transfer_send(scope=EVERY_STORE, inventory_id=theirs, to_store_id=3)
    header, *rows = _rows(clerk_admin.get("/admin/rentals/transfer/export-csv/?status__exact=in_transit"))
    assert header[:4] == ["transfer_id", "sent_at", "status", "inventory_id"]
    assert [row[:4] for row in rows] == [[str(going), rows[0][1], "in_transit", str(mine)]]
    assert rows[0][header.index("from_store_id")] == "1"
    assert rows[0][header.index("to_store_id")] == "2"
