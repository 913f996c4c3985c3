"""PATCH /api/v1/films/{film_id}/: staff change streaming_available, and nothing else."""

import pytest

from films.models import Film

pytestmark = [pytest.mark.django_db, pytest.mark.full_data]


def test_it_makes_a_film_streamable_and_answers_with_its_detail(auth_client):
    response = auth_client.patch("/api/v1/films/205/", {"streaming_available": True}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["film_id"], body["streaming_available"], body["copies"]) == (
        205,
        True,
        {"total": 4, "in_stock": 2},
    )
    assert [actor["actor_id"] for actor in body["actors"]] == [11, 79, 8, 102, 68]
    assert Film.objects.get(pk=205).streaming_available is True


def test_it_makes_a_film_unstreamable_again(auth_client):
    Film.objects.filter(pk=1).update(streaming_available=True)
    response = auth_client.patch("/api/v1/films/1", {"streaming_available": False}, format="json")
    assert response.status_code == 200
    assert response.json()["streaming_available"] is False
    assert Film.objects.get(pk=1).streaming_available is False


def test_it_writes_only_the_streaming_column(auth_client):
    before = Film.objects.values().get(pk=7)
    auth_client.patch("/api/v1/films/7/", {"streaming_available": True}, format="json")
    after = Film.objects.values().get(pk=7)
    changed = {key for key in before if before[key] != after[key]}
    # last_update is Pagila's trigger at work.
    assert changed == {"streaming_available", "last_update"}


def test_it_refuses_an_anonymous_change_with_401(api_client):
    response = api_client.patch("/api/v1/films/1/", {"streaming_available": True}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }
    assert Film.objects.get(pk=1).streaming_available is False


def test_it_refuses_a_wrong_token_with_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api_client.patch("/api/v1/films/1/", {"streaming_available": True}, format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked token.", "code": "authentication_failed"}


def test_it_names_read_only_fields_in_a_400(auth_client):
    response = auth_client.patch(
        "/api/v1/films/1/", {"streaming_available": True, "title": "X", "rental_rate": "0.01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input: rental_rate: This field is read-only.",
        "code": "invalid",
        "errors": {"rental_rate": ["This field is read-only."], "title": ["This field is read-only."]},
    }
    assert Film.objects.get(pk=1).streaming_available is False


def test_it_names_unknown_fields_in_a_400(auth_client):
    response = auth_client.patch("/api/v1/films/1/", {"streaming": True}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input: streaming: Unknown field.",
        "code": "invalid",
        "errors": {"streaming": ["Unknown field."]},
    }


def test_it_requires_streaming_available(auth_client):
    response = auth_client.patch("/api/v1/films/1/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input: streaming_available: This field is required.",
        "code": "invalid",
        "errors": {"streaming_available": ["This field is required."]},
    }


@pytest.mark.parametrize("value", ["maybe", None, [True]])
def test_it_answers_a_non_boolean_with_400(auth_client, value):
    response = auth_client.patch("/api/v1/films/1/", {"streaming_available": value}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["streaming_available"]


def test_it_answers_a_body_that_is_no_object_with_400(auth_client):
    response = auth_client.patch("/api/v1/films/1/", [{"streaming_available": True}], format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_it_answers_an_unknown_film_with_404(auth_client):
    response = auth_client.patch("/api/v1/films/1001/", {"streaming_available": True}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_answers_an_out_of_range_id_with_404(auth_client):
    response = auth_client.patch("/api/v1/films/99999999999/", {"streaming_available": True}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_has_no_put_since_only_one_field_is_writable(auth_client):
    response = auth_client.put("/api/v1/films/1/", {"streaming_available": True}, format="json")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "PUT" not allowed.', "code": "method_not_allowed"}
