"""GET /api/v1/rentals/: newest first, filtered by status, customer, copy and film."""

import pytest

from pagila_site.testsupport.data import sql_one
from pagila_site.testsupport.rentals import rent

pytestmark = pytest.mark.django_db

TOTAL = 16044


def _ids(response):
    return [rental["rental_id"] for rental in response.json()["results"]]


def test_it_lists_every_rental_newest_first(auth_client, settings):
    settings.PAGINATION_COUNT_LIMIT = 20_000  # exact counts stop at 10,000 by default
    response = auth_client.get("/api/v1/rentals/?page_size=3")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == TOTAL
    assert body["previous"] is None
    assert body["next"].startswith("http://testserver/api/v1/rentals/?cursor=")
    assert body["next"].endswith("&page_size=3")
    assert _ids(auth_client.get(body["next"])) == [16046, 16045, 16044]
    assert _ids(response) == [16049, 16048, 16047]


def test_it_breaks_rental_date_ties_by_the_newest_rental_id(auth_client):
    # Customer 75's three open rentals were all rented at 2022-02-14 15:16:03.
    response = auth_client.get("/api/v1/rentals/?customer_id=75&status=open")
    assert _ids(response) == [15191, 14488, 13534]


def test_it_lists_the_open_rentals(auth_client):
    response = auth_client.get("/api/v1/rentals/?status=open&page_size=100")
    assert response.json()["count"] == 183
    assert all(rental["return_date"] is None for rental in response.json()["results"])


def test_it_lists_the_returned_rentals(auth_client, settings):
    settings.PAGINATION_COUNT_LIMIT = 20_000
    response = auth_client.get("/api/v1/rentals/?status=returned&page_size=100")
    assert response.json()["count"] == TOTAL - 183
    assert all(rental["return_date"] is not None for rental in response.json()["results"])


def test_it_lists_the_overdue_rentals(auth_client):
    # Every open rental in Pagila is from 2022, long past due.
    response = auth_client.get("/api/v1/rentals/?status=overdue&page_size=100")
    assert response.json()["count"] == 183
    assert all(rental["overdue"] for rental in response.json()["results"])


def test_it_does_not_list_an_open_rental_before_its_due_date_as_overdue(auth_client, copy_in_stock):
    created = rent(auth_client, 1, copy_in_stock).json()
    assert auth_client.get("/api/v1/rentals/?status=overdue").json()["count"] == 183
    assert created["rental_id"] in _ids(auth_client.get("/api/v1/rentals/?status=open&customer_id=1"))


def test_it_filters_by_customer(auth_client):
    response = auth_client.get("/api/v1/rentals/?customer_id=1&page_size=100")
    assert response.json()["count"] == 32
    assert {rental["customer_id"] for rental in response.json()["results"]} == {1}


def test_it_filters_by_copy(auth_client):
    response = auth_client.get("/api/v1/rentals/?inventory_id=9")
    # Pagila dates its open rentals 2022-02-14, before the copy's returned rental of 2022-07.
    assert _ids(response) == [10310, 13421]
    assert {rental["inventory_id"] for rental in response.json()["results"]} == {9}


def test_it_filters_by_film(auth_client):
    response = auth_client.get("/api/v1/rentals/?film_id=2")
    assert (
        response.json()["count"]
        == sql_one("SELECT count(*) FROM rental JOIN inventory USING (inventory_id) WHERE film_id = 2")[0]
    )
    assert {rental["film"]["film_id"] for rental in response.json()["results"]} == {2}


def test_it_combines_filters(auth_client):
    response = auth_client.get("/api/v1/rentals/?customer_id=75&status=open&film_id=999")
    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    ("query", "param", "message"),
    [
        ("status=maybe", "status", "Select a valid choice. maybe is not one of the available choices."),
        ("customer_id=abc", "customer_id", "Enter a whole number."),
        ("customer_id=2147483648", "customer_id", "Ensure this value is less than or equal to 2147483647."),
        ("inventory_id=0", "inventory_id", "Ensure this value is greater than or equal to 1."),
        ("film_id=1.5", "film_id", "Enter a whole number."),
    ],
)
def test_it_refuses_a_bad_filter_value_naming_the_parameter(auth_client, query, param, message):
    response = auth_client.get(f"/api/v1/rentals/?{query}")
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Invalid input: {param}: {message}",
        "code": "invalid",
        "errors": {param: [message]},
    }
