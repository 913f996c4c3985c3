"""Store scope on Pagila's real data: a clerk of staff member 1 works for stores 1 and 25.

Staff 1 belongs to store 25 (which holds no customers and no copies) and manages store 1, which
holds 326 customers and 2,270 copies; store 2 has the other 273 customers. Expectations come from
plain SQL, not from the querysets under test.
"""

import pytest

from pagila_site.testsupport.data import sql_one

pytestmark = pytest.mark.django_db


def _customer_of_store(store_id: int) -> int:
    return sql_one("SELECT min(customer_id) FROM customer WHERE store_id = %s", [store_id])[0]


def test_me_shows_a_clerks_staff_member_and_stores(clerk_client):
    response = clerk_client.get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body.pop("token_expires_at") is not None  # the fixture's token lasts the default 90 days
    assert body == {
        "username": "clerk1",
        "is_superuser": False,
        "staff_id": 1,
        "store_ids": [1, 25],
    }


def test_me_shows_every_store_for_an_unlinked_superuser(auth_client):
    body = auth_client.get("/api/v1/me").json()
    assert body["is_superuser"] is True
    assert body["staff_id"] is None
    assert body["store_ids"] == [row[0] for row in _all_stores()]


def _all_stores():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT store_id FROM store ORDER BY store_id")
        return cursor.fetchall()


