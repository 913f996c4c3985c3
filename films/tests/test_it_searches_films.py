"""search: full-text search on Pagila's film.fulltext in web-search syntax, not a substring match."""

import pytest

from films.models import Film

pytestmark = [pytest.mark.django_db, pytest.mark.full_data]


def _search(api_client, text, **params):
    response = api_client.get("/api/v1/films/", {"search": text, **params})
    assert response.status_code == 200
    return response.json()


def test_it_matches_words_by_their_english_stem(api_client):
    # The descriptions say "Scientist"; a substring search for "scientists" finds nothing.
    assert _search(api_client, "scientists")["count"] == 97


def test_it_does_not_match_parts_of_words(api_client):
    assert _search(api_client, "cadem")["count"] == 0


def test_it_searches_titles_too(api_client):
    body = _search(api_client, "goldfinger")
    assert [film["title"] for film in body["results"]] == [
        "ACE GOLDFINGER",
        "BREAKFAST GOLDFINGER",
        "GOLDFINGER SENSIBILITY",
        "SILVERADO GOLDFINGER",
    ]


def test_it_matches_a_quoted_phrase_in_order(api_client):
    assert _search(api_client, '"mad scientist"')["count"] == 97
    assert _search(api_client, '"scientist mad"')["count"] == 0


def test_it_excludes_words_with_a_minus(api_client):
    with_shark = _search(api_client, "scientist shark")["count"]
    without_shark = _search(api_client, "scientist -shark")["count"]
    assert with_shark > 0
    assert without_shark == 97 - with_shark


def test_it_requires_every_word(api_client):
    assert [film["film_id"] for film in _search(api_client, "dinosaur")["results"]] == [1, 131, 231]
    body = _search(api_client, "dinosaur feminist canadian rockies")
    assert [film["film_id"] for film in body["results"]] == [1, 231]
    body = _search(api_client, "dinosaur feminist canadian rockies academy")
    assert [film["film_id"] for film in body["results"]] == [1]


def test_it_finds_a_film_by_a_description_changed_since_pagila_was_loaded(api_client):
    Film.objects.filter(pk=42).update(description="A wombat who must outrun a kangaroo")
    body = _search(api_client, "wombats")
    assert [film["film_id"] for film in body["results"]] == [42]


def test_it_finds_nothing_for_stop_words_alone(api_client):
    assert _search(api_client, "the and a")["count"] == 0


def test_it_takes_unbalanced_syntax_literally_rather_than_failing(api_client):
    assert _search(api_client, '"mad scientist -')["count"] == 97


def test_it_accepts_up_to_16_minus_signs(api_client):
    with_shark = _search(api_client, "scientist shark")["count"]
    assert _search(api_client, "scientist " + "-" * 15 + "shark")["count"] == 97 - with_shark
    assert _search(api_client, "scientist " + "-" * 16 + "shark")["count"] == with_shark


@pytest.mark.parametrize("text", ["-" * 17, " ".join(["-a"] * 17), "scientist " + "-" * 32 + "shark"])
def test_it_answers_more_minus_signs_than_postgresql_can_nest_with_400(api_client, text):
    # From 32 nested NOTs websearch_to_tsquery fails with "tsquery stack too small": a 500.
    response = api_client.get("/api/v1/films/", {"search": text})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input: search: Use at most 16 minus signs.",
        "code": "invalid",
        "errors": {"search": ["Use at most 16 minus signs."]},
    }


def test_it_answers_a_search_longer_than_500_characters_with_400(api_client):
    # Tens of thousands of words would exhaust PostgreSQL's stack: a 500.
    response = api_client.get("/api/v1/films/", {"search": "w " * 250 + "x"})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "search": ["Ensure this value has at most 500 characters (it has 501)."]
    }
