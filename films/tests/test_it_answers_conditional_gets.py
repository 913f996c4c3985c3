"""Lists and details carry an ETag; a GET with a matching If-None-Match is a bodiless 304."""

import pytest

from films.models import Film

pytestmark = [pytest.mark.django_db, pytest.mark.full_data]

PATHS = ["/api/v1/films/?category=Drama&ordering=title", "/api/v1/films/1/", "/api/v1/categories/"]


@pytest.mark.parametrize("path", PATHS)
def test_it_answers_a_matching_if_none_match_with_304(api_client, path):
    first = api_client.get(path)
    assert first.status_code == 200
    etag = first["ETag"]
    second = api_client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert second.status_code == 304
    assert second.content == b""
    assert second["ETag"] == etag


@pytest.mark.parametrize("path", PATHS)
def test_it_answers_a_stale_etag_in_full(api_client, path):
    response = api_client.get(path, HTTP_IF_NONE_MATCH='"stale"')
    assert response.status_code == 200
    assert response.json()


def test_it_changes_the_etag_when_the_film_changes(api_client):
    before = api_client.get("/api/v1/films/1/")["ETag"]
    Film.objects.filter(pk=1).update(streaming_available=True)
    response = api_client.get("/api/v1/films/1/", HTTP_IF_NONE_MATCH=before)
    assert response.status_code == 200
    assert response["ETag"] != before
    assert response.json()["streaming_available"] is True


def test_it_gives_different_pages_different_etags(api_client):
    first = api_client.get("/api/v1/films/", {"page": 1})["ETag"]
    second = api_client.get("/api/v1/films/", {"page": 2})["ETag"]
    assert first != second
