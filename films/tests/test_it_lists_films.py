"""GET /api/v1/films/: the contract's film objects, paginated, in film_id order, for anyone."""

import pytest

from pagila_site.testsupport.data import ACADEMY_DINOSAUR

pytestmark = [pytest.mark.django_db, pytest.mark.full_data]


def test_it_lists_the_first_page_of_films_in_film_id_order(api_client):
    response = api_client.get("/api/v1/films/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1000
    assert body["previous"] is None
    assert body["next"] == "http://testserver/api/v1/films/?page=2"
    assert [film["film_id"] for film in body["results"]] == list(range(1, 21))


def test_it_shows_each_film_as_the_contract_lists_it(api_client):
    response = api_client.get("/api/v1/films/", {"page_size": 1})
    assert response.status_code == 200
    assert response.json()["results"] == [ACADEMY_DINOSAUR]


def test_it_names_the_language_without_padding_and_money_with_two_decimals(api_client):
    response = api_client.get("/api/v1/films/", {"page": 14, "page_size": 1})
    film = response.json()["results"][0]
    assert (film["film_id"], film["language"], film["rental_rate"], film["replacement_cost"]) == (
        14,
        "Mandarin",
        "0.99",
        "23.99",
    )


def test_it_answers_without_the_trailing_slash_too(api_client):
    response = api_client.get("/api/v1/films", {"page": 1000, "page_size": 1})
    assert response.status_code == 200
    assert [film["title"] for film in response.json()["results"]] == ["ZORRO ARK"]


def test_it_answers_a_page_past_the_end_with_404(api_client):
    response = api_client.get("/api/v1/films/", {"page": 51})
    assert response.status_code == 404
    assert response.json() == {"detail": "Page 51 does not exist.", "code": "not_found"}


def test_it_answers_a_huge_page_number_with_404(api_client):
    response = api_client.get("/api/v1/films/", {"page": 9999999999})
    assert response.status_code == 404
    assert response.json() == {"detail": "Page 9999999999 does not exist.", "code": "not_found"}


def test_it_answers_a_page_number_longer_than_any_integer_with_404(api_client):
    # Still a positive integer, as the schema says: past the end, not malformed.
    page = "296040632900272352945945916211200"
    response = api_client.get("/api/v1/films/", {"page": page})
    assert response.status_code == 404
    assert response.json() == {"detail": f"Page {page} does not exist.", "code": "not_found"}


def test_it_reads_a_page_number_with_leading_zeros(api_client):
    response = api_client.get("/api/v1/films/", {"page": "000000000002", "page_size": 1})
    assert response.status_code == 200
    assert [film["film_id"] for film in response.json()["results"]] == [2]


@pytest.mark.parametrize("page", ["0", "000", "-1", "1.5", "abc", "\u0662"])
def test_it_answers_a_page_that_is_not_a_positive_integer_with_400(api_client, page):
    response = api_client.get("/api/v1/films/", {"page": page})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input: page: A positive integer is required.",
        "code": "invalid",
        "errors": {"page": ["A positive integer is required."]},
    }


def test_it_refuses_to_create_films(auth_client):
    response = auth_client.post("/api/v1/films/", {"title": "NEW"}, format="json")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "POST" not allowed.', "code": "method_not_allowed"}
