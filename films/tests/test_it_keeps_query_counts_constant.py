"""Every films endpoint runs a fixed number of queries, however many rows a page holds.

A baseline per endpoint (``query_counts.json``): a serializer field that starts querying per row
(a missing select_related, a category looked up film by film) changes the count at page_size 100.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = [pytest.mark.django_db, pytest.mark.full_data]

ENDPOINTS = {
    "films": ("/api/v1/films/", {}),
    "films-filtered": ("/api/v1/films/", {"ordering": "-length", "rating": "PG", "search": "drama"}),
    # The category name is validated first, so an unknown one is a 400.
    "films-by-category": ("/api/v1/films/", {"category": "action"}),
    "categories": ("/api/v1/categories/", {}),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS.values(), ids=ENDPOINTS.keys())
def test_it_runs_the_same_queries_for_any_page_size(api_client, query_baseline, endpoint):
    path, params = endpoint
    counts = []
    for page_size in (1, 100):
        with CaptureQueriesContext(connection) as captured:
            response = api_client.get(path, {**params, "page_size": page_size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(page_size, response.json()["count"])
        counts.append(len(captured))
    assert counts[0] == counts[1], f"{counts[0]} queries for 1 row, {counts[1]} for 100"
    query_baseline(counts[1])


@pytest.mark.parametrize("film_id", [50, 508])  # one actor, fifteen
def test_it_shows_a_film_in_one_query_however_large_its_cast(api_client, django_assert_num_queries, film_id):
    # The film with its categories, actors and copies.
    with django_assert_num_queries(1):
        response = api_client.get(f"/api/v1/films/{film_id}/")
    assert response.status_code == 200
