"""A copy's condition through the API: GET /inventory/{id}/, POST /inventory/{id}/condition/, and
what a copy not in good condition can't do."""

from decimal import Decimal

import pytest
from django.utils.dateparse import parse_datetime

from pagila_site.testsupport.data import film_of, sql_one
from pagila_site.testsupport.rentals import rent

pytestmark = pytest.mark.django_db

ALICE, BOB = 1, 12  # store 1's, owing less than CIRCULATION_MAX_BALANCE


@pytest.fixture
def two_copies(db) -> tuple[int, list[int]]:
    """A film with exactly two copies, both at store 1 and on the shelf."""
    film = sql_one(
        "SELECT film_id FROM inventory i GROUP BY film_id "
        "HAVING count(*) FILTER (WHERE store_id = 1) = 2 AND count(*) FILTER (WHERE store_id <> 1) = 0 "
        "AND NOT EXISTS (SELECT 1 FROM rental r JOIN inventory j USING (inventory_id) "
        "                WHERE j.film_id = i.film_id AND r.return_date IS NULL) ORDER BY film_id LIMIT 1"
    )[0]
    copies = [sql_one("SELECT min(inventory_id) FROM inventory WHERE film_id = %s", [film])[0]]
    copies.append(sql_one("SELECT max(inventory_id) FROM inventory WHERE film_id = %s", [film])[0])
    return film, copies


def mark(client, inventory_id, condition, note="Scratched across the middle"):
    return client.post(
        f"/api/v1/inventory/{inventory_id}/condition/", {"condition": condition, "note": note}, format="json"
    )


def test_it_shows_a_copy(clerk_client, two_copies):
    film, (copy, _) = two_copies
    assert clerk_client.get(f"/api/v1/inventory/{copy}/").json() == {
        "inventory_id": copy,
        "film_id": film,
        "store_id": 1,
        "condition": "good",
        "in_stock": True,
        "set_aside_for": None,
        "in_transit": False,
    }
    held = clerk_client.post(
        f"/api/v1/customers/{ALICE}/holds/", {"film_id": film, "store_id": 1}, format="json"
    ).json()
    shown = clerk_client.get(f"/api/v1/inventory/{copy}").json()
    assert shown["set_aside_for"] == {"hold_id": held["hold_id"], "customer_id": ALICE}
    assert shown["in_stock"] is False


def test_a_damaged_copy_cant_be_rented_held_or_sent(clerk_client, two_copies):
    film, (copy, other) = two_copies

    marked = mark(clerk_client, copy, "damaged")

    assert marked.status_code == 200
    assert (marked.json()["condition"], marked.json()["in_stock"]) == ("damaged", False)
    refused = rent(clerk_client, ALICE, copy)
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": "This copy is not in good condition (damaged, lost or withdrawn).",
        "code": "copy_unavailable",
    }
    sent = clerk_client.post("/api/v1/transfers/", {"inventory_id": copy, "to_store_id": 2}, format="json")
    assert (sent.status_code, sent.json()["code"]) == (409, "copy_unavailable")
    # A hold is set aside the good copy, never the damaged one.
    held = clerk_client.post(
        f"/api/v1/customers/{ALICE}/holds/", {"film_id": film, "store_id": 1}, format="json"
    ).json()
    assert held["inventory_id"] == other
    assert clerk_client.get(f"/api/v1/films/{film}/").json()["copies"] == {"total": 2, "in_stock": 0}
    # Its note is the change record's reason.
    [change] = clerk_client.get("/api/v1/changes/", {"table": "inventory", "object_id": copy}).json()[
        "results"
    ]
    assert (change["changes"], change["reason"]) == (
        {"condition": ["good", "damaged"]},
        "Scratched across the middle",
    )


def test_a_set_aside_copy_marked_damaged_sends_its_hold_back_to_the_queue(clerk_client, two_copies):
    film, (copy, other) = two_copies
    out = rent(clerk_client, BOB, other).json()["rental_id"]
    alice = clerk_client.post(
        f"/api/v1/customers/{ALICE}/holds/", {"film_id": film, "store_id": 1}, format="json"
    ).json()
    assert alice["inventory_id"] == copy

    mark(clerk_client, copy, "damaged")

    waiting = clerk_client.get(f"/api/v1/holds/{alice['hold_id']}/").json()
    assert (waiting["status"], waiting["position"], waiting["inventory_id"]) == ("waiting", 1, None)
    # The other copy, back, is hers.
    returned = clerk_client.post(f"/api/v1/rentals/{out}/return/").json()
    assert returned["set_aside_for"] == {"hold_id": alice["hold_id"], "customer_id": ALICE}
    # Repaired, the first copy goes back on the shelf for anyone.
    assert mark(clerk_client, copy, "good", "Polished").json()["in_stock"] is True


def test_a_lost_copy_returns_its_rental_owing_the_replacement_cost(clerk_client, two_copies):
    _, (copy, _) = two_copies
    rental = rent(clerk_client, ALICE, copy).json()

    marked = mark(clerk_client, copy, "lost", "Customer says the disc was stolen")

    assert marked.json()["condition"] == "lost"
    shown = clerk_client.get(f"/api/v1/rentals/{rental['rental_id']}/").json()
    assert shown["return_date"] is not None
    details = film_of(copy)
    # Returned at once: the rate, no day late, and the replacement cost the rule would not add.
    assert Decimal(shown["amount_due"]) == details["rental_rate"] + details["replacement_cost"]
    assert parse_datetime(shown["return_date"]) >= parse_datetime(rental["rental_date"])
    assert sql_one("SELECT lost FROM rental WHERE rental_id = %s", [rental["rental_id"]]) == (True,)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"condition": "broken", "note": "x"}, "condition"),
        ({"note": "x"}, "condition"),
        ({"condition": "damaged"}, "note"),
        ({"condition": "damaged", "note": ""}, "note"),
        ({"condition": "damaged", "note": "x" * 501}, "note"),
    ],
)
def test_it_refuses_a_condition_naming_the_field(clerk_client, two_copies, body, field):
    _, (copy, _) = two_copies
    response = clerk_client.post(f"/api/v1/inventory/{copy}/condition/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert sql_one("SELECT condition FROM inventory WHERE inventory_id = %s", [copy]) == ("good",)


def test_another_stores_copy_is_404(clerk_client):
    theirs = sql_one("SELECT min(inventory_id) FROM inventory WHERE store_id = 2")[0]
    assert clerk_client.get(f"/api/v1/inventory/{theirs}/").status_code == 404
    assert mark(clerk_client, theirs, "damaged").status_code == 404
    assert (
        clerk_client.post(
            f"/api/v1/inventory/{theirs}/condition/", {"condition": "x"}, format="json"
        ).status_code
        == 404
    )
    assert mark(clerk_client, 999999, "damaged").status_code == 404
    assert sql_one("SELECT condition FROM inventory WHERE inventory_id = %s", [theirs]) == ("good",)
