"""Every customer, rental and subscription endpoint, read or write, needs a staff token."""

import pytest

from rentals.models import Rental

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/api/v1/customers/"),
    ("get", "/api/v1/customers/1/"),
    ("get", "/api/v1/customers/1/rentals/"),
    ("post", "/api/v1/customers/1/rentals/"),
    ("get", "/api/v1/customers/1/subscriptions/"),
    ("post", "/api/v1/customers/1/subscriptions/"),
    ("get", "/api/v1/rentals/"),
    ("get", "/api/v1/rentals/1/"),
    ("post", "/api/v1/rentals/13421/return/"),
    ("get", "/api/v1/subscriptions/1/"),
    ("patch", "/api/v1/subscriptions/1/"),
    ("delete", "/api/v1/subscriptions/1/"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_it_answers_401_without_a_token(api_client, method, url):
    response = getattr(api_client, method)(url, {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_it_answers_401_to_a_wrong_token(api_client, staff_token, method, url):
    response = getattr(api_client, method)(url, {}, format="json", HTTP_AUTHORIZATION="Bearer dvd_admin2")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_it_answers_401_without_a_slash_too(api_client, method, url):
    response = getattr(api_client, method)(url.rstrip("/"), {}, format="json")
    assert response.status_code == 401


def test_it_writes_nothing_for_an_unauthenticated_rental(api_client):
    api_client.post("/api/v1/rentals/13421/return/")
    assert Rental.objects.get(pk=13421).return_date is None
