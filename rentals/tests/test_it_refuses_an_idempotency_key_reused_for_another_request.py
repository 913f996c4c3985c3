"""One Idempotency-Key is one request: another body or path with it is 422; another user's is theirs."""

import pytest

from pagila_site.testsupport.data import sql_one
from pagila_site.testsupport.rentals import rent

pytestmark = pytest.mark.django_db

REUSED = {
    "detail": "This Idempotency-Key was sent with another path or body; use a new key.",
    "code": "idempotency_key_reused",
}


def _rental_count() -> int:
    return sql_one("SELECT count(*) FROM rental")[0]


def test_it_refuses_the_key_with_another_body(auth_client, copy_in_stock):
    rent(auth_client, 1, copy_in_stock, idempotency_key="k-1")
    before = _rental_count()
    response = rent(auth_client, 1, copy_in_stock, staff_id=2, idempotency_key="k-1")
    assert response.status_code == 422
    assert response.json() == REUSED
    assert "Idempotent-Replayed" not in response
    assert _rental_count() == before


def test_it_refuses_the_key_on_another_path(auth_client, copy_in_stock):
    rent(auth_client, 1, copy_in_stock, idempotency_key="k-2")
    before = _rental_count()
    response = rent(auth_client, 2, copy_in_stock, idempotency_key="k-2")
    assert response.status_code == 422
    assert response.json() == REUSED
    assert _rental_count() == before


def test_it_keeps_another_users_same_key_apart(auth_client, clerk_client, copy_in_stock):
    first = rent(auth_client, 1, copy_in_stock, idempotency_key="shared")
    theirs = rent(clerk_client, 1, copy_in_stock, idempotency_key="shared")

    assert first.status_code == 201
    # Run for real, not replayed: the copy is out by now.
    assert theirs.status_code == 409
    assert "Idempotent-Replayed" not in theirs
    assert theirs.json() == {"detail": "This copy is out on an open rental.", "code": "not_in_stock"}
