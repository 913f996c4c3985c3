"""GET /api/v1/categories/: every category with its number of films, by name, paginated."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.full_data]


def test_it_lists_categories_by_name_with_their_film_counts(api_client):
    response = api_client.get("/api/v1/categories/", {"page_size": 3})
    assert response.status_code == 200
    assert response.json() == {
        "count": 16,
        "next": "http://testserver/api/v1/categories/?page=2&page_size=3",
        "previous": None,
        "results": [
            {"category_id": 1, "name": "Action", "film_count": 149},
            {"category_id": 2, "name": "Animation", "film_count": 148},
            {"category_id": 3, "name": "Children", "film_count": 150},
        ],
    }


def test_it_counts_every_film_category_link(api_client):
    response = api_client.get("/api/v1/categories")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [category["name"] for category in results] == sorted(category["name"] for category in results)
    assert sum(category["film_count"] for category in results) == 2367


def test_it_answers_a_page_past_the_end_with_404(api_client):
    response = api_client.get("/api/v1/categories/", {"page": 2})
    assert response.status_code == 404
    assert response.json() == {"detail": "Page 2 does not exist.", "code": "not_found"}


def test_it_refuses_writes(auth_client):
    response = auth_client.post("/api/v1/categories/", {"name": "Westerns"}, format="json")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "POST" not allowed.', "code": "method_not_allowed"}
