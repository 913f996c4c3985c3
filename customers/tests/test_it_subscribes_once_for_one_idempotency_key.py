"""POST /api/v1/customers/{id}/subscriptions/ repeated with its Idempotency-Key subscribes once."""

import pytest

from customers.models import StreamingSubscription

pytestmark = pytest.mark.django_db


def test_it_subscribes_once(auth_client):
    body = {"plan_name": "Gold", "start_date": "2026-01-01"}
    path = "/api/v1/customers/5/subscriptions/"
    first = auth_client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="subscribe-5")
    again = auth_client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="subscribe-5")

    assert first.status_code == 201
    assert (again.status_code, again["Idempotent-Replayed"]) == (201, "true")
    assert again.json() == first.json()
    assert StreamingSubscription.objects.filter(customer_id=5).count() == 1
