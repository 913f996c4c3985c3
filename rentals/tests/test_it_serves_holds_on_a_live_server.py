"""Holds and transfers from outside, as a till would use them: the app served for real (gunicorn,
two workers, as ``make run``) on a private copy of Pagila, the hold worker running beside it, every
request over HTTP with the development token.

- the queue's order: three customers hold one film at store 1, two copies come back, the first two
  holds are ready in order and the third waits at position 1;
- a copy set aside is refused to another customer (409) and fulfils its own customer's hold;
- expiry with nothing to run by hand: a ready hold whose ``expires_at`` a plain SQL writer moves to
  the past reads ``expired`` at once, and within a minute the worker sets its copy aside for the
  next hold; the last one's copy goes back on the shelf;
- a transfer makes a copy unrentable until received, then serves a hold at the destination;
- 20 simultaneous returns and rentals around one hold leave exactly one copy set aside and no copy
  both rented and set aside.
"""

import json
import time
import urllib.error
import urllib.request

import psycopg
import pytest

from pagila_site.management.commands.ensure_dev_access import DEV_TOKEN
from pagila_site.testsupport import live
from pagila_site.testsupport.concurrency import run_together

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

# Active customers of store 1 whom the block rule lets rent (owing less than 50.00).
ALICE, BOB, CAROL, DAN = 1, 12, 30, 45


@pytest.fixture(scope="module")
def running(django_db_setup, django_db_blocker):
    """The server and the hold worker on one private database: its URL, and the database's."""
    with live.private_database("test_holds", django_db_blocker) as database_url:
        live.ensure_dev_access(database_url, {})
        with live.serve(database_url, env={}, production=True) as server, live.hold_worker(database_url):
            yield server, database_url


def call(server, method: str, path: str, body=None) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - the local server
        f"{server.url}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {DEV_TOKEN}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the local server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def sql(database_url: str, query: str, params=()) -> list[tuple]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def a_film(database_url: str, copies_at_store_1: int, skip: int = 0) -> tuple[int, list[int]]:
    """A film with exactly that many copies at store 1, none at store 2, none out, no holds: its id
    and copies."""
    (film,) = sql(
        database_url,
        "SELECT film_id FROM inventory i GROUP BY film_id "
        "HAVING count(*) FILTER (WHERE store_id = 1) = %s AND count(*) FILTER (WHERE store_id = 2) = 0 "
        "AND NOT EXISTS (SELECT 1 FROM rental r JOIN inventory j USING (inventory_id) "
        "                WHERE j.film_id = i.film_id AND r.return_date IS NULL) "
        "AND NOT EXISTS (SELECT 1 FROM hold h WHERE h.film_id = i.film_id) "
        "ORDER BY film_id OFFSET %s LIMIT 1",
        [copies_at_store_1, skip],
    )[0]
    copies = [
        row[0]
        for row in sql(
            database_url, "SELECT inventory_id FROM inventory WHERE film_id = %s ORDER BY 1", [film]
        )
    ]
    return film, copies


def rent(server, customer_id, inventory_id):
    return call(
        server,
        "POST",
        f"/api/v1/customers/{customer_id}/rentals/",
        {"inventory_id": inventory_id, "staff_id": 1},
    )


def hold(server, customer_id, film_id, store_id=1):
    return call(
        server, "POST", f"/api/v1/customers/{customer_id}/holds/", {"film_id": film_id, "store_id": store_id}
    )


def shown(server, hold_id) -> dict:
    status, body = call(server, "GET", f"/api/v1/holds/{hold_id}/")
    assert status == 200, body
    return body


