"""The served OpenAPI schema says what the contract's Films section says (shared/API.md).

The expectations below are the contract's facts, written down as data; the schema is fetched
from /api/schema/ as a client would.
"""

import json

import pytest
from django.test import Client

# Conventions: list parameters; errors {"detail", "code"} plus "errors" for a 400.
PAGINATION_PARAMETERS = {"page": "integer", "page_size": "integer"}
ERROR_FIELDS = {"detail", "code"}
VALIDATION_ERROR_FIELDS = {"detail", "code", "errors"}

# Films (public read).
OPERATIONS = {
    "/api/v1/films/": {"get"},
    "/api/v1/films/{film_id}/": {"get", "patch"},
    "/api/v1/categories/": {"get"},
}
ORDERING_KEYS = ["film_id", "title", "rental_rate", "length", "release_year"]
FILM_FILTERS = {
    "category": {"type": "string"},
    "rating": {"type": "string", "enum": {"G", "PG", "PG-13", "R", "NC-17"}},
    "streaming_available": {"type": "boolean"},
    "release_year": {"type": "integer"},
    "title": {"type": "string"},
    "search": {"type": "string"},
    "ordering": {"enum": {*ORDERING_KEYS, *(f"-{key}" for key in ORDERING_KEYS)}},
}
FILM_FIELDS = [
    "film_id",
    "title",
    "description",
    "release_year",
    "language",
    "rating",
    "length",
    "rental_duration",
    "rental_rate",
    "replacement_cost",
    "special_features",
    "categories",
    "streaming_available",
]
MONEY_FIELDS = ["rental_rate", "replacement_cost"]
DETAIL_ADDS = {"actors": ["actor_id", "first_name", "last_name"], "copies": ["total", "in_stock"]}
CATEGORY_FIELDS = ["category_id", "name", "film_count"]
PATCHABLE = ["streaming_available"]


@pytest.fixture(scope="module")
def schema():
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def _component(schema, ref_holder):
    """The component a ``{"$ref": ...}`` (or an ``allOf`` of one) points to."""
    ref = ref_holder["$ref"] if "$ref" in ref_holder else ref_holder["allOf"][0]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _body(schema, operation, status):
    return _component(schema, operation["responses"][status]["content"]["application/json"]["schema"])


def _operation(schema, path, method):
    return schema["paths"][path][method]


def test_it_documents_exactly_the_films_operations(schema):
    documented = {
        path: set(operations) - {"parameters"}
        for path, operations in schema["paths"].items()
        if path.startswith(("/api/v1/films", "/api/v1/categories"))
    }
    assert documented == OPERATIONS


def test_it_documents_every_film_filter_with_its_type(schema):
    parameters = {p["name"]: p for p in _operation(schema, "/api/v1/films/", "get")["parameters"]}
    assert set(parameters) == set(FILM_FILTERS) | set(PAGINATION_PARAMETERS)
    for name, expected in FILM_FILTERS.items():
        parameter = parameters[name]
        assert parameter["in"] == "query"
        assert not parameter.get("required", False)
        schema_ = parameter["schema"]
        if name == "ordering":
            values = schema_.get("enum") or schema_["items"]["enum"]
            assert set(values) == expected["enum"]
            continue
        assert schema_["type"] == expected["type"], name
        if "enum" in expected:
            assert set(schema_["enum"]) == expected["enum"]


@pytest.mark.parametrize("path", ["/api/v1/films/", "/api/v1/categories/"])
def test_it_documents_pagination_on_every_list(schema, path):
    parameters = {p["name"]: p["schema"]["type"] for p in _operation(schema, path, "get")["parameters"]}
    assert PAGINATION_PARAMETERS.items() <= parameters.items()
    page = _body(schema, _operation(schema, path, "get"), "200")
    assert set(page["properties"]) == {"count", "next", "previous", "results"}


def test_it_documents_the_film_object(schema):
    page = _body(schema, _operation(schema, "/api/v1/films/", "get"), "200")
    film = _component(schema, page["properties"]["results"]["items"])
    assert list(film["properties"]) == FILM_FIELDS
    for field in MONEY_FIELDS:
        assert film["properties"][field]["type"] == "string"
    assert film["properties"]["language"]["type"] == "string"
    assert film["properties"]["categories"] == {
        "type": "array",
        "items": {"type": "string"},
        "readOnly": True,
    }


def test_it_documents_the_film_detail(schema):
    detail = _body(schema, _operation(schema, "/api/v1/films/{film_id}/", "get"), "200")
    assert list(detail["properties"]) == FILM_FIELDS + list(DETAIL_ADDS)
    actor = _component(schema, detail["properties"]["actors"]["items"])
    assert list(actor["properties"]) == DETAIL_ADDS["actors"]
    copies = _component(schema, detail["properties"]["copies"])
    assert list(copies["properties"]) == DETAIL_ADDS["copies"]


def test_it_documents_the_film_id_as_an_integer_path_parameter(schema):
    for method, headers in (("get", []), ("patch", [("If-Match", "header", "string")])):
        parameters = _operation(schema, "/api/v1/films/{film_id}/", method)["parameters"]
        assert sorted((p["name"], p["in"], p["schema"]["type"]) for p in parameters) == [
            *headers,
            ("film_id", "path", "integer"),
        ]


def test_it_documents_the_patch_body_as_streaming_available_only(schema):
    operation = _operation(schema, "/api/v1/films/{film_id}/", "patch")
    body = _component(schema, operation["requestBody"]["content"]["application/json"]["schema"])
    assert list(body["properties"]) == PATCHABLE
    assert body["required"] == PATCHABLE
    assert body["additionalProperties"] is False
    assert list(_body(schema, operation, "200")["properties"]) == FILM_FIELDS + list(DETAIL_ADDS)


def test_it_documents_the_category_object(schema):
    page = _body(schema, _operation(schema, "/api/v1/categories/", "get"), "200")
    category = _component(schema, page["properties"]["results"]["items"])
    assert list(category["properties"]) == CATEGORY_FIELDS


def test_it_documents_the_bearer_scheme_on_the_patch_only(schema):
    assert schema["components"]["securitySchemes"]["bearerAuth"]["type"] == "http"
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "security" not in schema
    for path, methods in OPERATIONS.items():
        for method in methods:
            security = _operation(schema, path, method).get("security")
            assert security == ([{"bearerAuth": []}] if method == "patch" else None), (path, method)


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        # Public reads too answer a wrong token 401, and 429 while its address is locked out; any
        # operation 503 when its database work runs out of time or finds no database.
        ("/api/v1/films/", "get", {"400", "401", "404", "429", "503"}),
        ("/api/v1/films/{film_id}/", "get", {"401", "404", "429", "503"}),
        # A protected write: 403 no_store for a token whose user works for no store; 412 a stale If-Match.
        ("/api/v1/films/{film_id}/", "patch", {"400", "401", "403", "404", "412", "429", "503"}),
        ("/api/v1/categories/", "get", {"400", "401", "404", "429", "503"}),
    ],
)
def test_it_documents_errors_in_the_contract_shape(schema, path, method, statuses):
    operation = _operation(schema, path, method)
    assert {status for status in operation["responses"] if status >= "400"} == statuses
    for status in statuses:
        body = _body(schema, operation, status)
        assert set(body["properties"]) == (VALIDATION_ERROR_FIELDS if status == "400" else ERROR_FIELDS)
        assert set(body["required"]) == set(body["properties"])
