"""Holds through the API: placing, the queue's order, what a return sets aside, renting a copy set
aside, cancelling, and every refusal the contract names."""

import pytest
from django.db import connection

from pagila_site.testsupport.data import sql_all, sql_one
from pagila_site.testsupport.rentals import rent

pytestmark = pytest.mark.django_db

STORE = 1
# Active customers of store 1 whom the block rule lets rent (owing less than 50.00; Pagila's customer
# 16 is inactive, 4 belongs to store 2).
ALICE, BOB, CAROL, DAN = 1, 12, 30, 45


@pytest.fixture
def film() -> int:
    """A film with exactly two copies at store 1, none of them out, and none at store 2."""
    return sql_one(
        "SELECT film_id FROM inventory i GROUP BY film_id "
        "HAVING count(*) FILTER (WHERE store_id = 1) = 2 AND count(*) FILTER (WHERE store_id = 2) = 0 "
        "AND NOT EXISTS (SELECT 1 FROM rental r JOIN inventory j USING (inventory_id) "
        "                WHERE j.film_id = i.film_id AND r.return_date IS NULL) "
        "ORDER BY film_id LIMIT 1"
    )[0]


def copies(film: int) -> list[int]:
    return [
        row[0] for row in sql_all("SELECT inventory_id FROM inventory WHERE film_id = %s ORDER BY 1", [film])
    ]


def hold(client, customer_id, film_id, store_id=STORE):
    return client.post(
        f"/api/v1/customers/{customer_id}/holds/", {"film_id": film_id, "store_id": store_id}, format="json"
    )


def rented_out(client, film) -> list[int]:
    """Rent every copy of ``film`` to DAN; their rental ids."""
    rentals = []
    for copy in copies(film):
        response = rent(client, DAN, copy)
        assert response.status_code == 201, response.json()
        rentals.append(response.json()["rental_id"])
    return rentals


def test_it_sets_returned_copies_aside_for_the_queue_in_order(auth_client, film):
    first_rental, second_rental = rented_out(auth_client, film)
    placed = [hold(auth_client, customer, film) for customer in (ALICE, BOB, CAROL)]
    assert [r.status_code for r in placed] == [201] * 3
    assert [(r.json()["status"], r.json()["position"]) for r in placed] == [
        ("waiting", 1),
        ("waiting", 2),
        ("waiting", 3),
    ]
    assert placed[0]["Location"] == f"/api/v1/holds/{placed[0].json()['hold_id']}/"

    first = auth_client.post(f"/api/v1/rentals/{first_rental}/return/").json()
    second = auth_client.post(f"/api/v1/rentals/{second_rental}/return/").json()

    alice, bob, carol = (p.json()["hold_id"] for p in placed)
    assert first["set_aside_for"] == {"hold_id": alice, "customer_id": ALICE}
    assert second["set_aside_for"] == {"hold_id": bob, "customer_id": BOB}
    shown = {h: auth_client.get(f"/api/v1/holds/{h}/").json() for h in (alice, bob, carol)}
    assert shown[alice]["status"] == shown[bob]["status"] == "ready"
    assert shown[alice]["inventory_id"] == first["inventory_id"]
    assert shown[bob]["inventory_id"] == second["inventory_id"]
    assert shown[alice]["position"] is None
    assert shown[carol]["status"] == "waiting"
    assert shown[carol]["position"] == 1
    assert shown[carol]["inventory_id"] is None
    # HOLD_READY_DAYS (3) after ready_at.
    ready_for = sql_one("SELECT expires_at - ready_at FROM hold WHERE hold_id = %s", [alice])[0]
    assert ready_for.days == 3


def test_it_makes_a_hold_ready_at_once_with_a_copy_on_the_shelf(auth_client, film):
    response = hold(auth_client, ALICE, film)

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "ready"
    assert body["inventory_id"] == copies(film)[0]
    assert body["position"] is None
    assert body["ready_at"]
    assert body["expires_at"]
    # The film detail no longer counts it in stock.
    assert auth_client.get(f"/api/v1/films/{film}/").json()["copies"] == {"total": 2, "in_stock": 1}


def test_it_refuses_a_copy_set_aside_to_another_customer_and_rents_it_to_its_own(auth_client, film):
    ready = hold(auth_client, ALICE, film).json()
    copy = ready["inventory_id"]

    refused = rent(auth_client, BOB, copy)
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": "This copy is set aside for another customer's hold.",
        "code": "held_for_another",
    }

    rented = rent(auth_client, ALICE, copy)
    assert rented.status_code == 201
    fulfilled = auth_client.get(f"/api/v1/holds/{ready['hold_id']}/").json()
    assert fulfilled["status"] == "fulfilled"
    assert fulfilled["inventory_id"] == copy
    assert (
        sql_one("SELECT rental_id FROM hold WHERE hold_id = %s", [ready["hold_id"]])[0]
        == rented.json()["rental_id"]
    )