def test_me_answers_a_storeless_user_with_no_stores(storeless_client):
    response = storeless_client.get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body.pop("token_expires_at") is not None
    assert body == {"username": "nobody", "is_superuser": False, "staff_id": None, "store_ids": []}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/customers/"),
        ("get", "/api/v1/customers/1/"),
        ("get", "/api/v1/rentals/"),
        ("get", "/api/v1/customers/1/rentals/"),
        ("post", "/api/v1/customers/1/rentals/"),
        ("post", "/api/v1/rentals/1/return/"),
        ("get", "/api/v1/customers/1/subscriptions/"),
        ("patch", "/api/v1/films/1/"),
    ],
)
def test_a_storeless_user_is_refused_everywhere_protected(storeless_client, method, path):
    response = getattr(storeless_client, method)(path, {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "no_store"


def test_a_storeless_user_still_reads_the_catalogue(storeless_client):
    assert storeless_client.get("/api/v1/films/1/").status_code == 200


def test_a_clerk_of_store_1_sees_exactly_its_customers(clerk_client):
    expected = sql_one("SELECT count(*) FROM customer WHERE store_id IN (1, 25)")[0]
    assert expected == 326
    body = clerk_client.get("/api/v1/customers/?page_size=100").json()
    assert body["count"] == 326
    assert {c["store_id"] for c in body["results"]} == {1}
    assert clerk_client.get("/api/v1/customers/?store_id=2").json()["count"] == 0


def test_a_clerk_gets_404_for_another_stores_customer(clerk_client):
    other = _customer_of_store(2)
    for path in (
        f"/api/v1/customers/{other}/",
        f"/api/v1/customers/{other}/rentals/",
        f"/api/v1/customers/{other}/subscriptions/",
    ):
        response = clerk_client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_a_clerk_sees_its_customers_whole_history(clerk_client):
    """A customer in scope is seen with every rental, whichever store's copy it was."""
    customer = _customer_of_store(1)
    expected = sql_one("SELECT count(*) FROM rental WHERE customer_id = %s", [customer])[0]
    assert clerk_client.get(f"/api/v1/customers/{customer}/rentals/").json()["count"] == expected


def test_a_clerk_lists_only_rentals_in_scope(clerk_client, settings):
    settings.PAGINATION_COUNT_LIMIT = 20_000  # exact counts stop at 10,000 by default
    expected = sql_one(
        "SELECT count(*) FROM rental r JOIN inventory i USING (inventory_id) "
        "JOIN customer c USING (customer_id) WHERE i.store_id IN (1, 25) OR c.store_id IN (1, 25)"
    )[0]
    assert clerk_client.get("/api/v1/rentals/").json()["count"] == expected


def test_a_clerk_gets_404_for_a_rental_outside_scope(clerk_client):
    rental = sql_one(
        "SELECT min(r.rental_id) FROM rental r JOIN inventory i USING (inventory_id) "
        "JOIN customer c USING (customer_id) "
        "WHERE i.store_id = 2 AND c.store_id = 2 AND r.return_date IS NULL"
    )[0]
    assert clerk_client.get(f"/api/v1/rentals/{rental}/").status_code == 404
    response = clerk_client.post(f"/api/v1/rentals/{rental}/return/")
    assert response.status_code == 404
    assert sql_one("SELECT return_date FROM rental WHERE rental_id = %s", [rental])[0] is None


def _copy_in_stock_at(store_id: int) -> int:
    return sql_one(
        "SELECT min(inventory_id) FROM inventory i WHERE store_id = %s AND NOT EXISTS ("
        "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL)",
        [store_id],
    )[0]


def test_a_clerk_rents_without_naming_staff(clerk_client):
    customer, copy = _customer_of_store(1), _copy_in_stock_at(1)
    response = clerk_client.post(
        f"/api/v1/customers/{customer}/rentals/", {"inventory_id": copy}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["staff_id"] == 1


def test_a_clerk_may_name_only_itself(clerk_client):
    customer, copy = _customer_of_store(1), _copy_in_stock_at(1)
    path = f"/api/v1/customers/{customer}/rentals/"
    response = clerk_client.post(path, {"inventory_id": copy, "staff_id": 2}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["staff_id"]
    assert clerk_client.post(path, {"inventory_id": copy, "staff_id": 1}, format="json").status_code == 201


def test_a_clerk_cannot_rent_a_copy_held_by_store_2(clerk_client):
    customer, copy = _customer_of_store(1), _copy_in_stock_at(2)
    before = sql_one("SELECT count(*) FROM rental")[0]
    response = clerk_client.post(
        f"/api/v1/customers/{customer}/rentals/", {"inventory_id": copy}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"inventory_id": [f"Copy {copy} is not held by any of your stores."]}
    assert sql_one("SELECT count(*) FROM rental")[0] == before


def test_a_clerk_cannot_rent_to_another_stores_customer(clerk_client):
    response = clerk_client.post(
        f"/api/v1/customers/{_customer_of_store(2)}/rentals/",
        {"inventory_id": _copy_in_stock_at(1)},
        format="json",
    )
    assert response.status_code == 404


def test_an_unlinked_superuser_must_name_the_staff_member(auth_client):
    customer, copy = _customer_of_store(2), _copy_in_stock_at(2)
    response = auth_client.post(
        f"/api/v1/customers/{customer}/rentals/", {"inventory_id": copy}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"staff_id": ["This field is required."]}


def test_a_clerk_returns_a_rental_of_its_store(clerk_client):
    customer, copy = _customer_of_store(1), _copy_in_stock_at(1)
    rental = clerk_client.post(
        f"/api/v1/customers/{customer}/rentals/", {"inventory_id": copy}, format="json"
    )
    response = clerk_client.post(f"/api/v1/rentals/{rental.json()['rental_id']}/return/")
    assert response.status_code == 200
    assert response.json()["return_date"] is not None


def test_a_clerk_sees_only_subscriptions_of_its_customers(clerk_client, auth_client):
    mine, theirs = _customer_of_store(1), _customer_of_store(2)
    body = {"plan_name": "Basic", "start_date": "2026-01-01"}
    own = auth_client.post(f"/api/v1/customers/{mine}/subscriptions/", body, format="json").json()
    other = auth_client.post(f"/api/v1/customers/{theirs}/subscriptions/", body, format="json").json()
    assert clerk_client.get(f"/api/v1/subscriptions/{own['id']}/").status_code == 200
    assert clerk_client.get(f"/api/v1/subscriptions/{other['id']}/").status_code == 404
    assert clerk_client.delete(f"/api/v1/subscriptions/{other['id']}/").status_code == 404


def test_a_clerk_may_not_name_another_staff_member_on_a_plain_return(clerk_client):
    customer, copy = _customer_of_store(1), _copy_in_stock_at(1)
    rental = clerk_client.post(
        f"/api/v1/customers/{customer}/rentals/", {"inventory_id": copy}, format="json"
    )
    path = f"/api/v1/rentals/{rental.json()['rental_id']}/return/"
    response = clerk_client.post(path, {"staff_id": 2}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["staff_id"]
    assert (
        sql_one("SELECT return_date FROM rental WHERE rental_id = %s", [rental.json()["rental_id"]])[0]
        is None
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/rentals/{rental}/payments/", {"amount": "0"}),
        ("/api/v1/rentals/{rental}/return/", {"pay": "maybe"}),
        ("/api/v1/rentals/{rental}/return/", {"pay": True, "staff_id": 2}),
    ],
)
def test_another_stores_rental_is_404_whatever_the_body(clerk_client, path, body):
    rental = sql_one(
        "SELECT min(r.rental_id) FROM rental r JOIN inventory i USING (inventory_id) "
        "JOIN customer c USING (customer_id) WHERE i.store_id = 2 AND c.store_id = 2"
    )[0]
    response = clerk_client.post(path.format(rental=rental), body, format="json")
    assert response.status_code == 404
    response = clerk_client.post(path.format(rental=99999999), body, format="json")
    assert response.status_code == 404