def wait_for(predicate, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError("not within a minute")
        time.sleep(0.25)
    return result


def test_it_serves_the_queue_in_order(running):
    server, database_url = running
    film, copies = a_film(database_url, 2)
    rentals = []
    for copy in copies:
        status, body = rent(server, DAN, copy)
        assert status == 201, body
        rentals.append(body["rental_id"])
    holds = []
    for customer in (ALICE, BOB, CAROL):
        status, body = hold(server, customer, film)
        assert status == 201, body
        holds.append(body["hold_id"])

    answers = [call(server, "POST", f"/api/v1/rentals/{rental}/return/") for rental in rentals]

    assert [body["set_aside_for"] for _, body in answers] == [
        {"hold_id": holds[0], "customer_id": ALICE},
        {"hold_id": holds[1], "customer_id": BOB},
    ]
    alice, bob, carol = (shown(server, h) for h in holds)
    assert (alice["status"], alice["inventory_id"]) == ("ready", copies[0])
    assert (bob["status"], bob["inventory_id"]) == ("ready", copies[1])
    assert (carol["status"], carol["position"]) == ("waiting", 1)

    # A copy set aside: another customer is refused, its own customer's rental fulfils the hold.
    status, body = rent(server, CAROL, copies[0])
    assert (status, body["code"]) == (409, "held_for_another")
    status, body = rent(server, ALICE, copies[0])
    assert status == 201, body
    assert shown(server, holds[0])["status"] == "fulfilled"


def test_it_expires_a_ready_hold_with_the_worker_running(running):
    server, database_url = running
    film, (copy, other) = a_film(database_url, 2, skip=1)
    assert rent(server, DAN, other)[0] == 201  # the film's one copy left on the shelf: `copy`
    alice = hold(server, ALICE, film)[1]
    bob = hold(server, BOB, film)[1]
    assert (alice["status"], bob["status"], bob["position"]) == ("ready", "waiting", 1)

    # Any writer may move expires_at; the app reads it afresh.
    sql(
        database_url,
        "UPDATE hold SET expires_at = now() - interval '1 second' WHERE hold_id = %s",
        [alice["hold_id"]],
    )

    assert shown(server, alice["hold_id"])["status"] == "expired"
    ready = wait_for(lambda: (h := shown(server, bob["hold_id"]))["status"] == "ready" and h)
    assert ready["inventory_id"] == copy
    assert sql(
        database_url, "SELECT status, inventory_id FROM hold WHERE hold_id = %s", [alice["hold_id"]]
    ) == [("expired", None)]

    # Nobody waits after Bob: his copy goes back on the shelf.
    sql(database_url, "UPDATE hold SET expires_at = now() WHERE hold_id = %s", [bob["hold_id"]])
    wait_for(lambda: call(server, "GET", f"/api/v1/films/{film}/")[1]["copies"]["in_stock"] == 1)
    assert shown(server, bob["hold_id"])["status"] == "expired"


def test_it_moves_a_copy_to_a_hold_at_another_store(running):
    server, database_url = running
    film, (copy, _) = a_film(database_url, 2, skip=2)
    status, waiting = hold(server, 4, film, store_id=2)  # a store-2 customer; store 2 has no copy
    assert (status, waiting["status"]) == (201, "waiting")

    status, transfer = call(server, "POST", "/api/v1/transfers/", {"inventory_id": copy, "to_store_id": 2})
    assert status == 201, transfer
    status, body = rent(server, ALICE, copy)
    assert (status, body["code"]) == (409, "in_transit")
    assert call(server, "GET", f"/api/v1/films/{film}/")[1]["copies"] == {"total": 2, "in_stock": 1}

    status, received = call(server, "POST", f"/api/v1/transfers/{transfer['transfer_id']}/receive/")
    assert (status, received["status"]) == (200, "received")
    assert (h := shown(server, waiting["hold_id"]))["status"] == "ready"
    assert h["inventory_id"] == copy


def test_it_sets_one_copy_aside_whatever_returns_and_rentals_race_around_one_hold(running):
    server, database_url = running
    film, copies = a_film(database_url, 4)
    rentals = []
    for copy in copies:
        status, body = rent(server, DAN, copy)
        assert status == 201, body
        rentals.append(body["rental_id"])
    status, waiting = hold(server, ALICE, film)
    assert waiting["status"] == "waiting"
    # Customers of stores 1 and 2 whom the block rule lets rent.
    others = [54, 62, 63, 79, 81, 89, 93, 96, 6, 18, 20, 31, 34, 36, 66, 70]

    # Every copy comes back at once while 16 other customers try to rent each of them.
    calls = [lambda r=r: call(server, "POST", f"/api/v1/rentals/{r}/return/") for r in rentals]
    calls += [lambda c=c, i=i: rent(server, c, copies[i % 4]) for i, c in enumerate(others)]
    results = run_together(calls)

    assert all(status < 500 for status, _ in results), results
    set_aside = sql(
        database_url, "SELECT inventory_id FROM hold WHERE film_id = %s AND status = 'ready'", [film]
    )
    assert len(set_aside) == 1
    assert shown(server, waiting["hold_id"])["status"] == "ready"
    both = sql(
        database_url,
        "SELECT h.inventory_id FROM hold h JOIN rental r ON r.inventory_id = h.inventory_id "
        "WHERE h.status = 'ready' AND r.return_date IS NULL",
    )
    assert both == []
    # The returns all answered, and exactly one of them set its copy aside for Alice.
    returns = results[: len(rentals)]
    assert [status for status, _ in returns] == [200] * 4
    assert sum(body["set_aside_for"] is not None for _, body in returns) == 1
