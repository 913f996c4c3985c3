"""A key whose first request failed with a 5xx, or whose answer is over 24 hours old, runs again."""

from datetime import timedelta

import pytest
from django.db.models.functions import Now
from rest_framework.exceptions import APIException

from pagila_site.models import IdempotencyKey
from pagila_site.testsupport.rentals import rent
from rentals import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_once(monkeypatch):
    """Makes the next rental fail with ``exc`` before it writes; later ones go through."""

    def fail_with(exc):
        def rental_create(**kwargs):
            monkeypatch.setattr("rentals.views.rental_create", services.rental_create)
            raise exc

        monkeypatch.setattr("rentals.views.rental_create", rental_create)

    return fail_with


@pytest.mark.parametrize(
    ("exc", "status"),
    [(RuntimeError("the view broke"), 500), (APIException(), 500)],
    ids=["raised", "answered"],
)
def test_it_keeps_no_5xx_and_runs_the_retry(auth_client, copy_in_stock, failing_once, exc, status):
    auth_client.raise_request_exception = False
    failing_once(exc)
    failed = rent(auth_client, 1, copy_in_stock, idempotency_key="flaky")
    assert failed.status_code == status
    assert not IdempotencyKey.objects.filter(key="flaky").exists()

    retry = rent(auth_client, 1, copy_in_stock, idempotency_key="flaky")
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert IdempotencyKey.objects.get(key="flaky").status == 201


def test_it_runs_a_key_older_than_24_hours_again_and_keeps_the_new_answer(auth_client, copy_in_stock):
    first = rent(auth_client, 1, copy_in_stock, idempotency_key="yesterday")
    auth_client.post(f"/api/v1/rentals/{first.json()['rental_id']}/return/")
    IdempotencyKey.objects.filter(key="yesterday").update(created_at=Now() - timedelta(hours=24, seconds=1))

    again = rent(auth_client, 1, copy_in_stock, idempotency_key="yesterday")
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert again.json()["rental_id"] != first.json()["rental_id"]
    replayed = rent(auth_client, 1, copy_in_stock, idempotency_key="yesterday")
    assert (replayed.status_code, replayed["Idempotent-Replayed"]) == (201, "true")
    assert replayed.json() == again.json()
