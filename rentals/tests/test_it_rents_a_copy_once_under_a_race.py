"""Simultaneous rentals of one copy: exactly one succeeds, the rest are 409, never a 500.

Real races: every request runs in its own thread with its own database connection and
commits for real, so these tests delete the rentals they created.
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

NOT_IN_STOCK = {"detail": "This copy is out on an open rental.", "code": "not_in_stock"}


def _renting(token, customer_id, inventory_id):
    """A rental for run_together or in_thread, answering (status, body)."""

    def call():
        response = rent(token_client(token), customer_id, inventory_id)
        return response.status_code, response.json()

    return call


def test_it_rents_a_copy_to_exactly_one_of_twenty_simultaneous_requests(
    staff_token, copy_in_stock, created_rentals
):
    # Twenty active customers the block rule lets rent (owing less than 50.00, nothing overdue).
    customers = [1, 12, 30, 45, 54, 62, 63, 79, 81, 89, 93, 96, 98, 104, 117, 118, 119, 126, 128, 129]

    results = run_together([_renting(staff_token, customer, copy_in_stock) for customer in customers])

    statuses = sorted(result[0] for result in results)
    assert statuses == [201] + [409] * 19, results
    assert [body for status, body in results if status == 409] == [NOT_IN_STOCK] * 19
    assert sql_one(
        "SELECT count(*) FROM rental WHERE inventory_id = %s AND return_date IS NULL", [copy_in_stock]
    ) == (1,)


def test_it_refuses_a_copy_that_a_racing_sql_writer_reopened(staff_token, copy_in_stock, created_rentals):
    # A returned rental of the copy, which "someone else" reopens with plain SQL, skipping the
    # inventory lock the service takes. Only the unique index can stop the API's insert then.
    returned = sql_one(
        "INSERT INTO rental (rental_date, inventory_id, customer_id, staff_id, return_date) "
        "VALUES (now() - interval '2 days', %s, 2, 1, now() - interval '1 day') RETURNING rental_id",
        [copy_in_stock],
    )[0]
    with other_connection() as writer:
        writer.execute("UPDATE rental SET return_date = NULL WHERE rental_id = %s", [returned])
        # The API request sees no open rental (the writer hasn't committed), inserts, and
        # waits on the writer's uncommitted index entry...
        thread, thread_results = in_thread(_renting(staff_token, 1, copy_in_stock))
        wait_for_lock_waiters(1)
        writer.commit()  # ...until the writer commits: a unique violation, which must be a 409.
        thread.join(30)

    assert thread_results == [(409, NOT_IN_STOCK)]
    assert sql_one(
        "SELECT count(*) FROM rental WHERE inventory_id = %s AND return_date IS NULL", [copy_in_stock]
    ) == (1,)
