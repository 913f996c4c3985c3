"""Simultaneous payments of one rental never together exceed what it owes.

Real races in threads with their own connections; what they commit is deleted afterwards.
"""

from decimal import Decimal

import pytest

from pagila_site.testsupport.concurrency import (
    in_thread,
    other_connection,
    run_together,
    token_client,
    wait_for_lock_waiters,
)
from pagila_site.testsupport.data import film_of, sql_one
from pagila_site.testsupport.rentals import pay, returned_rental
from rentals.models import Payment, Rental

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def owing_rental(copy_in_stock):
    """A rental of ours, returned on time: it owes its film's rate. Deleted with its payments after."""
    rental_id = returned_rental(copy_in_stock, days=1)
    yield rental_id, film_of(copy_in_stock)["rental_rate"]
    Payment.objects.filter(rental_id=rental_id).delete()
    Rental.objects.filter(rental_id=rental_id).delete()


def _paying(token, rental_id, amount):
    def call():
        response = pay(token_client(token), rental_id, f"{amount}")
        return response.status_code, response.json()

    return call


def _paid(rental_id: int) -> Decimal:
    return sql_one("SELECT coalesce(sum(amount), 0) FROM payment WHERE rental_id = %s", [rental_id])[0]


def test_it_takes_one_of_twenty_simultaneous_payments_of_the_whole_balance(staff_token, owing_rental):
    rental_id, owed = owing_rental

    results = run_together([_paying(staff_token, rental_id, owed) for _ in range(20)])

    assert sorted(status for status, _body in results) == [201] + [409] * 19, results
    refusal = {
        "detail": f"The payment of {owed} exceeds the rental's balance of 0.00.",
        "code": "overpayment",
    }
    assert [body for status, body in results if status == 409] == [refusal] * 19
    assert _paid(rental_id) == owed


def test_it_never_takes_more_than_owed_from_simultaneous_partial_payments(staff_token, owing_rental):
    rental_id, owed = owing_rental
    quarter = Decimal("0.25")
    # Twenty quarters are 5.00, more than any rate (0.99 to 4.99): some must be refused.
    results = run_together([_paying(staff_token, rental_id, quarter) for _ in range(20)])

    taken = int(owed // quarter)
    assert sorted(status for status, _body in results) == [201] * taken + [409] * (20 - taken), results
    assert _paid(rental_id) == taken * quarter <= owed


def test_it_judges_a_payment_that_waited_against_the_one_before(staff_token, owing_rental):
    rental_id, owed = owing_rental
    with other_connection() as other:
        # The counter's other till is paying the whole balance and hasn't committed yet.
        other.execute("SELECT 1 FROM rental WHERE rental_id = %s FOR UPDATE", [rental_id])
        other.execute(
            "INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date) "
            "VALUES (1, 1, %s, %s, now())",
            [rental_id, owed],
        )
        thread, results = in_thread(_paying(staff_token, rental_id, Decimal("0.01")))
        wait_for_lock_waiters(1)  # our payment waits on the rental's row lock...
        other.commit()  # ...then sees the committed payment.
        thread.join(30)

    assert results == [
        (409, {"detail": "The payment of 0.01 exceeds the rental's balance of 0.00.", "code": "overpayment"})
    ]
