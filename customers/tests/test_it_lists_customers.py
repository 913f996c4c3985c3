"""GET /api/v1/customers/: search, active and store filters over Pagila's 599 customers."""

import pytest

pytestmark = pytest.mark.django_db

MARY = {
    "customer_id": 1,
    "first_name": "MARY",
    "last_name": "SMITH",
    "email": "MARY.SMITH@sakilacustomer.org",
    "active": True,
    "store_id": 1,
    "create_date": "2022-02-14",
}


def _ids(response):
    return [customer["customer_id"] for customer in response.json()["results"]]


def test_it_lists_customers_by_id(auth_client):
    response = auth_client.get("/api/v1/customers/?page_size=2")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 599
    assert body["results"][0] == MARY
    assert _ids(response) == [1, 2]


@pytest.mark.parametrize("term", ["mary", "MaRy", "smith", "mary.smith@sakila"])
def test_it_searches_names_and_email_ignoring_case(auth_client, term):
    response = auth_client.get(f"/api/v1/customers/?search={term}")
    assert 1 in _ids(response)
    for customer in response.json()["results"]:
        fields = f"{customer['first_name']} {customer['last_name']} {customer['email']}".lower()
        assert term.lower() in fields


def test_it_requires_every_search_word_to_match(auth_client):
    response = auth_client.get("/api/v1/customers/?search=mary smith")
    assert _ids(response) == [1]


def test_it_lists_the_inactive_customers(auth_client):
    response = auth_client.get("/api/v1/customers/?active=false&page_size=100")
    assert response.json()["count"] == 15
    assert 16 in _ids(response)
    assert not any(customer["active"] for customer in response.json()["results"])


def test_it_lists_the_active_customers(auth_client):
    response = auth_client.get("/api/v1/customers/?active=true")
    assert response.json()["count"] == 584


def test_it_filters_by_store(auth_client):
    response = auth_client.get("/api/v1/customers/?store_id=2&page_size=100")
    assert response.json()["count"] == 273
    assert {customer["store_id"] for customer in response.json()["results"]} == {2}


@pytest.mark.parametrize(
    ("query", "param", "message"),
    [
        # The one strict boolean of every filter set (pagila_site.api.filters), films' too.
        ("active=maybe", "active", "Must be true or false."),
        ("active=1", "active", "Must be true or false."),
        ("store_id=abc", "store_id", "Enter a whole number."),
        ("store_id=99999999999", "store_id", "Ensure this value is less than or equal to 2147483647."),
        ("search=" + "x" * 101, "search", "Ensure this value has at most 100 characters (it has 101)."),
    ],
)
def test_it_refuses_a_bad_filter_value_naming_the_parameter(auth_client, query, param, message):
    response = auth_client.get(f"/api/v1/customers/?{query}")
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Invalid input: {param}: {message}",
        "code": "invalid",
        "errors": {param: [message]},
    }
