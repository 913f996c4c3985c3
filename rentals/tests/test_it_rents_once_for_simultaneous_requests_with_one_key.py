"""Simultaneous rentals with one Idempotency-Key rent once: the others are replays or 409s.

Real races, as in test_it_rents_a_copy_once_under_a_race: each request has its own thread and
database connection and commits, so the key's row is seen by the others only once committed.
"""

import pytest

from pagila_site.testsupport.concurrency import (
    in_thread,
    other_connection,
    run_together,
    token_client,
    wait_for_lock_waiters,
)
from pagila_site.testsupport.data import sql_one
from pagila_site.testsupport.rentals import rent

pytestmark = pytest.mark.django_db(transaction=True)

IN_PROGRESS = {
    "detail": "A request with this Idempotency-Key is still running; retry once it has finished.",
    "code": "idempotency_in_progress",
}


def _renting(token, inventory_id, key):
    def call():
        response = rent(token_client(token), 1, inventory_id, idempotency_key=key)
        return (
            response.status_code,
            response.json(),
            response.get("Idempotent-Replayed"),
            response.get("Location"),
        )

    return call


def _new_rentals(since: int) -> int:
    return sql_one("SELECT count(*) FROM rental WHERE rental_id > %s", [since])[0]


def test_it_rents_once_for_twenty_simultaneous_requests_with_one_key(
    staff_token, copy_in_stock, created_rentals
):
    last = sql_one("SELECT max(rental_id) FROM rental")[0]

    results = run_together([_renting(staff_token, copy_in_stock, "one-key")] * 20)

    firsts = [result for result in results if result[0] == 201 and result[2] is None]
    assert len(firsts) == 1, results
    (first,) = firsts
    others = [result for result in results if result is not first]
    assert all(
        result in [(201, first[1], "true", first[3]), (409, IN_PROGRESS, None, None)] for result in others
    ), results
    assert _new_rentals(last) == 1


def test_it_answers_a_repeat_while_the_first_still_runs_with_409(staff_token, copy_in_stock, created_rentals):
    client = token_client(staff_token)
    with other_connection() as writer:
        # An open rental of the copy, not committed: the first request's INSERT waits on it in the
        # unique index, inside the rental, its key claimed; rolled back, the first one rents.
        writer.execute(
            "INSERT INTO rental (rental_date, inventory_id, customer_id, staff_id) VALUES (now(), %s, 2, 1)",
            [copy_in_stock],
        )
        thread, first = in_thread(_renting(staff_token, copy_in_stock, "slow"))
        wait_for_lock_waiters(1)
        repeat = rent(client, 1, copy_in_stock, idempotency_key="slow")
        writer.rollback()
        thread.join(30)

    assert (repeat.status_code, repeat.json()) == (409, IN_PROGRESS)
    assert "Idempotent-Replayed" not in repeat
    assert first[0][0] == 201
    after = rent(client, 1, copy_in_stock, idempotency_key="slow")
    assert (after.status_code, after.json(), after["Idempotent-Replayed"]) == (201, first[0][1], "true")
