"""Every films endpoint runs a fixed number of queries, however many rows a page holds.

A baseline per endpoint: a serializer field that starts querying per row (a missing
select_related, a category looked up film by film) changes the count at page_size 100.
"""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.full_data]

# (path, query parameters) -> queries: the count and the page (one query for a filtered list,
# FilteredByOneQueryPagination), plus what a filter must look up.
BASELINES = {
    ("/api/v1/films/", ()): 2,
    ("/api/v1/films/", (("ordering", "-length"), ("rating", "PG"), ("search", "drama"))): 1,
    # The category name is validated first, so an unknown one is a 400.
    ("/api/v1/films/", (("category", "action"),)): 2,
    ("/api/v1/categories/", ()): 2,
}


@pytest.mark.parametrize(
    ("endpoint", "queries"),
    BASELINES.items(),
    ids=["films", "films-filtered", "films-by-category", "categories"],
)
@pytest.mark.parametrize("page_size", [1, 100])
def test_it_runs_the_same_queries_for_any_page_size(
    api_client, django_assert_num_queries, endpoint, queries, page_size
):
    path, params = endpoint
    with django_assert_num_queries(queries):
        response = api_client.get(path, {**dict(params), "page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(page_size, response.json()["count"])


@pytest.mark.parametrize("film_id", [50, 508])  # one actor, fifteen
def test_it_shows_a_film_in_one_query_however_large_its_cast(api_client, django_assert_num_queries, film_id):
    # The film with its categories, actors and copies.
    with django_assert_num_queries(1):
        response = api_client.get(f"/api/v1/films/{film_id}/")
    assert response.status_code == 200
