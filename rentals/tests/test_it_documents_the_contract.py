"""The served OpenAPI schema says what the contract's "Customers, rentals, subscriptions" says."""

import json

import pytest
from django.test import Client

OPERATIONS = {
    "/api/v1/customers/": {"get"},
    "/api/v1/customers/{customer_id}/": {"get"},
    "/api/v1/customers/{customer_id}/rentals/": {"get", "post"},
    "/api/v1/customers/{customer_id}/subscriptions/": {"get", "post"},
    "/api/v1/rentals/": {"get"},
    "/api/v1/rentals/{rental_id}/": {"get"},
    "/api/v1/rentals/{rental_id}/return/": {"post"},
    "/api/v1/rentals/{rental_id}/payments/": {"post"},
    "/api/v1/customers/{customer_id}/payments/": {"get"},
    "/api/v1/payments/": {"get"},
    "/api/v1/payments/{payment_id}/": {"get"},
    "/api/v1/subscriptions/{subscription_id}/": {"get", "patch", "delete"},
    "/api/v1/customers/{customer_id}/holds/": {"get", "post"},
    "/api/v1/holds/": {"get"},
    "/api/v1/holds/{hold_id}/": {"get"},
    "/api/v1/holds/{hold_id}/cancel/": {"post"},
    "/api/v1/transfers/": {"get", "post"},
    "/api/v1/transfers/{transfer_id}/": {"get"},
    "/api/v1/transfers/{transfer_id}/receive/": {"post"},
    "/api/v1/transfers/{transfer_id}/cancel/": {"post"},
}
FILTERS = {
    "/api/v1/customers/": {"search": "string", "active": "boolean", "store_id": "integer"},
    "/api/v1/customers/{customer_id}/rentals/": {"status": "string"},
    "/api/v1/rentals/": {
        "status": "string",
        "customer_id": "integer",
        "inventory_id": "integer",
        "film_id": "integer",
    },
    "/api/v1/payments/": {
        "customer_id": "integer",
        "rental_id": "integer",
        "staff_id": "integer",
    },
    "/api/v1/customers/{customer_id}/payments/": {"rental_id": "integer", "staff_id": "integer"},
}
RENTAL_FIELDS = {
    "rental_id",
    "rental_date",
    "return_date",
    "due_date",
    "overdue",
    "customer_id",
    "inventory_id",
    "staff_id",
    "film",
    "amount_due",
    "amount_paid",
    "balance",
}
PAYMENT_FIELDS = {"payment_id", "rental_id", "customer_id", "staff_id", "amount", "payment_date"}
CUSTOMER_FIELDS = {"customer_id", "first_name", "last_name", "email", "active", "store_id", "create_date"}
SUBSCRIPTION_FIELDS = {"id", "customer_id", "plan_name", "start_date", "end_date"}


