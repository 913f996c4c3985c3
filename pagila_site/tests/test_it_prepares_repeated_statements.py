"""A connection prepares a statement it runs again and again (DATABASE_PREPARE_THRESHOLD, psycopg's
threshold of 5 by default), so PostgreSQL plans our hot queries once per connection, not per request."""

import pytest
from django.db import connection

from films.models import Film

pytestmark = pytest.mark.django_db


def _prepared_film_lookups() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ['%FROM "film"%']
        )
        return cursor.fetchone()[0]


def test_it_prepares_a_query_from_its_sixth_run():
    before = _prepared_film_lookups()
    for film_id in range(1, 5):
        Film.objects.filter(pk=film_id).first()
    assert _prepared_film_lookups() == before, "prepared before the threshold"

    for film_id in range(5, 8):
        Film.objects.filter(pk=film_id).first()
    assert _prepared_film_lookups() == before + 1, "the same SQL with other parameters is one statement"
