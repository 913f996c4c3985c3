"""Idempotency-Key is 1-255 printable ASCII characters; anything else is a 400 naming it."""

import pytest

pytestmark = pytest.mark.django_db

PATH = "/api/v1/customers/1/subscriptions/"
BODY = {"plan_name": "Gold", "start_date": "2026-01-01"}


@pytest.mark.parametrize("key", ["", "k" * 256, "tab\there", "bell\x07", "del\x7f", "caf\u00e9"], ids=repr)
def test_it_refuses_a_malformed_key_with_400_and_writes_nothing(auth_client, key):
    response = auth_client.post(PATH, BODY, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input: Idempotency-Key: Must be 1 to 255 printable ASCII characters.",
        "code": "invalid",
        "errors": {"Idempotency-Key": ["Must be 1 to 255 printable ASCII characters."]},
    }
    assert auth_client.get(PATH).json()["count"] == 0


@pytest.mark.parametrize("key", ["k" * 255, "~", "order 42/A:b=c"], ids=["255 chars", "one", "spaces"])
def test_it_takes_any_printable_ascii_key(auth_client, key):
    response = auth_client.post(PATH, BODY, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 201