@pytest.fixture(scope="module")
def schema():
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def _component(schema, holder):
    """The component a ``{"$ref": ...}`` (or an ``allOf`` of one) points to."""
    ref = holder["$ref"] if "$ref" in holder else holder["allOf"][0]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _body(schema, path, method, status):
    return _component(
        schema, schema["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    )


def test_it_documents_exactly_the_operations(schema):
    documented = {
        path: set(operations) - {"parameters"}
        for path, operations in schema["paths"].items()
        if path.startswith(
            (
                "/api/v1/customers",
                "/api/v1/rentals",
                "/api/v1/subscriptions",
                "/api/v1/payments",
                "/api/v1/holds",
                "/api/v1/transfers",
            )
        )
    }
    assert documented == OPERATIONS


def test_it_requires_the_bearer_token_everywhere(schema):
    for path, methods in OPERATIONS.items():
        for method in methods:
            operation = schema["paths"][path][method]
            assert operation["security"] == [{"bearerAuth": []}], (method, path)
            assert "401" in operation["responses"], (method, path)


def test_it_types_every_path_id_as_an_integer(schema):
    for path, methods in OPERATIONS.items():
        for method in methods:
            for parameter in schema["paths"][path][method].get("parameters", []):
                if parameter["in"] == "path":
                    assert parameter["schema"]["type"] == "integer", (method, path, parameter["name"])


@pytest.mark.parametrize(("path", "filters"), FILTERS.items())
def test_it_documents_the_filters(schema, path, filters):
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "query"
    }
    assert {name: parameters[name]["type"] for name in filters} == filters


def test_it_documents_the_statuses(schema):
    parameters = schema["paths"]["/api/v1/rentals/"]["get"]["parameters"]
    status = next(p for p in parameters if p["name"] == "status")
    assert set(status["schema"]["enum"]) == {"open", "returned", "overdue"}


def test_it_documents_the_rental_object(schema):
    rental = _body(schema, "/api/v1/rentals/{rental_id}/", "get", "200")
    assert set(rental["properties"]) == RENTAL_FIELDS
    assert set(_component(schema, rental["properties"]["film"])["properties"]) == {"film_id", "title"}


def test_it_documents_renting(schema):
    operation = schema["paths"]["/api/v1/customers/{customer_id}/rentals/"]["post"]
    request = _component(schema, operation["requestBody"]["content"]["application/json"]["schema"])
    assert set(request["properties"]) == {"inventory_id", "staff_id", "pay", "override_reason"}
    # staff_id defaults to the caller's own staff member.
    assert set(request["required"]) == {"inventory_id"}
    rented = _body(schema, "/api/v1/customers/{customer_id}/rentals/", "post", "201")
    assert set(rented["properties"]) == RENTAL_FIELDS | {"payment"}
    assert set(rented["required"]) == RENTAL_FIELDS
    assert {"201", "400", "404", "409"} <= set(operation["responses"])
    assert "Location" in operation["responses"]["201"]["headers"]
    conflict = _body(schema, "/api/v1/customers/{customer_id}/rentals/", "post", "409")
    assert set(conflict["properties"]) == {"detail", "code"}
    invalid = _body(schema, "/api/v1/customers/{customer_id}/rentals/", "post", "400")
    assert set(invalid["properties"]) == {"detail", "code", "errors"}


def test_it_documents_returning(schema):
    operation = schema["paths"]["/api/v1/rentals/{rental_id}/return/"]["post"]
    request = _component(schema, operation["requestBody"]["content"]["application/json"]["schema"])
    assert set(request["properties"]) == {"pay", "staff_id", "returned_at"}
    assert "required" not in request  # a return needs no body
    assert {"200", "400", "404", "409"} <= set(operation["responses"])
    returned = _body(schema, "/api/v1/rentals/{rental_id}/return/", "post", "200")
    assert set(returned["properties"]) == RENTAL_FIELDS | {"payment", "set_aside_for"}
    assert returned["properties"]["set_aside_for"]["nullable"] is True
    assert returned["properties"]["amount_due"]["type"] == "string"
    assert "nullable" not in returned["properties"]["amount_due"]
    assert returned["properties"]["payment"]["nullable"] is True


def test_it_documents_money_as_strings(schema):
    rental = _body(schema, "/api/v1/rentals/{rental_id}/", "get", "200")
    for field in ("amount_due", "amount_paid", "balance"):
        assert rental["properties"][field]["type"] == "string", field
    assert rental["properties"]["amount_due"]["nullable"] is True


def test_it_documents_paying(schema):
    operation = schema["paths"]["/api/v1/rentals/{rental_id}/payments/"]["post"]
    assert operation["tags"] == ["payments"]
    request = _component(schema, operation["requestBody"]["content"]["application/json"]["schema"])
    assert set(request["properties"]) == {"amount", "staff_id"}
    assert {"201", "400", "404", "409"} <= set(operation["responses"])
    assert "overpayment" in operation["responses"]["409"]["description"]
    assert "Location" in operation["responses"]["201"]["headers"]
    payment = _body(schema, "/api/v1/rentals/{rental_id}/payments/", "post", "201")
    assert set(payment["properties"]) == PAYMENT_FIELDS


@pytest.mark.parametrize("path", ["/api/v1/payments/", "/api/v1/customers/{customer_id}/payments/"])
def test_it_documents_the_payment_lists(schema, path):
    operation = schema["paths"][path]["get"]
    assert operation["tags"] == ["payments"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}
    for bound in ("since", "until"):
        assert {alternative["format"] for alternative in parameters[bound]["anyOf"]} == {"date", "date-time"}


def test_it_documents_the_customer_objects(schema):
    detail = _body(schema, "/api/v1/customers/{customer_id}/", "get", "200")
    assert set(detail["properties"]) == CUSTOMER_FIELDS | {
        "address",
        "open_rentals",
        "balance",
        "blocked_reasons",
    }
    assert detail["properties"]["balance"]["type"] == "string"
    address = _component(schema, detail["properties"]["address"])
    assert set(address["properties"]) == {"address", "district", "city", "country", "postal_code", "phone"}


def test_it_documents_the_subscription_object(schema):
    subscription = _body(schema, "/api/v1/subscriptions/{subscription_id}/", "get", "200")
    assert set(subscription["properties"]) == SUBSCRIPTION_FIELDS
    assert subscription["properties"]["plan_name"]["maxLength"] == 50
    assert subscription["properties"]["plan_name"]["minLength"] == 1
    assert subscription["properties"]["end_date"]["nullable"] is True


HOLD_FIELDS = {
    "hold_id",
    "customer_id",
    "film_id",
    "store_id",
    "status",
    "position",
    "created",
    "ready_at",
    "expires_at",
    "inventory_id",
}
TRANSFER_FIELDS = {
    "transfer_id",
    "inventory_id",
    "from_store_id",
    "to_store_id",
    "status",
    "sent_at",
    "received_at",
    "sent_by",
    "received_by",
}


def test_it_documents_holds_and_transfers(schema):
    assert set(_body(schema, "/api/v1/holds/{hold_id}/", "get", "200")["properties"]) == HOLD_FIELDS
    assert (
        set(_body(schema, "/api/v1/transfers/{transfer_id}/", "get", "200")["properties"]) == TRANSFER_FIELDS
    )
    place = schema["paths"]["/api/v1/customers/{customer_id}/holds/"]["post"]
    assert {"201", "400", "404", "409"} <= set(place["responses"])
    assert _component(schema, place["requestBody"]["content"]["application/json"]["schema"])["required"] == [
        "film_id",
        "store_id",
    ]
    assert {"403", "409"} <= set(
        schema["paths"]["/api/v1/transfers/{transfer_id}/receive/"]["post"]["responses"]
    )
    for path in ("/api/v1/holds/", "/api/v1/transfers/"):
        parameters = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert "cursor" in parameters, path
    assert {p["name"] for p in schema["paths"]["/api/v1/holds/"]["get"]["parameters"]} >= {
        "store_id",
        "film_id",
        "customer_id",
        "status",
    }
