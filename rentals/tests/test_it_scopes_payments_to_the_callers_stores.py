"""Payments under store scope: a payment is in scope when its rental is (its copy held by one of
the caller's stores, or its customer in scope), and a linked clerk pays as itself.

The clerk is staff member 1, working for stores 1 and 25 (see customers'
test_it_scopes_staff_to_their_stores). Expectations come from plain SQL.
"""

import pytest
from rest_framework.test import APIClient

from customers.services import staff_account_set
from pagila_site.services import token_issue
from pagila_site.testsupport.data import sql_one
from pagila_site.testsupport.rentals import pay

pytestmark = pytest.mark.django_db

# Store 2's: rental 41 of a store-2 copy to customer 174 (of store 2), owing 26.98, 5.99 paid.
OTHER_STORES_RENTAL, OTHER_STORES_CUSTOMER = 41, 174
# Store 1's: customer 1's rental 1476, owing 12.99.
OWN_RENTAL = 1476
NOT_FOUND = {"detail": "Not found.", "code": "not_found"}


def _other_stores_payment() -> int:
    return sql_one("SELECT min(payment_id) FROM payment WHERE rental_id = %s", [OTHER_STORES_RENTAL])[0]


def test_a_clerk_lists_the_payments_of_rentals_in_its_stores(clerk_client, settings):
    settings.PAGINATION_COUNT_LIMIT = 20_000  # exact counts stop at 10,000 by default
    expected = sql_one(
        "SELECT count(*) FROM payment p JOIN rental r USING (rental_id) "
        "JOIN inventory i ON i.inventory_id = r.inventory_id "
        "JOIN customer c ON c.customer_id = r.customer_id "
        "WHERE i.store_id IN (1, 25) OR c.store_id IN (1, 25)"
    )[0]
    assert expected == 12349
    assert clerk_client.get("/api/v1/payments/").json()["count"] == expected


def test_a_clerk_does_not_see_another_stores_payment(clerk_client, auth_client):
    url = f"/api/v1/payments/{_other_stores_payment()}/"
    assert auth_client.get(url).status_code == 200
    response = clerk_client.get(url)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert clerk_client.get("/api/v1/payments/", {"rental_id": OTHER_STORES_RENTAL}).json()["count"] == 0


def test_a_clerk_cannot_list_another_stores_customers_payments(clerk_client):
    response = clerk_client.get(f"/api/v1/customers/{OTHER_STORES_CUSTOMER}/payments/")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_a_clerk_cannot_pay_for_another_stores_rental(clerk_client):
    response = clerk_client.post(
        f"/api/v1/rentals/{OTHER_STORES_RENTAL}/payments/", {"amount": "1.00"}, format="json"
    )
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert sql_one("SELECT count(*) FROM payment WHERE rental_id = %s", [OTHER_STORES_RENTAL]) == (1,)


def test_a_clerk_pays_as_its_own_staff_member(clerk_client):
    response = clerk_client.post(f"/api/v1/rentals/{OWN_RENTAL}/payments/", {"amount": "1.00"}, format="json")
    assert response.status_code == 201
    assert response.json()["staff_id"] == 1


def test_a_clerk_may_not_name_another_staff_member(clerk_client):
    response = pay(clerk_client, OWN_RENTAL, staff_id=2)
    assert response.status_code == 400
    message = "This account acts as staff member 1 only; leave staff_id out."
    assert response.json() == {
        "detail": f"Invalid input: staff_id: {message}",
        "code": "invalid",
        "errors": {"staff_id": [message]},
    }


def test_a_clerk_takes_the_payment_of_a_return(clerk_client, copy_in_stock):
    rental = clerk_client.post(
        "/api/v1/customers/1/rentals/", {"inventory_id": copy_in_stock, "pay": True}, format="json"
    ).json()
    assert rental["payment"]["staff_id"] == 1
    returned = clerk_client.post(
        f"/api/v1/rentals/{rental['rental_id']}/return/", {"pay": True}, format="json"
    )
    assert returned.status_code == 200
    assert returned.json()["payment"] is None  # the rate was paid on renting


def test_an_unlinked_superuser_must_name_who_takes_a_payment(auth_client):
    response = auth_client.post(f"/api/v1/rentals/{OWN_RENTAL}/payments/", {"amount": "1.00"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"staff_id": ["This field is required."]}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/payments/"),
        ("get", "/api/v1/payments/16940/"),
        ("get", "/api/v1/customers/1/payments/"),
        ("post", f"/api/v1/rentals/{OWN_RENTAL}/payments/"),
    ],
)
def test_a_storeless_user_is_refused_payments(storeless_client, method, path):
    response = getattr(storeless_client, method)(path, {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "no_store"


def test_a_customers_payments_and_the_payment_list_agree_on_scope(django_user_model):
    """Payment 29163 is customer 401's but on customer 182's rental: seen whole, customer 401's
    payments include it wherever the rental is, in the list by customer and in the detail."""
    customer_of_payment, rental_customer = sql_one(
        "SELECT p.customer_id, r.customer_id FROM payment p JOIN rental r USING (rental_id) "
        "WHERE p.payment_id = 29163"
    )
    assert customer_of_payment != rental_customer
    store = sql_one("SELECT store_id FROM customer WHERE customer_id = %s", [customer_of_payment])[0]
    manager = sql_one("SELECT manager_staff_id FROM store WHERE store_id = %s", [store])[0]
    user, _ = staff_account_set(username="desk", staff_id=manager)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=user, name='t')[1]}")
    nested = client.get(f"/api/v1/customers/{customer_of_payment}/payments/?page_size=100").json()
    listed = client.get(f"/api/v1/payments/?customer_id={customer_of_payment}&page_size=100").json()
    assert nested["count"] == listed["count"]
    assert 29163 in [p["payment_id"] for p in listed["results"]]
    assert client.get("/api/v1/payments/29163/").status_code == 200
