"""The OpenAPI schema documents Idempotency-Key on writing POSTs and If-Match on PATCH."""

import json

import pytest
from django.test import Client

WRITING_POSTS = [
    "/api/v1/customers/{customer_id}/rentals/",
    "/api/v1/customers/{customer_id}/subscriptions/",
    "/api/v1/rentals/{rental_id}/return/",
    "/api/v1/rentals/{rental_id}/payments/",
]
PATCHES = ["/api/v1/films/{film_id}/", "/api/v1/subscriptions/{subscription_id}/"]


@pytest.fixture(scope="module")
def schema():
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def _headers(operation) -> dict:
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}


@pytest.mark.parametrize("path", WRITING_POSTS)
def test_it_documents_the_idempotency_key_on_each_writing_post(schema, path):
    operation = schema["paths"][path]["post"]
    key = _headers(operation)["Idempotency-Key"]
    assert key.get("required", False) is False  # optional: without it a POST runs as before
    assert key["schema"] == {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"}
    responses = operation["responses"]
    success = next(code for code in responses if code.startswith("2"))
    assert responses[success]["headers"]["Idempotent-Replayed"]["schema"] == {
        "type": "string",
        "enum": ["true"],
    }
    assert "`idempotency_in_progress`" in responses["409"]["description"]
    assert responses["422"]["description"].startswith("`idempotency_key_reused`")
    for code in ("409", "422"):
        assert responses[code]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
    # A malformed key is a 400 even where the body can't be invalid (a return has none).
    assert "`Idempotency-Key`" in responses["400"]["description"]
    assert responses["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationError"
    }


def test_it_keeps_the_rental_conflicts_beside_the_key_in_progress(schema):
    description = schema["paths"]["/api/v1/customers/{customer_id}/rentals/"]["post"]["responses"]["409"][
        "description"
    ]
    assert "`not_in_stock`" in description
    assert "`customer_inactive`" in description
    assert "`idempotency_in_progress`" in description


def test_it_documents_no_idempotency_key_on_reads(schema):
    operation = schema["paths"]["/api/v1/customers/{customer_id}/rentals/"]["get"]
    assert "Idempotency-Key" not in _headers(operation)
    assert "422" not in operation["responses"]


@pytest.mark.parametrize("path", PATCHES)
def test_it_documents_if_match_and_412_on_each_patch(schema, path):
    operation = schema["paths"][path]["patch"]
    assert _headers(operation)["If-Match"]["schema"] == {"type": "string"}
    assert operation["responses"]["412"]["description"].startswith("`precondition_failed`")


def test_it_shows_no_developer_notes_as_descriptions(schema):
    descriptions = [
        operation.get("description", "") for item in schema["paths"].values() for operation in item.values()
    ]
    assert not [d for d in descriptions if d.startswith("For viewsets")]
