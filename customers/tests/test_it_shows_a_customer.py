"""GET /api/v1/customers/{customer_id}/: the customer with address and open rental count."""

from decimal import Decimal

import pytest
from django.db import connection

from pagila_site.testsupport.rentals import pagila_fee

pytestmark = pytest.mark.django_db


def _balance_of_returned_rentals(customer_id: int) -> Decimal:
    """What the customer's rentals owe by the contract's fee rule, minus their payments.

    Computed here from plain SQL rows, not by the querysets under test. Pagila ships its own
    ``get_customer_balance()``, but it cannot be run on PostgreSQL (it calls MySQL's ``IF()``),
    and it would differ anyway: it charges every day past the due date, not whole days, takes
    payments by the customer's id rather than the rental's, and counts only rows dated before a
    given moment.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rental_date, r.return_date, f.rental_duration, f.rental_rate, f.replacement_cost, "
            "  (SELECT coalesce(sum(amount), 0) FROM payment p WHERE p.rental_id = r.rental_id) "
            "FROM rental r JOIN inventory USING (inventory_id) JOIN film f USING (film_id) "
            "WHERE r.customer_id = %s",
            [customer_id],
        )
        rows = cursor.fetchall()
    assert all(returned is not None for _rented, returned, *_rest in rows)
    return sum(
        pagila_fee(
            {"rental_duration": duration, "rental_rate": rate, "replacement_cost": replacement},
            rented,
            returned,
        )
        - paid
        for rented, returned, duration, rate, replacement, paid in rows
    )


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
        "balance": f"{_balance_of_returned_rentals(1):.2f}",
        "blocked_reasons": [],  # 9.99 owed: under CIRCULATION_MAX_BALANCE
    }


def test_it_shows_what_a_customers_returned_rentals_still_owe(auth_client):
    # Customer 1's 32 rentals, all returned: rental 1476, kept past twice its duration, owes its
    # replacement cost too (22.98, paid 9.99), and three others were overpaid by 1.00 each.
    assert _balance_of_returned_rentals(1) == Decimal("9.99")
    assert auth_client.get("/api/v1/customers/1/").json()["balance"] == "9.99"


def test_it_lowers_the_balance_by_a_payment(auth_client):
    before = Decimal(auth_client.get("/api/v1/customers/1/").json()["balance"])
    # Customer 1's rental 1476 still owes 12.99.
    response = auth_client.post(
        "/api/v1/rentals/1476/payments/", {"amount": "1.00", "staff_id": 1}, format="json"
    )
    assert response.status_code == 201
    assert Decimal(auth_client.get("/api/v1/customers/1/").json()["balance"]) == before - Decimal("1.00")


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
    with django_assert_num_queries(3):  # lock-out, token, customer with address, count and balance
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
