"""PATCH /api/v1/subscriptions/{id}/ with If-Match: the ETag of its GET, or 412 and no change."""

import pytest

from customers.models import StreamingSubscription

pytestmark = pytest.mark.django_db


def _path(subscription) -> str:
    return f"/api/v1/subscriptions/{subscription.pk}/"


def _patch(client, subscription, if_match: str):
    return client.patch(_path(subscription), {"plan_name": "Gold"}, format="json", HTTP_IF_MATCH=if_match)


def test_it_changes_the_subscription_when_the_etag_is_current(auth_client, subscription):
    etag = auth_client.get(_path(subscription))["ETag"]
    response = _patch(auth_client, subscription, etag)
    assert response.status_code == 200
    assert response.json()["plan_name"] == "Gold"
    assert StreamingSubscription.objects.get(pk=subscription.pk).plan_name == "Gold"


def test_it_refuses_a_stale_etag_with_412_and_changes_nothing(auth_client, subscription):
    stale = auth_client.get(_path(subscription))["ETag"]
    StreamingSubscription.objects.filter(pk=subscription.pk).update(end_date=None)  # someone else's change

    response = _patch(auth_client, subscription, stale)
    assert response.status_code == 412
    assert response.json() == {
        "detail": "The resource changed since that ETag was issued: GET it again and retry.",
        "code": "precondition_failed",
    }
    stored = StreamingSubscription.objects.get(pk=subscription.pk)
    assert (stored.plan_name, stored.end_date) == ("Basic", None)


def test_it_changes_the_subscription_for_a_star(auth_client, subscription):
    response = _patch(auth_client, subscription, "*")
    assert response.status_code == 200
    assert StreamingSubscription.objects.get(pk=subscription.pk).plan_name == "Gold"
