"""PATCH /api/v1/films/{film_id}/ with If-Match: the ETag of the film's GET, or 412 and no change."""

import pytest

from films.models import Film

pytestmark = [pytest.mark.django_db, pytest.mark.full_data]

PATH = "/api/v1/films/1/"
PRECONDITION_FAILED = {
    "detail": "The resource changed since that ETag was issued: GET it again and retry.",
    "code": "precondition_failed",
}


def _patch(client, if_match: str, streaming: bool = True):
    return client.patch(PATH, {"streaming_available": streaming}, format="json", HTTP_IF_MATCH=if_match)


def test_it_changes_the_film_when_the_etag_is_current(auth_client):
    etag = auth_client.get(PATH)["ETag"]
    response = _patch(auth_client, etag)
    assert response.status_code == 200
    assert response.json()["streaming_available"] is True
    assert Film.objects.get(pk=1).streaming_available is True


def test_it_refuses_a_stale_etag_with_412_and_changes_nothing(auth_client):
    stale = auth_client.get(PATH)["ETag"]
    Film.objects.filter(pk=1).update(streaming_available=True)  # someone else's change

    response = _patch(auth_client, stale, streaming=False)
    assert response.status_code == 412
    assert response.json() == PRECONDITION_FAILED
    assert Film.objects.get(pk=1).streaming_available is True


def test_it_takes_the_etag_of_the_changed_film_for_the_next_change(auth_client):
    first = _patch(auth_client, auth_client.get(PATH)["ETag"])
    assert first.status_code == 200
    etag = auth_client.get(PATH)["ETag"]
    assert _patch(auth_client, etag, streaming=False).status_code == 200
    assert Film.objects.get(pk=1).streaming_available is False


def test_it_changes_the_film_for_a_star(auth_client):
    response = _patch(auth_client, "*")
    assert response.status_code == 200
    assert Film.objects.get(pk=1).streaming_available is True


def test_it_changes_the_film_when_any_listed_etag_is_current(auth_client):
    etag = auth_client.get(PATH)["ETag"]
    assert _patch(auth_client, f'"older", {etag}').status_code == 200


def test_it_never_matches_a_weak_etag(auth_client):
    etag = auth_client.get(PATH)["ETag"]
    response = _patch(auth_client, f"W/{etag}")
    assert response.status_code == 412
    assert Film.objects.get(pk=1).streaming_available is False


def test_it_answers_an_unknown_film_with_404_before_the_precondition(auth_client):
    response = auth_client.patch(
        "/api/v1/films/1001/", {"streaming_available": True}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
