"""Transfers through the API: sending a copy, what it can't do while travelling, receiving it where
a hold waits, cancelling, who may do which, and every refusal the contract names."""

import pytest
from django.db import connection

from pagila_site.testsupport.data import sql_one
from pagila_site.testsupport.rentals import rent

pytestmark = pytest.mark.django_db

# Staff 2 (clerk2 below) works for store 2 and its own store 33; staff 1 (the `clerk`) for 1 and 25.
STORE_2_CUSTOMER = 4


@pytest.fixture
def copy(db) -> int:
    """A copy on store 1's shelf."""
    return sql_one(
        "SELECT inventory_id FROM inventory i WHERE store_id = 1 AND NOT EXISTS ("
        "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL"
        ") ORDER BY inventory_id LIMIT 1"
    )[0]


def send(client, inventory_id, to_store_id=2):
    return client.post(
        "/api/v1/transfers/", {"inventory_id": inventory_id, "to_store_id": to_store_id}, format="json"
    )


def film_of_copy(inventory_id) -> int:
    return sql_one("SELECT film_id FROM inventory WHERE inventory_id = %s", [inventory_id])[0]


def test_it_sends_a_copy_that_then_can_be_rented_nowhere_until_received(clerk_client, clerk2_client, copy):
    in_stock_before = clerk_client.get(f"/api/v1/films/{film_of_copy(copy)}/").json()["copies"]["in_stock"]

    sent = send(clerk_client, copy)

    assert sent.status_code == 201
    body = sent.json()
    assert sent["Location"] == f"/api/v1/transfers/{body['transfer_id']}/"
    assert body == {
        "transfer_id": body["transfer_id"],
        "inventory_id": copy,
        "from_store_id": 1,
        "to_store_id": 2,
        "status": "in_transit",
        "sent_at": body["sent_at"],
        "received_at": None,
        "sent_by": 1,
        "received_by": None,
    }
    film = clerk_client.get(f"/api/v1/films/{film_of_copy(copy)}/").json()["copies"]
    assert film["in_stock"] == in_stock_before - 1
    refused = rent(clerk_client, 1, copy)
    assert refused.status_code == 409
    assert refused.json()["code"] == "in_transit"
    assert send(clerk_client, copy, to_store_id=25).json()["code"] == "in_transit"

    received = clerk2_client.post(f"/api/v1/transfers/{body['transfer_id']}/receive/")

    assert received.status_code == 200
    assert received.json()["status"] == "received"
    assert received.json()["received_by"] == 2
    assert received.json()["received_at"]
    assert sql_one("SELECT store_id FROM inventory WHERE inventory_id = %s", [copy]) == (2,)
    # Store 2's now: rented there, not at store 1.
    assert rent(clerk_client, 1, copy).json()["errors"] == {
        "inventory_id": [f"Copy {copy} is not held by any of your stores."]
    }
    assert rent(clerk2_client, STORE_2_CUSTOMER, copy, staff_id=2).status_code == 201


def test_it_sets_a_received_copy_aside_for_a_hold_waiting_at_the_destination(
    clerk_client, clerk2_client, copy
):
    film = film_of_copy(copy)
    # Every copy of the film at store 2 out, so a hold there waits.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO rental (rental_date, inventory_id, customer_id, staff_id) "
            "SELECT now(), inventory_id, 5, 2 FROM inventory i WHERE film_id = %s AND store_id = 2 "
            "AND NOT EXISTS (SELECT 1 FROM rental r "
            "                WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL)",
            [film],
        )
    waiting = clerk2_client.post(
        f"/api/v1/customers/{STORE_2_CUSTOMER}/holds/", {"film_id": film, "store_id": 2}, format="json"
    ).json()
    assert waiting["status"] == "waiting"
    transfer = send(clerk_client, copy).json()

    clerk2_client.post(f"/api/v1/transfers/{transfer['transfer_id']}/receive/")

    ready = clerk2_client.get(f"/api/v1/holds/{waiting['hold_id']}/").json()
    assert ready["status"] == "ready"
    assert ready["inventory_id"] == copy


