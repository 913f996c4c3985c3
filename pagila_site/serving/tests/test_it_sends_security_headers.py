"""Every response carries the browser security headers; HSTS only over HTTPS, with HTTPS on.

The HTTPS settings are the ones ``DJANGO_SECURE_SSL=true`` (the production default) produces,
read from the settings module in a subprocess, so these tests follow the settings if they change.
"""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, override_settings

from pagila_site.serving.catalogue_cache.fast_path import CatalogueFastPath
from pagila_site.serving.catalogue_cache.store import cache as catalogue_cache
from pagila_site.testsupport.asgi import asgi_get
from pagila_site.testsupport.concurrency import wait_until

pytestmark = pytest.mark.django_db

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Content-Security-Policy": CSP,
}
HSTS = "max-age=31536000; includeSubDomains; preload"
HTTPS_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
]

# Known gap: ApiErrorMiddleware answers an unknown /api/ URL with a new JsonResponse and copies
# only Allow, Retry-After and WWW-Authenticate from Django's page, so the headers the middleware
# under it set are lost. The fix belongs in ApiErrorMiddleware (keep them); strict, so the test
# says when it is done.
PAGES = [
    pytest.param("/api/v1/films/1/", 200, id="api"),
    pytest.param("/api/v1/no-such-thing/", 404, id="api-404"),
    pytest.param("/admin/login/", 200, id="admin"),
    pytest.param("/no-such-page/", 404, id="page-404"),
]


@pytest.fixture(scope="module")
def https_settings():
    """The HTTPS settings as production computes them from ``DJANGO_SECURE_SSL=true``."""
    script = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {HTTPS_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "pagila_site.settings", "DJANGO_SECURE_SSL": "true"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def _security_headers(response):
    headers = {name: response.get(name) for name in SECURITY_HEADERS}
    if headers["Content-Security-Policy"]:
        # A page with inline scripts (the admin's, Swagger UI's) adds a nonce of its own.
        headers["Content-Security-Policy"] = re.sub(r" 'nonce-[^']+'", "", headers["Content-Security-Policy"])
    return headers


@pytest.mark.parametrize(("url", "status"), PAGES)
def test_it_sends_the_security_headers(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert _security_headers(response) == SECURITY_HEADERS
    assert "Strict-Transport-Security" not in response


@pytest.mark.parametrize(("url", "status"), PAGES)
def test_it_sends_hsts_over_https_when_https_is_on(https_settings, url, status):
    with override_settings(**https_settings):
        response = Client().get(url, secure=True)
    assert response.status_code == status
    assert response["Strict-Transport-Security"] == HSTS
    assert _security_headers(response) == SECURITY_HEADERS


def test_the_docs_inline_script_runs_by_the_nonce_of_its_response(client):
    first, second = client.get("/api/docs/"), client.get("/api/docs/")
    nonce = re.fullmatch(
        r"default-src 'self'; script-src 'self' 'nonce-([^']+)'; .*", first["Content-Security-Policy"]
    )[1]
    assert f'<script nonce="{nonce}">' in first.content.decode()
    assert nonce not in second["Content-Security-Policy"]
    # Pages without an inline script get no nonce at all.
    assert client.get("/api/redoc/")["Content-Security-Policy"] == CSP


def test_production_turns_every_https_setting_on(https_settings):
    assert https_settings == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }


def test_it_redirects_plain_http_to_https_when_https_is_on(https_settings):
    with override_settings(**https_settings):
        response = Client().get("/api/v1/films/1/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/api/v1/films/1/"
    # HSTS is for HTTPS responses only: over HTTP a browser must ignore it anyway.
    assert "Strict-Transport-Security" not in response


def test_it_sends_no_hsts_when_https_is_off(client):
    assert not settings.SECURE_HSTS_SECONDS
    response = client.get("/api/v1/films/1/", secure=True)
    assert "Strict-Transport-Security" not in response
    assert _security_headers(response) == SECURITY_HEADERS


@pytest.fixture
def cache_on(settings):
    settings.CATALOGUE_CACHE_ENABLED = True
    catalogue_cache.ensure_listening()
    wait_until(catalogue_cache.listening.is_set)
    catalogue_cache.invalidate()
    yield catalogue_cache
    catalogue_cache.invalidate()


# The catalogue cache keeps the headers of the page it stores and sends them again, from the
# middleware and, under ASGI, before Django is entered: the security headers must be among them.
@pytest.mark.django_db(transaction=True)
def test_a_cached_catalogue_page_carries_the_same_headers(cache_on, django_assert_num_queries):
    client = Client()
    first = client.get("/api/v1/films/?page_size=2")
    with django_assert_num_queries(0):
        second = client.get("/api/v1/films/?page_size=2")
    assert second.status_code == 200
    assert _security_headers(first) == _security_headers(second) == SECURITY_HEADERS


@pytest.mark.django_db(transaction=True)
def test_the_asgi_fast_path_sends_the_same_headers(cache_on):
    Client().get("/api/v1/films/4/")
    messages, called = asgi_get(CatalogueFastPath, "/api/v1/films/4/")
    assert called == []  # answered from the cache
    headers = {name.decode(): value.decode() for name, value in messages[0]["headers"]}
    assert {name: headers.get(name.lower()) for name in SECURITY_HEADERS} == SECURITY_HEADERS
    assert "strict-transport-security" not in headers


@pytest.mark.django_db(transaction=True)
def test_a_cached_catalogue_page_sends_hsts_only_over_https(cache_on, https_settings):
    with override_settings(**https_settings):
        client = Client()
        assert client.get("/api/v1/categories/", secure=True)["Strict-Transport-Security"] == HSTS
        cached = client.get("/api/v1/categories/", secure=True)
        plain = client.get("/api/v1/categories/")
    assert cached["Strict-Transport-Security"] == HSTS
    assert _security_headers(cached) == SECURITY_HEADERS
    # Plain HTTP is redirected to HTTPS, whether or not the page is in the cache.
    assert plain.status_code == 301
    assert "Strict-Transport-Security" not in plain
