"""Browser clients on ``DJANGO_CORS_ALLOWED_ORIGINS`` may call ``/api/``; nobody else gets CORS.

Preflights are answered before the API's token check (a browser sends them without the token),
allowing the contract's methods and headers and exposing the headers a client reads. Never
credentials, never ``*``; other origins, and paths outside ``/api/``, get no CORS header at all.
"""

import pytest

from pagila_site import settings as project_settings

pytestmark = pytest.mark.django_db

ALLOWED = "https://pos.example.com"
OTHER = "https://evil.example.net"
PROTECTED = "/api/v1/customers/1/"


@pytest.fixture(autouse=True)
def allowed_origins(settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED, "http://localhost:3000"]


def _preflight(client, path, origin, method="PATCH"):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type, if-match",
        },
    )


def _cors_headers(response):
    return {name: value for name, value in response.items() if name.lower().startswith("access-control-")}


def test_a_preflight_from_an_allowed_origin_is_answered(client):
    response = _preflight(client, PROTECTED, ALLOWED)
    # Answered before DRF's token check: a browser never sends its token with a preflight.
    assert response.status_code == 200
    assert _cors_headers(response) == {
        "access-control-allow-origin": ALLOWED,
        "access-control-allow-methods": "GET, POST, PATCH, DELETE, OPTIONS, HEAD",
        "access-control-allow-headers": "authorization, content-type, idempotency-key, if-match",
        "access-control-expose-headers": "ETag, Location, X-Request-ID, Retry-After",
        # The library's default: a browser may reuse the answer for a day.
        "access-control-max-age": "86400",
    }


def test_a_preflight_for_a_write_to_a_public_list_is_answered_too(client):
    response = _preflight(client, "/api/v1/customers/1/rentals/", ALLOWED, method="POST")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED


def test_a_get_from_an_allowed_origin_echoes_it_and_exposes_the_headers(client, staff_token):
    response = client.get(PROTECTED, headers={"Origin": ALLOWED, "Authorization": f"Bearer {staff_token}"})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    assert response["Access-Control-Expose-Headers"] == "ETag, Location, X-Request-ID, Retry-After"
    assert "origin" in [part.strip().lower() for part in response["Vary"].split(",")]
    assert "Access-Control-Allow-Credentials" not in response
    # Preflight-only headers stay off ordinary responses.
    assert "Access-Control-Allow-Methods" not in response


def test_an_error_from_an_allowed_origin_is_readable_by_it(client):
    response = client.get(PROTECTED, headers={"Origin": ALLOWED})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["Access-Control-Allow-Origin"] == ALLOWED


def test_a_public_page_from_an_allowed_origin_gets_cors_headers(client):
    response = client.get("/api/v1/films/1/", headers={"Origin": "http://localhost:3000"})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "http://localhost:3000"


@pytest.mark.parametrize(
    "origin", [OTHER, "null", "https://pos.example.com.evil.example.net", "http://pos.example.com"]
)
def test_another_origin_gets_no_cors_headers(client, staff_token, origin):
    preflight = _preflight(client, PROTECTED, origin)
    get = client.get(PROTECTED, headers={"Origin": origin, "Authorization": f"Bearer {staff_token}"})
    assert get.status_code == 200
    assert _cors_headers(preflight) == {}
    assert _cors_headers(get) == {}


def test_no_origin_is_allowed_by_default(client, settings):
    settings.CORS_ALLOWED_ORIGINS = []
    assert _cors_headers(_preflight(client, PROTECTED, ALLOWED)) == {}
    assert _cors_headers(client.get("/api/v1/films/1/", headers={"Origin": ALLOWED})) == {}


@pytest.mark.parametrize("path", ["/health", "/admin/login/", "/api-not-quite/"])
def test_paths_outside_the_api_get_no_cors_headers(client, path):
    preflight = _preflight(client, path, ALLOWED, method="GET")
    get = client.get(path, headers={"Origin": ALLOWED})
    assert _cors_headers(preflight) == {}
    assert _cors_headers(get) == {}


def test_the_setting_reads_origins_as_browsers_send_them(monkeypatch):
    monkeypatch.setenv("DJANGO_CORS_ALLOWED_ORIGINS", "HTTPS://POS.Example.com:443, http://localhost:3000,")
    assert project_settings._origins("DJANGO_CORS_ALLOWED_ORIGINS") == [ALLOWED, "http://localhost:3000"]
