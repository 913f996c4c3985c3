"""GET /api/v1/customers/{customer_id}/: the customer with address and open rental count."""

import pytest

pytestmark = pytest.mark.django_db


def test_it_shows_the_customer_with_address_and_open_rentals(auth_client):
    response = auth_client.get("/api/v1/customers/1/")
    assert response.status_code == 200
    assert response.json() == {
        "customer_id": 1,
        "first_name": "MARY",
        "last_name": "SMITH",
        "email": "MARY.SMITH@sakilacustomer.org",
        "active": True,
        "store_id": 1,
        "create_date": "2022-02-14",
        "address": {
            "address": "1913 Hanoi Way",
            "district": "Nagasaki",
            "city": "Sasebo",
            "country": "Japan",
            "postal_code": "35200",
            "phone": "28303384290",
        },
        "open_rentals": 0,
    }


def test_it_counts_only_the_open_rentals(auth_client):
    # Customer 75 has 41 rentals, 3 of them open.
    assert auth_client.get("/api/v1/customers/75/").json()["open_rentals"] == 3


def test_it_stops_counting_a_returned_rental(auth_client):
    auth_client.post("/api/v1/rentals/13534/return/")  # one of customer 75's open rentals
    assert auth_client.get("/api/v1/customers/75/").json()["open_rentals"] == 2


def test_it_shows_an_inactive_customer_as_inactive(auth_client):
    assert auth_client.get("/api/v1/customers/16/").json()["active"] is False


def test_it_shows_the_customer_in_one_query_after_authentication(auth_client, django_assert_num_queries):
    auth_client.get("/api/v1/customers/75/")  # the first request also records the token's last use
    with django_assert_num_queries(2):  # token, customer with address and count
        auth_client.get("/api/v1/customers/75/")


@pytest.mark.parametrize("customer_id", ["600", str(2**31), "9" * 30])
def test_it_answers_404_for_an_unknown_customer(auth_client, customer_id):
    response = auth_client.get(f"/api/v1/customers/{customer_id}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_ignores_list_filters_on_a_customer(auth_client):
    response = auth_client.get("/api/v1/customers/1/", {"active": "maybe", "store_id": "2"})
    assert response.status_code == 200
    assert response.json()["customer_id"] == 1
