"""GET|PATCH|DELETE /api/v1/subscriptions/{subscription_id}/."""

import pytest

from customers.models import StreamingSubscription

pytestmark = pytest.mark.django_db

END_BEFORE_START = {
    "detail": "Invalid input: end_date: end_date must be on or after start_date.",
    "code": "invalid",
    "errors": {"end_date": ["end_date must be on or after start_date."]},
}


def test_it_shows_a_subscription(auth_client, subscription):
    response = auth_client.get(f"/api/v1/subscriptions/{subscription.pk}/")
    assert response.status_code == 200
    assert response.json() == {
        "id": subscription.pk,
        "customer_id": 1,
        "plan_name": "Basic",
        "start_date": "2025-01-01",
        "end_date": "2025-12-31",
    }


def test_it_renames_the_plan(auth_client, subscription):
    response = auth_client.patch(
        f"/api/v1/subscriptions/{subscription.pk}/", {"plan_name": "Gold"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["plan_name"] == "Gold"
    assert response.json()["end_date"] == "2025-12-31"
    assert StreamingSubscription.objects.get(pk=subscription.pk).plan_name == "Gold"


def test_it_ends_a_subscription_open_ended(auth_client, subscription):
    response = auth_client.patch(
        f"/api/v1/subscriptions/{subscription.pk}/", {"end_date": None}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["end_date"] is None


def test_it_refuses_an_end_date_before_the_stored_start_date(auth_client, subscription):
    response = auth_client.patch(
        f"/api/v1/subscriptions/{subscription.pk}/", {"end_date": "2024-12-31"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == END_BEFORE_START
    assert StreamingSubscription.objects.get(pk=subscription.pk).end_date.isoformat() == "2025-12-31"


def test_it_refuses_a_start_date_after_the_stored_end_date(auth_client, subscription):
    response = auth_client.patch(
        f"/api/v1/subscriptions/{subscription.pk}/", {"start_date": "2026-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == END_BEFORE_START


def test_it_refuses_a_blank_plan_name(auth_client, subscription):
    response = auth_client.patch(
        f"/api/v1/subscriptions/{subscription.pk}/", {"plan_name": ""}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"plan_name": ["This field may not be blank."]}


def test_it_keeps_the_customer_whatever_the_body_says(auth_client, subscription):
    response = auth_client.patch(
        f"/api/v1/subscriptions/{subscription.pk}/", {"customer_id": 2}, format="json"
    )
    assert response.json()["customer_id"] == 1


def test_it_offers_no_put(auth_client, subscription):
    response = auth_client.put(
        f"/api/v1/subscriptions/{subscription.pk}/",
        {"plan_name": "Gold", "start_date": "2025-01-01", "end_date": None},
        format="json",
    )
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "PUT" not allowed.', "code": "method_not_allowed"}


def test_it_deletes_a_subscription(auth_client, subscription):
    response = auth_client.delete(f"/api/v1/subscriptions/{subscription.pk}/")
    assert response.status_code == 204
    assert response.content == b""
    assert auth_client.get(f"/api/v1/subscriptions/{subscription.pk}/").status_code == 404


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
@pytest.mark.parametrize("subscription_id", ["999999", str(2**63), "abc"])
def test_it_answers_404_for_an_unknown_subscription(auth_client, method, subscription_id):
    response = getattr(auth_client, method)(f"/api/v1/subscriptions/{subscription_id}/", {}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
