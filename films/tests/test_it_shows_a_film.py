"""GET /api/v1/films/{film_id}/: the film object plus its actors and copies; 404 otherwise."""

import pytest
from django.db import connection

from films.models import Film
from pagila_site.testsupport.data import ACADEMY_DINOSAUR
from rentals.models import Rental, with_copies

pytestmark = [pytest.mark.django_db, pytest.mark.full_data]


def test_it_shows_a_film_with_its_actors_and_copies(api_client):
    response = api_client.get("/api/v1/films/1/")
    assert response.status_code == 200
    assert response.json() == {
        **ACADEMY_DINOSAUR,
        "actors": [
            {"actor_id": 40, "first_name": "JOHNNY", "last_name": "CAGE"},
            {"actor_id": 188, "first_name": "ROCK", "last_name": "DUKAKIS"},
            {"actor_id": 10, "first_name": "CHRISTIAN", "last_name": "GABLE"},
            {"actor_id": 1, "first_name": "PENELOPE", "last_name": "GUINESS"},
            {"actor_id": 198, "first_name": "MARY", "last_name": "KEITEL"},
            {"actor_id": 162, "first_name": "OPRAH", "last_name": "KILMER"},
            {"actor_id": 108, "first_name": "WARREN", "last_name": "NOLTE"},
            {"actor_id": 30, "first_name": "SANDRA", "last_name": "PECK"},
            {"actor_id": 53, "first_name": "MENA", "last_name": "TEMPLE"},
            {"actor_id": 20, "first_name": "LUCILLE", "last_name": "TRACY"},
        ],
        "copies": {"total": 8, "in_stock": 7},
    }


def test_it_answers_without_the_trailing_slash_too(api_client):
    response = api_client.get("/api/v1/films/205")
    assert response.status_code == 200
    assert response.json()["copies"] == {"total": 4, "in_stock": 2}


def test_it_shows_no_copies_for_a_film_the_stores_do_not_stock(api_client):
    response = api_client.get("/api/v1/films/14/")
    assert response.status_code == 200
    assert response.json()["copies"] == {"total": 0, "in_stock": 0}


@pytest.mark.parametrize("film_id", [1, 205, 14, 500, 1000])
def test_it_counts_copies_in_stock_as_pagilas_own_function_does(api_client, film_id):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE inventory_in_stock(inventory_id))"
            " FROM inventory WHERE film_id = %s",
            [film_id],
        )
        total, in_stock = cursor.fetchone()
    response = api_client.get(f"/api/v1/films/{film_id}/")
    assert response.json()["copies"] == {"total": total, "in_stock": in_stock}


def test_it_agrees_with_pagilas_function_for_every_film():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT f.film_id, count(i.inventory_id),"
            " count(i.inventory_id) FILTER (WHERE inventory_in_stock(i.inventory_id))"
            " FROM film f LEFT JOIN inventory i ON i.film_id = f.film_id"
            " GROUP BY f.film_id ORDER BY f.film_id"
        )
        expected = cursor.fetchall()
    copies = with_copies(Film.objects.all()).values_list("film_id", "copies_total", "copies_in_stock")
    assert list(copies) == expected


def test_it_counts_a_returned_copy_as_in_stock_again(api_client):
    Rental.objects.filter(inventory__film_id=205, return_date__isnull=True).update(
        return_date="2026-01-01T00:00Z"
    )
    response = api_client.get("/api/v1/films/205/")
    assert response.json()["copies"] == {"total": 4, "in_stock": 4}


@pytest.mark.parametrize(
    "film_id", ["0", "1001", "2147483647", "2147483648", "9999999999", "99999999999", "9" * 500]
)
def test_it_answers_an_unknown_or_out_of_range_id_with_404(api_client, film_id):
    response = api_client.get(f"/api/v1/films/{film_id}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.parametrize("film_id", ["abc", "-1", "1.5", "%201"])
def test_it_answers_an_id_that_is_no_number_with_404(api_client, film_id):
    response = api_client.get(f"/api/v1/films/{film_id}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_ignores_list_filters_on_a_film(api_client):
    response = api_client.get("/api/v1/films/1/", {"rating": "X", "category": "Horror"})
    assert response.status_code == 200
    assert response.json()["film_id"] == 1
