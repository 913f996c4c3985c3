"""GET|POST /api/v1/customers/{customer_id}/subscriptions/: a customer's streaming plans."""

from datetime import date

import pytest

from customers.models import StreamingSubscription

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/{}/subscriptions/"


def _subscribe(client, body, customer_id=1):
    return client.post(URL.format(customer_id), body, format="json")


def _invalid(field, message):
    return {"detail": f"Invalid input: {field}: {message}", "code": "invalid", "errors": {field: [message]}}


def test_it_subscribes_the_customer_in_the_path(auth_client):
    response = _subscribe(
        auth_client, {"plan_name": "Premium", "start_date": "2025-03-01", "end_date": None, "customer_id": 2}
    )
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "customer_id": 1,
        "plan_name": "Premium",
        "start_date": "2025-03-01",
        "end_date": None,
    }
    stored = StreamingSubscription.objects.get(pk=body["id"])
    assert (stored.customer_id, stored.start_date, stored.end_date) == (1, date(2025, 3, 1), None)


def test_it_accepts_an_end_date_equal_to_the_start_date(auth_client):
    response = _subscribe(
        auth_client, {"plan_name": "Day pass", "start_date": "2025-03-01", "end_date": "2025-03-01"}
    )
    assert response.status_code == 201


def test_it_accepts_a_fifty_character_plan_name(auth_client):
    response = _subscribe(auth_client, {"plan_name": "P" * 50, "start_date": "2025-03-01"})
    assert response.status_code == 201
    assert response.json()["end_date"] is None


def test_it_refuses_an_end_date_before_the_start_date(auth_client):
    response = _subscribe(
        auth_client, {"plan_name": "Basic", "start_date": "2025-03-01", "end_date": "2025-02-28"}
    )
    assert response.status_code == 400
    assert response.json() == _invalid("end_date", "end_date must be on or after start_date.")
    assert not StreamingSubscription.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"start_date": "2025-03-01"}, "plan_name", "This field is required."),
        ({"plan_name": "", "start_date": "2025-03-01"}, "plan_name", "This field may not be blank."),
        (
            {"plan_name": "P" * 51, "start_date": "2025-03-01"},
            "plan_name",
            "Ensure this field has no more than 50 characters.",
        ),
        ({"plan_name": "Basic"}, "start_date", "This field is required."),
        ({"plan_name": "Basic", "start_date": None}, "start_date", "This field may not be null."),
        (
            {"plan_name": "Basic", "start_date": "2025-02-30"},
            "start_date",
            "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
        ),
    ],
)
def test_it_refuses_invalid_input_naming_the_field(auth_client, body, field, message):
    response = _subscribe(auth_client, body)
    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize("customer_id", ["600", str(2**31)])
def test_it_answers_404_for_an_unknown_customer(auth_client, customer_id):
    response = _subscribe(auth_client, {"plan_name": "Basic", "start_date": "2025-03-01"}, customer_id)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_lists_only_the_customers_subscriptions_in_creation_order(auth_client):
    first = _subscribe(auth_client, {"plan_name": "Basic", "start_date": "2025-01-01"}).json()
    _subscribe(auth_client, {"plan_name": "Other", "start_date": "2025-01-01"}, customer_id=2)
    second = _subscribe(auth_client, {"plan_name": "Premium", "start_date": "2025-06-01"}).json()

    response = auth_client.get(URL.format(1))
    assert response.status_code == 200
    assert response.json() == {"count": 2, "next": None, "previous": None, "results": [first, second]}


def test_it_lists_subscriptions_of_an_unknown_customer_as_404(auth_client):
    response = auth_client.get(URL.format(600))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
