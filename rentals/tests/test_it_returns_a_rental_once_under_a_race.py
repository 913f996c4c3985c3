"""Simultaneous returns of one rental: one 200, the rest 409 already_returned, never a 500.

Real races in threads with their own connections; the rentals created are deleted after.
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
from rentals.models import Rental

pytestmark = pytest.mark.django_db(transaction=True)

ALREADY_RETURNED = {"detail": "This rental has already been returned.", "code": "already_returned"}


@pytest.fixture
def open_rental(copy_in_stock):
    """An open rental of ours (Pagila's own open rentals stay untouched), deleted afterwards."""
    rental_id = sql_one(
        "INSERT INTO rental (rental_date, inventory_id, customer_id, staff_id) "
        "VALUES (now() - interval '10 days', %s, 1, 1) RETURNING rental_id",
        [copy_in_stock],
    )[0]
    yield rental_id
    Rental.objects.filter(rental_id=rental_id).delete()


def _return(token, rental_id):
    def call():
        response = token_client(token).post(f"/api/v1/rentals/{rental_id}/return/")
        return response.status_code, response.json()

    return call


def test_it_returns_a_rental_once_of_ten_simultaneous_returns(staff_token, open_rental):
    results = run_together([_return(staff_token, open_rental) for _ in range(10)])

    assert sorted(status for status, _body in results) == [200] + [409] * 9, results
    assert [body for status, body in results if status == 409] == [ALREADY_RETURNED] * 9
    returned = next(body for status, body in results if status == 200)
    stored = Rental.objects.filter(pk=open_rental).values_list("return_date", flat=True).get()
    assert returned["return_date"] == stored.isoformat().replace("+00:00", "Z")


def test_it_refuses_a_return_that_waited_for_another_one(staff_token, open_rental):
    with other_connection() as other:
        # Another session is returning the rental and hasn't committed yet.
        other.execute("UPDATE rental SET return_date = now() WHERE rental_id = %s", [open_rental])
        thread, results = in_thread(_return(staff_token, open_rental))
        wait_for_lock_waiters(1)  # our return waits on the row lock...
        other.commit()  # ...then reads the committed return_date.
        thread.join(30)

    assert results == [(409, ALREADY_RETURNED)]
