"""search_films puts films whose title matches before those that only mention the words."""

import json

import pytest
from django.db import connection

from ai import tools
from customers.scope import EVERY_STORE
from pagila_site.testsupport.data import sql_one

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("word", ["ESCAPE", "PARK", "AGENT", "FINDING"])
def test_every_film_titled_with_the_word_is_found(word):
    titled = sql_one(
        "SELECT array_agg(film_id ORDER BY film_id) FROM film WHERE title ILIKE %s", [f"%{word}%"]
    )[0]
    assert len(titled) < tools.MAX_FILMS
    found = [
        film["film_id"]
        for film in json.loads(tools.run("search_films", json.dumps({"query": word}), EVERY_STORE))
    ]
    assert sorted(found[: len(titled)]) == titled


@pytest.mark.django_db(transaction=True)
def test_a_tool_gives_its_connection_back_when_it_is_done():
    """Outside a transaction (as in a request), so a slow answer streaming after its tools
    holds no connection of the pool."""
    tools.run("get_film", '{"film_id": 1}', EVERY_STORE)
    assert connection.connection is None
