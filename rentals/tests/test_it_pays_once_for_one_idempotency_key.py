"""POST /api/v1/rentals/{id}/payments/ repeated with its Idempotency-Key pays once."""

from decimal import Decimal

import pytest

from pagila_site.testsupport.rentals import amount_paid, pay

pytestmark = pytest.mark.django_db

RENTAL = 1476  # customer 1's, still owing 12.99


def test_it_pays_once_and_answers_the_repeat_with_the_first_answer(auth_client):
    before = amount_paid(RENTAL)
    first = pay(auth_client, RENTAL, "5.00", idempotency_key="pay-1476")
    again = pay(auth_client, RENTAL, "5.00", idempotency_key="pay-1476")

    assert first.status_code == 201
    assert (again.status_code, again["Idempotent-Replayed"]) == (201, "true")
    assert again.json() == first.json()
    assert again["Location"] == first["Location"] == f"/api/v1/payments/{first.json()['payment_id']}/"
    assert amount_paid(RENTAL) == before + Decimal("5.00")


def test_it_refuses_the_key_with_another_amount(auth_client):
    pay(auth_client, RENTAL, "5.00", idempotency_key="pay-1476")
    response = pay(auth_client, RENTAL, "6.00", idempotency_key="pay-1476")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
