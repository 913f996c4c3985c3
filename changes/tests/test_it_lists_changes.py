"""GET /api/v1/changes/ and /changes/{id}/: newest first, filtered, cursor-paged, scoped."""

import pytest
from django.db import connection

from changes.models import Change
from pagila_site.testsupport.data import sql_one

pytestmark = pytest.mark.django_db


def _update(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


# A customer of store 1, and one of store 2.
ONE, TWO = 1, 4


@pytest.fixture
def changed():
    """Changes to a store-1 customer, a store-2 customer and a film (10)."""
    assert sql_one(
        "SELECT array_agg(store_id ORDER BY customer_id) FROM customer WHERE customer_id IN (1, 4)"
    ) == ([1, 2],)
    _update("UPDATE customer SET email = 'one@example.com' WHERE customer_id = %s", [ONE])
    _update("UPDATE customer SET email = 'two@example.com' WHERE customer_id = %s", [TWO])
    _update("UPDATE film SET length = 100 WHERE film_id = 10")
    return {c.object_id if c.table == "customer" else "film": c for c in Change.objects.all()}


def test_it_lists_changes_newest_first_with_the_contracts_fields(auth_client, changed):
    body = auth_client.get("/api/v1/changes/").json()
    assert body["count"] == 3
    assert [r["change_id"] for r in body["results"]] == sorted(
        (c.change_id for c in changed.values()), reverse=True
    )
    film = body["results"][0]
    assert set(film) >= {
        "change_id", "at", "table", "object_id", "action", "changes", "user", "token",
        "request_id", "idempotency_key", "reason",
    }  # fmt: skip
    assert (film["table"], film["object_id"], film["action"]) == ("film", 10, "update")
    assert film["changes"] == {"length": [63, 100]}


def test_money_is_shown_as_the_contracts_strings(auth_client):
    _update("UPDATE film SET rental_rate = 3.5 WHERE film_id = 11")
    [record] = auth_client.get("/api/v1/changes/", {"table": "film", "object_id": 11}).json()["results"]
    assert record["changes"] == {"rental_rate": ["0.99", "3.50"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"table": "customer"}, [TWO, ONE]),
        ({"table": "customer", "object_id": TWO}, [TWO]),
        ({"object_id": 10}, ["film"]),
        ({"user": "nobody"}, []),
        ({"since": "2000-01-01", "until": "2100-01-01", "table": "film"}, ["film"]),
        ({"until": "2000-01-01"}, []),
    ],
)
def test_it_filters(auth_client, changed, params, expected):
    results = auth_client.get("/api/v1/changes/", params).json()["results"]
    assert [r["object_id"] if r["table"] == "customer" else "film" for r in results] == expected


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"table": "staff"}, "table"),
        ({"object_id": "abc"}, "object_id"),
        ({"object_id": "0"}, "object_id"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2022-02-30"}, "until"),
        ({"cursor": "forged"}, "cursor"),
    ],
)
def test_a_bad_filter_is_400_naming_it(auth_client, params, named):
    response = auth_client.get("/api/v1/changes/", params)
    assert response.status_code == 400
    assert named in response.json()["errors"]


def test_it_walks_by_cursor(auth_client, changed):
    first = auth_client.get("/api/v1/changes/", {"page_size": 2}).json()
    second = auth_client.get(first["next"]).json()
    ids = [r["change_id"] for r in first["results"] + second["results"]]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 3
    assert second["next"] is None


def test_a_clerk_sees_changes_to_rows_of_their_stores_and_the_catalogue(clerk_client, changed):
    results = clerk_client.get("/api/v1/changes/").json()["results"]
    assert {(r["table"], r["object_id"]) for r in results} == {("film", 10), ("customer", ONE)}
    assert clerk_client.get(f"/api/v1/changes/{changed[ONE].change_id}/").status_code == 200
    hidden = clerk_client.get(f"/api/v1/changes/{changed[TWO].change_id}/")
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "not_found"
    assert clerk_client.get("/api/v1/changes/", {"table": "customer", "object_id": TWO}).json()["count"] == 0


def test_a_clerk_sees_a_customers_records_while_the_customer_is_theirs(clerk_client):
    _update("UPDATE customer SET store_id = 1 WHERE customer_id = %s", [TWO])
    _update("UPDATE customer SET email = 'secret@example.com' WHERE customer_id = %s", [TWO])
    records = clerk_client.get("/api/v1/changes/", {"table": "customer", "object_id": TWO}).json()
    newest = records["results"][0]
    assert newest["changes"] == {"email": ["BARBARA.JONES@sakilacustomer.org", "secret@example.com"]}
    assert records["count"] == 2  # the move to store 1, and the email
    _update("UPDATE customer SET store_id = 2 WHERE customer_id = %s", [TWO])
    # Gone back to store 2: none of their records, the one made while they were store 1's included.
    assert clerk_client.get("/api/v1/changes/", {"table": "customer", "object_id": TWO}).json()["count"] == 0
    assert clerk_client.get(f"/api/v1/changes/{newest['change_id']}/").status_code == 404


def test_it_needs_a_token_and_a_store(api_client, storeless_client, changed):
    assert api_client.get("/api/v1/changes/").status_code == 401
    assert storeless_client.get("/api/v1/changes/").status_code == 403


def test_nothing_in_the_api_alters_a_record(auth_client, changed):
    url = f"/api/v1/changes/{changed[ONE].change_id}/"
    for method in ("post", "put", "patch", "delete"):
        assert getattr(auth_client, method)(url, {}, format="json").status_code == 405
