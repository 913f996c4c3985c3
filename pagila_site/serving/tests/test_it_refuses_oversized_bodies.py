"""A request body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is 413 ``payload_too_large``, anywhere,
never a 500 with a traceback, and nothing is stored."""

import http.client
import json
from urllib.parse import urlencode

import pytest

from pagila_site.testsupport import live
from rentals.models import Rental

pytestmark = pytest.mark.django_db

THREE_MB = 3 * 1024 * 1024


def _big_json(**fields) -> str:
    return json.dumps({**fields, "padding": "x" * THREE_MB})


@pytest.mark.parametrize(
    "path", ["/api/v1/ai/summary", "/api/v1/ai/handoff", "/api/v1/customers/1/rentals/", "/api/v1/films/1/"]
)
def test_a_3_mb_json_body_is_413_json(client, path, staff_token, caplog):
    client.raise_request_exception = False
    method = client.patch if path.startswith("/api/v1/films/") else client.post
    response = method(
        path,
        _big_json(film_id=1),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {staff_token}",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    with live.live_server("test_bodies", django_db_blocker, env={"OPENAI_API_KEY": "unused"}) as running:
        yield running


def _post(url: str, body, headers: dict) -> tuple[int, dict]:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("POST", "/api/v1/ai/summary", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_over_http_a_3_mb_body_is_413_json(server):
    """As first seen: anonymously, on a server, a 500 and a traceback in its log."""
    status, answer = _post(server.url, _big_json(film_id=1).encode(), {"Content-Type": "application/json"})
    assert status == 413
    assert answer["code"] == "payload_too_large"
    assert "Traceback" not in server.log()


def test_an_oversized_admin_form_is_413_and_stores_nothing(superuser_client):
    superuser_client.raise_request_exception = False
    before = Rental.objects.count()
    # As a browser posts a form without files: urlencoded, its length declared.
    form = urlencode({"customer": "1", "inventory": "1", "staff": "1", "padding": "x" * THREE_MB})
    response = superuser_client.post(
        "/admin/rentals/rental/add/", form, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert b"larger than this server accepts" in response.content
    assert Rental.objects.count() == before


def test_a_body_within_the_limit_is_read(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64
    response = client.post(
        "/api/v1/ai/summary", json.dumps({"film_id": "x"}), content_type="application/json"
    )
    assert response.status_code == 400  # read and judged: film_id is not an integer
