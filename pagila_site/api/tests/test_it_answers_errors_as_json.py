"""Every error under /api/ is the contract's JSON shape: no HTML, no traceback, in any mode."""

import pytest
from django.test import override_settings
from django.urls import path

from pagila_site import urls as project_urls


def _boom(request):
    raise RuntimeError("secret internals: password=hunter2")


urlpatterns = [*project_urls.urlpatterns, path("api/v1/boom", _boom)]


@pytest.mark.parametrize("debug", [False, True])
def test_it_answers_an_unknown_api_url_with_json_404(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.parametrize("debug", [False, True])
@override_settings(ROOT_URLCONF=__name__)
def test_it_answers_an_unhandled_exception_with_json_500_and_no_traceback(client, settings, debug):
    settings.DEBUG = debug
    client.raise_request_exception = False
    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error.", "code": "server_error"}
    assert b"hunter2" not in response.content
    assert b"Traceback" not in response.content


def test_it_answers_a_wrong_method_with_json_405(client):
    response = client.delete("/api/schema/")
    assert response.status_code == 405
    assert response.json() == {"detail": "Method not allowed.", "code": "method_not_allowed"}


def _db_down(request):
    from django.db import OperationalError

    raise OperationalError("connection refused")


urlpatterns.append(path("api/v1/db-down", _db_down))


@override_settings(ROOT_URLCONF=__name__)
def test_it_answers_503_when_the_database_is_unreachable(client):
    client.raise_request_exception = False
    response = client.get("/api/v1/db-down")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "detail": "The database is temporarily unavailable.",
        "code": "database_unavailable",
    }


@pytest.mark.django_db
def test_it_answers_a_body_that_is_not_json_with_400_naming_the_body(auth_client):
    response = auth_client.post("/api/v1/customers/1/subscriptions/", "\x00", content_type="application/json")
    assert response.status_code == 400
    detail = "JSON parse error - Expecting value: line 1 column 1 (char 0)"
    assert response.json() == {
        "detail": detail,
        "code": "parse_error",
        "errors": {"non_field_errors": [detail]},
    }


@pytest.mark.django_db
@pytest.mark.parametrize("nested", ["[" * 10_000 + "]" * 10_000, '{"a":' * 10_000 + "1" + "}" * 10_000])
@pytest.mark.parametrize(
    "path", ["/api/v1/customers/1/holds/", "/api/v1/transfers/", "/api/v1/customers/1/rentals/"]
)
def test_it_answers_a_body_nested_too_deeply_with_400(auth_client, nested, path):
    response = auth_client.post(path, nested, content_type="application/json")
    assert response.status_code == 400
    detail = "JSON parse error - the body is nested too deeply."
    assert response.json() == {
        "detail": detail,
        "code": "parse_error",
        "errors": {"non_field_errors": [detail]},
    }
