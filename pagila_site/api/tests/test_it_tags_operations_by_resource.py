"""The contract's "OpenAPI": every operation carries exactly one tag, naming its resource.

The tags come from ``ApiAutoSchema.get_tags`` (the path's resource), so an endpoint added
without thinking of tags lands in its group; one whose path names no known resource fails here.
"""

import pytest
from django.test import Client
from django.urls import path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from pagila_site.testsupport.contract import CONTRACT_TAGS

# In the contract's order, which is also the docs' order.
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture(scope="module")
def schema():
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_it_gives_every_operation_exactly_one_of_the_contracts_tags(schema):
    tags = {
        f"{method.upper()} {path}": operation.get("tags")
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }
    assert tags  # an empty schema would pass the next line
    assert {
        operation: tag for operation, tag in tags.items() if tag not in [[t] for t in CONTRACT_TAGS]
    } == {}


def test_it_describes_the_contracts_tags_in_its_order(schema):
    assert [tag["name"] for tag in schema["tags"]] == CONTRACT_TAGS
    assert [tag["name"] for tag in schema["tags"] if not tag.get("description", "").strip()] == []


@pytest.mark.parametrize(
    ("method", "path", "tag"),
    [
        ("get", "/api/v1/films/{film_id}/", "films"),
        ("get", "/api/v1/categories/", "films"),
        ("get", "/api/v1/customers/{customer_id}/", "customers"),
        # A customer's rentals and subscriptions belong to those resources, not to customers.
        ("post", "/api/v1/customers/{customer_id}/rentals/", "rentals"),
        ("get", "/api/v1/customers/{customer_id}/subscriptions/", "subscriptions"),
        # An action on a rental stays with rentals.
        ("post", "/api/v1/rentals/{rental_id}/return/", "rentals"),
        ("patch", "/api/v1/subscriptions/{subscription_id}/", "subscriptions"),
        ("get", "/api/v1/ai/ask", "ai"),
    ],
)
def test_it_tags_an_operation_with_the_resource_it_acts_on(schema, method, path, tag):
    assert schema["paths"][path][method]["tags"] == [tag]


class _Documented(APIView):
    """A view under a path of the test's choosing, to see what get_tags makes of the path."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({})


def _schema_of(route: str) -> dict:
    """The operation drf-spectacular documents for ``_Documented`` served at ``route``."""
    generated = SchemaGenerator(patterns=[path(route, _Documented.as_view())]).get_schema(public=True)
    [item] = generated["paths"].values()
    return item["get"]


@pytest.mark.parametrize(
    ("route", "tag"),
    [
        ("api/v1/me/", "me"),
        ("api/v1/payments/", "payments"),
        ("api/v1/rentals/<int:rental_id>/payments/", "payments"),
        ("api/v1/customers/<int:customer_id>/payments/", "payments"),
    ],
)
def test_it_tags_a_new_endpoint_by_its_path_without_being_told(route, tag):
    assert _schema_of(route)["tags"] == [tag]


@pytest.fixture
def generator_stats():
    """drf-spectacular's tally of schema warnings and errors, empty before and after the test."""
    GENERATOR_STATS.reset()
    yield GENERATOR_STATS
    GENERATOR_STATS.reset()


# /health is a plain Django view, outside the schema; were it documented, it would fail too.
@pytest.mark.parametrize("route", ["api/v1/stores/", "health"])
def test_it_reports_an_operation_whose_path_names_no_resource(route, generator_stats, capsys):
    assert "tags" not in _schema_of(route)
    assert generator_stats  # what makes `spectacular --fail-on-warn` (make lint) fail
    assert f"/{route} names none of the resources in SPECTACULAR_SETTINGS['TAGS']" in capsys.readouterr().err
