"""film_availability counts each store's copies and those in stock as Pagila's inventory_in_stock() does."""

import json

import pytest
from django.db import connection

from pagila_site.testsupport.fake_openai import Reply

pytestmark = pytest.mark.django_db

IN_STOCK = """
    SELECT store_id, count(*), count(*) FILTER (WHERE inventory_in_stock(inventory_id))
    FROM inventory WHERE film_id = %s GROUP BY store_id ORDER BY store_id
"""


def _pagila_counts(film_id):
    with connection.cursor() as cursor:
        cursor.execute(IN_STOCK, [film_id])
        return [{"store_id": s, "copies": c, "in_stock": i} for s, c, i in cursor.fetchall()]


# ACADEMY DINOSAUR has a copy out at store 2, 789 and 861 two copies out; 14 has no copies at all.
@pytest.mark.parametrize("film_id", [1, 789, 861, 14])
def test_it_reports_the_true_in_stock_count_per_store(client, llm, film_id):
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
    assert reported["stores"] == _pagila_counts(film_id)


def test_academy_dinosaur_has_one_copy_out_at_store_two(client, llm):
    assert _pagila_counts(1) == [
        {"store_id": 1, "copies": 4, "in_stock": 4},
        {"store_id": 2, "copies": 4, "in_stock": 3},
    ]
