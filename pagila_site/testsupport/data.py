"""Pagila's rows as the tests read them: plain SQL helpers, and rows the tests know by heart.

Plain SQL on purpose: the expectations must not come from the querysets under test.
"""

from django.db import connection

# Film 1 as the film list shows it (the detail adds actors and copies).
ACADEMY_DINOSAUR = {
    "film_id": 1,
    "title": "ACADEMY DINOSAUR",
    "description": (
        "A Epic Drama of a Feminist And a Mad Scientist who must Battle a Teacher in The Canadian Rockies"
    ),
    "release_year": 2012,
    "language": "English",
    "rating": "PG",
    "length": 86,
    "rental_duration": 6,
    "rental_rate": "0.99",
    "replacement_cost": "20.99",
    "special_features": ["Deleted Scenes", "Behind the Scenes"],
    "categories": ["Games", "New", "Travel"],
    "streaming_available": False,
}


def sql_one(query: str, params=()):
    """The first row of ``query``, on the test's own connection."""
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()


def sql_all(query: str, params=()) -> list[tuple]:
    """Every row of ``query``, on the test's own connection."""
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def db_clock():
    """The database's clock now (``statement_timestamp()``, which the services' Now() is)."""
    return sql_one("SELECT statement_timestamp()")[0]


def film_of(inventory_id: int) -> dict:
    """The film of copy ``inventory_id``: the columns rentals charge by."""
    film_id, title, duration, rate, replacement = sql_one(
        "SELECT f.film_id, f.title, f.rental_duration, f.rental_rate, f.replacement_cost "
        "FROM inventory i JOIN film f USING (film_id) WHERE i.inventory_id = %s",
        [inventory_id],
    )
    return {
        "film_id": film_id,
        "title": title,
        "rental_duration": duration,
        "rental_rate": rate,
        "replacement_cost": replacement,
    }
