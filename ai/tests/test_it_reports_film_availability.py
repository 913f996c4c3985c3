"""film_availability counts each store's copies and those in stock as Pagila's inventory_in_stock() does,
leaving out, and counting apart, copies set aside for a hold and copies in transit."""

import json

import pytest
from django.db import connection

from customers.scope import EVERY_STORE
from pagila_site.testsupport.fake_openai import Reply
from rentals.holds import hold_place
from rentals.transfers import transfer_send

pytestmark = pytest.mark.django_db

IN_STOCK = """
    SELECT store_id, count(*), count(*) FILTER (WHERE inventory_in_stock(inventory_id))
    FROM inventory WHERE film_id = %s GROUP BY store_id ORDER BY store_id
"""


def _pagila_counts(film_id):
    with connection.cursor() as cursor:
        cursor.execute(IN_STOCK, [film_id])
        return [
            {"store_id": s, "copies": c, "in_stock": i, "set_aside": 0, "in_transit": 0}
            for s, c, i in cursor.fetchall()
        ]


def _reported(client, llm, film_id):
    llm.script(
        Reply(chunks=[], tool_calls=[("film_availability", {"film_id": film_id})]),
        Reply(echo_tools="In stock: "),
    )

    response = client.post(
        "/api/v1/ai/handoff",
        {"question": "How many copies are in stock at store 2?"},
        content_type="application/json",
    )

    answer = response.json()["answer"]
    assert answer.startswith("In stock: ")
    reported = json.loads(answer.removeprefix("In stock: "))
    assert reported["film_id"] == film_id
    return reported["stores"]


# ACADEMY DINOSAUR has a copy out at store 2, 789 and 861 two copies out; 14 has no copies at all.
@pytest.mark.parametrize("film_id", [1, 789, 861, 14])
def test_it_reports_the_true_in_stock_count_per_store(client, llm, film_id):
    assert _reported(client, llm, film_id) == _pagila_counts(film_id)


def test_academy_dinosaur_has_one_copy_out_at_store_two(client, llm):
    assert _pagila_counts(1) == [
        {"store_id": 1, "copies": 4, "in_stock": 4, "set_aside": 0, "in_transit": 0},
        {"store_id": 2, "copies": 4, "in_stock": 3, "set_aside": 0, "in_transit": 0},
    ]


def test_it_leaves_copies_set_aside_or_in_transit_out_of_in_stock(client, llm):
    # ACADEMY DINOSAUR's copies 1 to 4 are store 1's, all on the shelf: Mary's hold is ready at once
    # with the first, and the second is sent to store 2. Pagila's inventory_in_stock() knows
    # neither hold nor transfer: by it, all four are still in stock.
    held = hold_place(scope=EVERY_STORE, customer_id=1, film_id=1, store_id=1)
    transfer_send(scope=EVERY_STORE, inventory_id=2, to_store_id=2)
    assert (held.status, held.inventory_id) == ("ready", 1)
    assert _pagila_counts(1)[0]["in_stock"] == 4

    assert _reported(client, llm, 1) == [
        {"store_id": 1, "copies": 4, "in_stock": 2, "set_aside": 1, "in_transit": 1},
        {"store_id": 2, "copies": 4, "in_stock": 3, "set_aside": 0, "in_transit": 0},
    ]