def test_it_fulfils_a_hold_with_another_copy_and_puts_the_set_aside_one_back(auth_client, film):
    first, second = copies(film)
    alice = hold(auth_client, ALICE, film).json()
    assert alice["inventory_id"] == first

    assert rent(auth_client, ALICE, second).status_code == 201

    fulfilled = auth_client.get(f"/api/v1/holds/{alice['hold_id']}/").json()
    assert (fulfilled["status"], fulfilled["inventory_id"]) == ("fulfilled", second)
    # The first copy is nobody's now: back on the shelf.
    assert auth_client.get(f"/api/v1/films/{film}/").json()["copies"] == {"total": 2, "in_stock": 1}
    assert rent(auth_client, BOB, first).status_code == 201


def test_it_cancels_a_ready_hold_and_sets_its_copy_aside_for_the_next(auth_client, film):
    rentals = rented_out(auth_client, film)
    alice = hold(auth_client, ALICE, film).json()
    bob = hold(auth_client, BOB, film).json()
    auth_client.post(f"/api/v1/rentals/{rentals[0]}/return/")  # set aside for Alice

    response = auth_client.post(f"/api/v1/holds/{alice['hold_id']}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["inventory_id"] is None
    bob_now = auth_client.get(f"/api/v1/holds/{bob['hold_id']}/").json()
    assert bob_now["status"] == "ready"
    assert bob_now["inventory_id"] == copies(film)[0]
    again = auth_client.post(f"/api/v1/holds/{alice['hold_id']}/cancel/")
    assert again.status_code == 409
    assert again.json()["code"] == "hold_closed"


def test_it_reads_a_ready_hold_past_its_expiry_as_expired(auth_client, film):
    ready = hold(auth_client, ALICE, film).json()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE hold SET expires_at = now() - interval '1 second' WHERE hold_id = %s", [ready["hold_id"]]
        )

    shown = auth_client.get(f"/api/v1/holds/{ready['hold_id']}/").json()
    assert shown["status"] == "expired"
    assert shown["inventory_id"] is None
    listed = auth_client.get("/api/v1/holds/", {"status": "expired", "film_id": film}).json()
    assert [h["hold_id"] for h in listed["results"]] == [ready["hold_id"]]
    assert auth_client.get("/api/v1/holds/", {"status": "ready", "film_id": film}).json()["results"] == []
    # Its copy names no hold now, though no one has passed it on yet: in stock for no one.
    copy = auth_client.get(f"/api/v1/inventory/{ready['inventory_id']}/").json()
    assert (copy["set_aside_for"], copy["in_stock"]) == (None, False)
    # A rental of the copy passes it on first, as the worker would: nobody waits, so Bob may rent it.
    assert rent(auth_client, BOB, ready["inventory_id"]).status_code == 201
    assert sql_one("SELECT status FROM hold WHERE hold_id = %s", [ready["hold_id"]])[0] == "expired"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"film_id": 1, "store_id": 2}, "store_id"),  # not one of the clerk's stores
        ({"film_id": 1, "store_id": 999}, "store_id"),
        ({"film_id": 100000, "store_id": 1}, "film_id"),
        ({"film_id": "x", "store_id": 1}, "film_id"),
        ({"store_id": 1}, "film_id"),
        ({"film_id": 1}, "store_id"),
    ],
)
def test_it_refuses_a_hold_naming_the_field(clerk_client, body, field):
    response = clerk_client.post(f"/api/v1/customers/{ALICE}/holds/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_it_refuses_holds_for_customers_out_of_scope_inactive_or_holding(clerk_client, auth_client, film):
    assert hold(clerk_client, 4, film).status_code == 404  # a store-2 customer
    assert hold(clerk_client, 600, film).status_code == 404
    inactive = hold(auth_client, 16, film)
    assert inactive.status_code == 409
    assert inactive.json()["code"] == "customer_inactive"
    assert hold(clerk_client, ALICE, film).status_code == 201
    again = hold(clerk_client, ALICE, film, store_id=25)  # another store: still one per film
    assert again.status_code == 409
    assert again.json() == {
        "detail": "This customer already has an open hold for this film.",
        "code": "already_holding",
    }


def test_it_keeps_one_open_hold_per_customer_and_film_in_the_database(film):
    sql_one("INSERT INTO hold (customer_id, film_id, store_id) VALUES (1, %s, 1) RETURNING hold_id", [film])
    with pytest.raises(Exception, match="hold_one_open_per_customer_film"):
        sql_one(
            "INSERT INTO hold (customer_id, film_id, store_id) VALUES (1, %s, 2) RETURNING hold_id", [film]
        )


def test_it_scopes_holds_to_the_callers_stores(clerk_client, auth_client, film):
    store2 = hold(auth_client, 4, film, store_id=2).json()  # a store-2 customer at store 2
    mine = hold(clerk_client, ALICE, film).json()

    listed = clerk_client.get("/api/v1/holds/").json()
    assert [h["hold_id"] for h in listed["results"]] == [mine["hold_id"]]
    assert listed["count"] == 1
    assert clerk_client.get(f"/api/v1/holds/{store2['hold_id']}/").status_code == 404
    assert clerk_client.post(f"/api/v1/holds/{store2['hold_id']}/cancel/").status_code == 404
    assert clerk_client.get("/api/v1/customers/4/holds/").status_code == 404
    assert [
        h["hold_id"] for h in clerk_client.get(f"/api/v1/customers/{ALICE}/holds/").json()["results"]
    ] == [mine["hold_id"]]


@pytest.mark.parametrize(
    "query", ["status=maybe", "store_id=x", "film_id=-1", "customer_id=abc", "cursor=zzz"]
)
def test_it_refuses_bad_hold_filters(auth_client, query):
    response = auth_client.get(f"/api/v1/holds/?{query}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [query.split("=")[0]]


def test_it_records_who_placed_a_hold(auth_client, film):
    placed = hold(auth_client, ALICE, film).json()
    change = auth_client.get("/api/v1/changes/", {"table": "hold", "object_id": placed["hold_id"]}).json()
    assert [(c["action"], c["user"]) for c in change["results"]] == [("insert", "staff")]


def test_it_places_a_hold_once_for_one_idempotency_key(auth_client, film):
    first = auth_client.post(
        f"/api/v1/customers/{ALICE}/holds",
        {"film_id": film, "store_id": STORE},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    again = auth_client.post(
        f"/api/v1/customers/{ALICE}/holds",
        {"film_id": film, "store_id": STORE},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert sql_one("SELECT count(*) FROM hold WHERE customer_id = %s", [ALICE]) == (1,)
    other_body = auth_client.post(
        f"/api/v1/customers/{ALICE}/holds",
        {"film_id": film, "store_id": 2},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert other_body.status_code == 422
    assert other_body.json()["code"] == "idempotency_key_reused"


def test_it_guards_holds_like_every_protected_endpoint(api_client, storeless_client, film):
    for path in ("/api/v1/holds/", "/api/v1/holds/1/", f"/api/v1/customers/{ALICE}/holds/"):
        response = api_client.get(path)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"] == "Bearer"
        assert storeless_client.get(path).json()["code"] == "no_store", path
    assert api_client.post("/api/v1/holds/1/cancel/").status_code == 401
    assert (
        storeless_client.post(
            f"/api/v1/customers/{ALICE}/holds/", {"film_id": film, "store_id": 1}
        ).status_code
        == 403
    )


def test_it_places_a_hold_again_once_the_last_reads_expired(auth_client, film):
    """The worker need not have come by: an expired hold holds nothing."""
    first = hold(auth_client, ALICE, film).json()
    bob = hold(auth_client, BOB, film).json()  # ready with the second copy
    with connection.cursor() as cursor:
        cursor.execute("UPDATE hold SET expires_at = now() WHERE hold_id = %s", [first["hold_id"]])

    again = hold(auth_client, ALICE, film)

    assert again.status_code == 201, again.json()
    # Alice's first copy went back on the shelf and came straight to her new hold.
    assert again.json()["status"] == "ready"
    assert again.json()["inventory_id"] == first["inventory_id"]
    assert auth_client.get(f"/api/v1/holds/{first['hold_id']}/").json()["status"] == "expired"
    assert sql_one("SELECT status FROM hold WHERE hold_id = %s", [first["hold_id"]]) == ("expired",)
    assert auth_client.get(f"/api/v1/holds/{bob['hold_id']}/").json()["status"] == "ready"


def test_it_places_a_hold_at_store_0(auth_client, film):
    placed = hold(auth_client, ALICE, film, store_id=0)
    assert (placed.status_code, placed.json()["status"]) == (201, "waiting")  # store 0 holds no copy
    assert auth_client.get("/api/v1/holds/?store_id=0").json()["count"] == 1
