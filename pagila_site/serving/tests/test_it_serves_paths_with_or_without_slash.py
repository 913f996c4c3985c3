"""Paths answer with and without the trailing slash, for every method, without redirects."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/health", "/health/"])
def test_it_serves_health_both_ways(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("path", ["/api/schema/", "/api/schema"])
def test_it_serves_the_schema_both_ways(client, path):
    response = client.get(path)
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/api/schema", "/api/schema/"])
def test_it_keeps_the_method_when_the_slash_differs(client, path):
    response = client.put(path)
    assert response.status_code == 405


def test_it_still_answers_404_when_neither_form_exists(client):
    assert client.get("/api/v1/nope").status_code == 404
    assert client.get("/api/v1/nope/").status_code == 404
