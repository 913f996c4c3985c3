"""ordering: film_id by default, the contract's keys either way, ties broken by film_id."""

import itertools
from decimal import Decimal

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.full_data]


def _first(api_client, ordering, count=5):
    response = api_client.get("/api/v1/films/", {"ordering": ordering, "page_size": count})
    assert response.status_code == 200
    return [(film["film_id"], film[ordering.lstrip("-")]) for film in response.json()["results"]]


def test_it_orders_by_film_id_descending(api_client):
    assert _first(api_client, "-film_id", 2) == [(1000, 1000), (999, 999)]


def test_it_orders_by_title(api_client):
    assert _first(api_client, "title", 2) == [(1, "ACADEMY DINOSAUR"), (2, "ACE GOLDFINGER")]
    assert _first(api_client, "-title", 2) == [(1000, "ZORRO ARK"), (999, "ZOOLANDER FICTION")]


def test_it_breaks_rental_rate_ties_by_ascending_film_id(api_client):
    assert _first(api_client, "rental_rate") == [
        (1, "0.99"),
        (11, "0.99"),
        (12, "0.99"),
        (14, "0.99"),
        (17, "0.99"),
    ]
    assert _first(api_client, "-rental_rate") == [
        (2, "4.99"),
        (7, "4.99"),
        (8, "4.99"),
        (10, "4.99"),
        (13, "4.99"),
    ]


@pytest.mark.parametrize("key", ["length", "release_year", "rental_rate", "title"])
@pytest.mark.parametrize("descending", [False, True])
def test_it_orders_every_key_either_way_with_ascending_film_id_ties(api_client, key, descending):
    ordering = f"-{key}" if descending else key
    response = api_client.get("/api/v1/films/", {"ordering": ordering, "page_size": 100, "page": 3})
    assert response.status_code == 200
    rows = [(film[key], film["film_id"]) for film in response.json()["results"]]
    if key == "rental_rate":
        rows = [(Decimal(value), film_id) for value, film_id in rows]
    for (value, film_id), (next_value, next_film_id) in itertools.pairwise(rows):
        if value == next_value:
            assert film_id < next_film_id
        else:
            assert (value > next_value) if descending else (value < next_value)


def test_it_keeps_pages_disjoint_when_sorting_by_a_key_with_ties(api_client):
    seen = []
    for page in range(1, 11):
        response = api_client.get("/api/v1/films/", {"ordering": "-length", "page_size": 100, "page": page})
        seen += [film["film_id"] for film in response.json()["results"]]
    assert sorted(seen) == list(range(1, 1001))


@pytest.mark.parametrize("ordering", ["rating", "fulltext", "-", "title;drop table film"])
def test_it_answers_an_unknown_ordering_with_400(api_client, ordering):
    response = api_client.get("/api/v1/films/", {"ordering": ordering})
    assert response.status_code == 400
    message = f"Select a valid choice. {ordering} is not one of the available choices."
    assert response.json() == {
        "detail": f"Invalid input: ordering: {message}",
        "code": "invalid",
        "errors": {"ordering": [message]},
    }
