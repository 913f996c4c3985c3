"""The film list's filters: each one alone, combined, and a 400 naming any bad value."""

import pytest

from films.models import Film

pytestmark = [pytest.mark.django_db, pytest.mark.full_data]


def _all(api_client, **params):
    """Every film of a filtered list (page_size 100 is enough for these filters)."""
    response = api_client.get("/api/v1/films/", {**params, "page_size": 100})
    assert response.status_code == 200, response.json()
    return response.json()


def _film_ids(api_client, **params):
    body = _all(api_client, **params)
    assert body["next"] is None
    return [film["film_id"] for film in body["results"]]


@pytest.mark.parametrize("name", ["Action", "action", "ACTION"])
def test_it_filters_by_category_name_in_any_case(api_client, name):
    response = api_client.get("/api/v1/films/", {"category": name})
    assert response.status_code == 200
    assert response.json()["count"] == 149


def test_it_lists_a_film_of_several_categories_once(api_client):
    # Every Action film has two more categories: a join would list each one three times.
    ids = []
    for page in (1, 2):
        results = api_client.get("/api/v1/films/", {"category": "Action", "page_size": 100, "page": page})
        ids += [film["film_id"] for film in results.json()["results"]]
    assert len(ids) == 149
    assert len(set(ids)) == 149


def test_it_shows_all_categories_of_a_film_found_by_one_of_them(api_client):
    body = _all(api_client, category="sci-fi", title="ace goldfinger")
    assert [film["categories"] for film in body["results"]] == [["Action", "New", "Sci-Fi"]]


def test_it_answers_an_unknown_category_with_400(api_client):
    response = api_client.get("/api/v1/films/", {"category": "Westerns"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input: category: No category is called Westerns.",
        "code": "invalid",
        "errors": {"category": ["No category is called Westerns."]},
    }


@pytest.mark.parametrize(
    ("rating", "count"), [("G", 178), ("PG", 194), ("PG-13", 223), ("R", 195), ("NC-17", 210)]
)
def test_it_filters_by_rating(api_client, rating, count):
    response = api_client.get("/api/v1/films/", {"rating": rating})
    assert response.status_code == 200
    assert response.json()["count"] == count
    assert {film["rating"] for film in response.json()["results"]} == {rating}


@pytest.mark.parametrize("rating", ["X", "pg", "PG13", ""])
def test_it_answers_an_unknown_rating_with_400_unless_empty(api_client, rating):
    response = api_client.get("/api/v1/films/", {"rating": rating})
    if rating == "":
        assert response.status_code == 200
        return
    assert response.status_code == 400
    message = f"Select a valid choice. {rating} is not one of the available choices."
    assert response.json() == {
        "detail": f"Invalid input: rating: {message}",
        "code": "invalid",
        "errors": {"rating": [message]},
    }


def test_it_filters_by_streaming_availability(api_client):
    Film.objects.filter(pk__in=[3, 5]).update(streaming_available=True)
    assert _film_ids(api_client, streaming_available="true") == [3, 5]
    assert api_client.get("/api/v1/films/", {"streaming_available": "false"}).json()["count"] == 998


@pytest.mark.parametrize("value", ["maybe", "yes", "1", "tru"])
def test_it_answers_a_non_boolean_streaming_value_with_400(api_client, value):
    response = api_client.get("/api/v1/films/", {"streaming_available": value})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input: streaming_available: Must be true or false.",
        "code": "invalid",
        "errors": {"streaming_available": ["Must be true or false."]},
    }


def test_it_filters_by_release_year(api_client):
    body = _all(api_client, release_year=2006)
    assert body["count"] == 60
    assert {film["release_year"] for film in body["results"]} == {2006}


def test_it_finds_no_film_for_a_year_without_any(api_client):
    response = api_client.get("/api/v1/films/", {"release_year": 1901})
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("twenty", "Enter a whole number."),
        ("2006.5", "Enter a whole number."),
        ("2147483648", "Ensure this value is less than or equal to 2147483647."),
        ("-2147483649", "Ensure this value is greater than or equal to -2147483648."),
        ("9" * 5000, "Enter a whole number."),
    ],
)
def test_it_answers_a_release_year_that_is_no_integer_with_400(api_client, value, message):
    response = api_client.get("/api/v1/films/", {"release_year": value})
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Invalid input: release_year: {message}",
        "code": "invalid",
        "errors": {"release_year": [message]},
    }


def test_it_filters_by_a_case_insensitive_title_substring(api_client):
    assert _film_ids(api_client, title="dinoSAUR") == [1, 131, 231]


def test_it_treats_like_wildcards_in_a_title_literally(api_client):
    assert _film_ids(api_client, title="%") == []


def test_it_answers_a_nul_character_with_400_not_a_database_error(api_client):
    response = api_client.get("/api/v1/films/", {"title": "a\x00b"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"title": ["Null characters are not allowed."]}


def test_it_combines_filters(api_client):
    body = _all(api_client, category="games", rating="PG", search="scientists -dinosaur")
    assert [(film["film_id"], film["title"]) for film in body["results"]] == [(547, "MAGIC MALLRATS")]


def test_it_names_every_invalid_parameter(api_client):
    response = api_client.get(
        "/api/v1/films/",
        {"rating": "X", "streaming_available": "maybe", "release_year": "y", "ordering": "z"},
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"rating", "streaming_available", "release_year", "ordering"}