def test_it_lets_only_the_destination_receive_and_only_the_sender_cancel(clerk_client, clerk2_client, copy):
    transfer = send(clerk_client, copy).json()
    path = f"/api/v1/transfers/{transfer['transfer_id']}"

    receive = clerk_client.post(f"{path}/receive/")
    assert receive.status_code == 403
    assert receive.json() == {
        "detail": "Only staff of the destination store can receive this transfer.",
        "code": "not_destination",
    }
    cancel = clerk2_client.post(f"{path}/cancel/")
    assert cancel.status_code == 403
    assert cancel.json()["code"] == "not_sender"

    cancelled = clerk_client.post(f"{path}/cancel/")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert sql_one("SELECT store_id FROM inventory WHERE inventory_id = %s", [copy]) == (1,)
    assert rent(clerk_client, 1, copy).status_code == 201
    for action in ("receive", "cancel"):
        closed = (
            clerk_client.post(f"{path}/{action}/")
            if action == "cancel"
            else clerk2_client.post(f"{path}/{action}/")
        )
        assert closed.status_code == 409
        assert closed.json() == {
            "detail": "This transfer is no longer in transit.",
            "code": "transfer_closed",
        }


def test_it_hides_transfers_of_other_stores(clerk_client, auth_client, copy):
    store2_copy = sql_one(
        "SELECT inventory_id FROM inventory i WHERE store_id = 2 AND NOT EXISTS ("
        "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL) LIMIT 1"
    )[0]
    theirs = send(auth_client, store2_copy, to_store_id=33).json()
    mine = send(clerk_client, copy).json()

    listed = clerk_client.get("/api/v1/transfers/").json()
    assert [t["transfer_id"] for t in listed["results"]] == [mine["transfer_id"]]
    assert clerk_client.get(f"/api/v1/transfers/{theirs['transfer_id']}/").status_code == 404
    assert clerk_client.post(f"/api/v1/transfers/{theirs['transfer_id']}/receive/").status_code == 404
    assert clerk_client.post(f"/api/v1/transfers/{theirs['transfer_id']}/cancel/").status_code == 404
    assert [
        t["transfer_id"] for t in clerk_client.get("/api/v1/transfers/?store_id=2").json()["results"]
    ] == [mine["transfer_id"]]
    assert theirs["sent_by"] is None  # an unlinked superuser


def test_it_refuses_a_copy_out_on_a_rental_or_set_aside(clerk_client, copy):
    out_at_store_1 = sql_one(
        "SELECT min(r.inventory_id) FROM rental r JOIN inventory i USING (inventory_id) "
        "WHERE r.return_date IS NULL AND i.store_id = 1"
    )[0]
    out = send(clerk_client, out_at_store_1)
    assert out.status_code == 409
    assert out.json() == {"detail": "This copy is out on an open rental.", "code": "not_in_stock"}
    hold = clerk_client.post(
        "/api/v1/customers/1/holds/", {"film_id": film_of_copy(copy), "store_id": 1}, format="json"
    ).json()
    assert hold["inventory_id"] == copy
    held = send(clerk_client, copy)
    assert held.status_code == 409
    assert held.json()["code"] == "held_for_another"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"inventory_id": 999999, "to_store_id": 2}, "inventory_id"),
        ({"inventory_id": "x", "to_store_id": 2}, "inventory_id"),
        ({"to_store_id": 2}, "inventory_id"),
        ({"inventory_id": None, "to_store_id": 2}, "to_store_id"),  # replaced below by a copy of store 1
        ({"inventory_id": None, "to_store_id": 1}, "to_store_id"),
        ({"inventory_id": None, "to_store_id": 100000}, "to_store_id"),
        ({"inventory_id": None}, "to_store_id"),
    ],
)
def test_it_refuses_a_transfer_naming_the_field(clerk_client, copy, body, field):
    body = dict(body)
    if body.get("inventory_id", 0) is None:
        body["inventory_id"] = copy
    if body == {"inventory_id": copy, "to_store_id": 2}:
        # A copy of store 2 for a clerk of store 1: held elsewhere.
        body["inventory_id"] = sql_one("SELECT min(inventory_id) FROM inventory WHERE store_id = 2")[0]
        field = "inventory_id"
    response = clerk_client.post("/api/v1/transfers/", body, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize("query", ["status=lost", "store_id=x", "cursor=nope"])
def test_it_refuses_bad_transfer_filters(auth_client, query):
    response = auth_client.get(f"/api/v1/transfers/?{query}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [query.split("=")[0]]


def test_it_sends_a_copy_to_store_0(auth_client, copy):
    """The chain numbers its stores from 0."""
    sent = send(auth_client, copy, to_store_id=0)
    assert sent.status_code == 201, sent.json()
    assert auth_client.get("/api/v1/transfers/?store_id=0").json()["count"] == 1
