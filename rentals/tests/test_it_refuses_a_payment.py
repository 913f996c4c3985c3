"""POST /api/v1/rentals/{rental_id}/payments/ refused: bad amounts are 400, more than the balance 409.

A refused payment stores nothing.
"""

import pytest

from pagila_site.testsupport.data import sql_one
from pagila_site.testsupport.rentals import pay

pytestmark = pytest.mark.django_db

OWING_RENTAL = 1476  # owes 12.99 (see test_it_pays_for_a_rental)
PAID_RENTAL = 1  # returned on time, its 2.99 paid by Pagila's payment 16940


def _payments() -> int:
    return sql_one("SELECT count(*) FROM payment")[0]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "Ensure this value is greater than or equal to 0.01."),
        ("0.00", "Ensure this value is greater than or equal to 0.01."),
        ("-1.00", "Ensure this value is greater than or equal to 0.01."),
        ("1.999", "Ensure that there are no more than 2 decimal places."),
        ("1000.00", "Ensure this value is less than or equal to 999.99."),
        ("abc", "A valid number is required."),
        ("NaN", "A valid number is required."),
        (None, "This field may not be null."),
    ],
)
def test_it_refuses_an_amount_it_cannot_take(auth_client, amount, message):
    response = pay(auth_client, OWING_RENTAL, amount)
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Invalid input: amount: {message}",
        "code": "invalid",
        "errors": {"amount": [message]},
    }
    assert _payments() == 16049


def test_it_refuses_a_missing_amount(auth_client):
    response = pay(auth_client, OWING_RENTAL, body={"staff_id": 1})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input: amount: This field is required.",
        "code": "invalid",
        "errors": {"amount": ["This field is required."]},
    }


def test_it_refuses_more_than_the_balance(auth_client):
    response = pay(auth_client, OWING_RENTAL, "13.00")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "The payment of 13.00 exceeds the rental's balance of 12.99.",
        "code": "overpayment",
    }
    assert _payments() == 16049


def test_it_refuses_any_payment_of_a_paid_rental(auth_client):
    response = pay(auth_client, PAID_RENTAL, "0.01")
    assert response.status_code == 409
    assert response.json()["code"] == "overpayment"


@pytest.mark.parametrize("rental_id", [999999, 2**31])
def test_it_answers_404_for_an_unknown_rental(auth_client, rental_id):
    response = pay(auth_client, rental_id)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_refuses_an_unknown_staff_member(auth_client):
    response = pay(auth_client, OWING_RENTAL, staff_id=999999)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input: staff_id: No staff member with id 999999.",
        "code": "invalid",
        "errors": {"staff_id": ["No staff member with id 999999."]},
    }
    assert _payments() == 16049


def test_it_refuses_an_inactive_staff_member(auth_client):
    sql_one("UPDATE staff SET active = false WHERE staff_id = 2 RETURNING staff_id")
    response = pay(auth_client, OWING_RENTAL, staff_id=2)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input: staff_id: Staff member 2 is inactive.",
        "code": "invalid",
        "errors": {"staff_id": ["Staff member 2 is inactive."]},
    }


def test_it_requires_a_token(api_client):
    response = pay(api_client, OWING_RENTAL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
