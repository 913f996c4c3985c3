"""GET /api/v1/payments/, /api/v1/customers/{id}/payments/ and /api/v1/payments/{payment_id}/."""

import pytest
from django.db import connection

from pagila_site.testsupport.data import sql_one
from pagila_site.testsupport.rentals import pay

pytestmark = pytest.mark.django_db


def _ids(query: str, params=()) -> list[int]:
    """Payment ids by plain SQL, newest first."""
    with connection.cursor() as cursor:
        order = "ORDER BY payment_date DESC, payment_id DESC"
        cursor.execute(f"SELECT payment_id FROM payment {query} {order}", params)  # noqa: S608 - fixed clauses
        return [row[0] for row in cursor.fetchall()]


def _listed(client, url: str, **params) -> list[int]:
    response = client.get(url, {"page_size": 100, **params})
    assert response.status_code == 200, response.json()
    return [payment["payment_id"] for payment in response.json()["results"]]


def test_it_lists_every_payment_newest_first(auth_client, settings):
    settings.PAGINATION_COUNT_LIMIT = 20_000  # exact counts stop at 10,000 by default
    response = auth_client.get("/api/v1/payments/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 16049
    assert "/api/v1/payments/?cursor=" in body["next"]
    assert body["previous"] is None
    assert body["results"][0] == {
        "payment_id": 31469,
        "rental_id": 8936,
        "customer_id": 227,
        "staff_id": 1,
        "amount": body["results"][0]["amount"],
        "payment_date": "2022-07-27T10:39:20.739759Z",
    }
    assert [p["payment_id"] for p in body["results"]] == _ids("")[:20]


def test_it_lists_a_new_payment_first(auth_client):
    payment = pay(auth_client, 1476).json()  # customer 1's rental 1476 still owes 12.99
    assert _listed(auth_client, "/api/v1/payments/")[0] == payment["payment_id"]
    assert _listed(auth_client, "/api/v1/customers/1/payments/")[0] == payment["payment_id"]


def test_it_lists_a_customers_payments(auth_client):
    assert _listed(auth_client, "/api/v1/customers/1/payments/") == _ids("WHERE customer_id = 1")
    assert len(_ids("WHERE customer_id = 1")) == 32


@pytest.mark.parametrize(("parameter", "value"), [("customer_id", 1), ("rental_id", 1476), ("staff_id", 2)])
def test_it_filters_payments_by_id(auth_client, parameter, value):
    expected = _ids(f"WHERE {parameter} = %s", [value])
    response = auth_client.get("/api/v1/payments/", {parameter: value})
    assert response.json()["count"] == len(expected) > 0
    assert [p["payment_id"] for p in response.json()["results"]] == expected[:20]


def test_it_includes_since_and_excludes_until(auth_client):
    # Pagila's payment 16940 of rental 1, at 2022-07-10T19:55:17.257052Z.
    moment = "2022-07-10T19:55:17.257052Z"
    assert _listed(auth_client, "/api/v1/payments/", rental_id=1, since=moment) == [16940]
    assert _listed(auth_client, "/api/v1/payments/", rental_id=1, until=moment) == []
    assert _listed(auth_client, "/api/v1/payments/", rental_id=1, until="2022-07-10T19:55:17.257053Z") == [
        16940
    ]


def test_it_reads_a_date_as_its_midnight_utc(auth_client):
    may = _ids("WHERE payment_date >= '2022-05-01T00:00Z' AND payment_date < '2022-06-01T00:00Z'")
    response = auth_client.get("/api/v1/payments/", {"since": "2022-05-01", "until": "2022-06-01"})
    assert response.json()["count"] == len(may) == 2677


def test_it_reads_an_offset(auth_client):
    # 21:55:17+02:00 is 19:55:17 UTC: payment 16940 lies after it.
    assert _listed(auth_client, "/api/v1/payments/", rental_id=1, since="2022-07-10T21:55:17+02:00") == [
        16940
    ]
    assert _listed(auth_client, "/api/v1/payments/", rental_id=1, since="2022-07-10T21:55:18+02:00") == []


def test_it_reads_an_offset_postgresql_would_refuse(auth_client):
    # +20:00 is beyond PostgreSQL's 15:59, within Python's 23:59: it reaches the query in UTC.
    assert _listed(auth_client, "/api/v1/payments/", rental_id=1, since="2022-07-11T15:55:17+20:00") == [
        16940
    ]


def test_it_refuses_a_moment_before_year_one_in_utc(auth_client):
    response = auth_client.get("/api/v1/payments/", {"since": "0001-01-01T00:00:00+01:00"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"since": ["Enter an ISO 8601 date or date-time."]}


def test_it_filters_a_customers_payments_by_time(auth_client):
    expected = _ids("WHERE customer_id = 1 AND payment_date >= '2022-07-01T00:00Z'")
    assert _listed(auth_client, "/api/v1/customers/1/payments/", since="2022-07-01") == expected
    assert len(expected) == 7


@pytest.mark.parametrize(
    ("parameter", "value", "message"),
    [
        ("since", "yesterday", "Enter an ISO 8601 date or date-time."),
        ("since", "05/01/2022", "Enter an ISO 8601 date or date-time."),
        ("until", "2022-02-30", "Enter an ISO 8601 date or date-time."),
        ("until", "2022-07-10T25:00:00Z", "Enter an ISO 8601 date or date-time."),
        ("customer_id", "abc", "Enter a whole number."),
        ("rental_id", "0", "Ensure this value is greater than or equal to 1."),
        ("staff_id", str(2**31), "Ensure this value is less than or equal to 2147483647."),
    ],
)
def test_it_refuses_a_malformed_filter(auth_client, parameter, value, message):
    response = auth_client.get("/api/v1/payments/", {parameter: value})
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Invalid input: {parameter}: {message}",
        "code": "invalid",
        "errors": {parameter: [message]},
    }


def test_it_shows_a_payment(auth_client):
    response = auth_client.get("/api/v1/payments/16940/")
    assert response.status_code == 200
    assert response.json() == {
        "payment_id": 16940,
        "rental_id": 1,
        "customer_id": 130,
        "staff_id": 1,
        "amount": "2.99",
        "payment_date": "2022-07-10T19:55:17.257052Z",
    }


def test_it_shows_a_payment_in_the_default_partition(auth_client):
    payment = pay(auth_client, 1476).json()
    assert sql_one(
        "SELECT tableoid::regclass::text FROM payment WHERE payment_id = %s", [payment["payment_id"]]
    ) == ("payment_default",)
    assert auth_client.get(f"/api/v1/payments/{payment['payment_id']}").json() == payment


@pytest.mark.parametrize("payment_id", ["999999", str(2**31), "abc"])
def test_it_answers_404_for_an_unknown_payment(auth_client, payment_id):
    response = auth_client.get(f"/api/v1/payments/{payment_id}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_answers_404_for_an_unknown_customers_payments(auth_client):
    response = auth_client.get("/api/v1/customers/999999/payments/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.parametrize(
    "url", ["/api/v1/payments/", "/api/v1/payments/16940/", "/api/v1/customers/1/payments/"]
)
def test_it_requires_a_token(api_client, url):
    response = api_client.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
