"""A 500 is logged with its traceback, so it can be diagnosed, and still without the settings' secrets.

The views below fail the way a library can: quoting the secret key in the exception's message,
which the traceback's last line repeats (and, for a KeyError, shows as Python's ``repr``).
"""

import json
import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import override_settings
from django.urls import path

from pagila_site import urls as project_urls
from pagila_site.serving.logging import REDACTED, JsonFormatter

# A backslash: Python's repr doubles it, so the repr form differs from the plain one.
SECRET_KEY = r"sk-django-Tb4\Wq9Lm2Xz7Pc"


def _fail_to_reach_the_provider():
    raise RuntimeError(f"handshake refused for key={SECRET_KEY}")


def _explodes(request):
    try:
        _fail_to_reach_the_provider()
    except RuntimeError as exc:
        raise ValueError("could not build the page") from exc


def _looks_up_the_key(request):
    return {}[SECRET_KEY]


def _not_here(request):
    raise Http404("no such film")


def _not_yours(request):
    raise PermissionDenied


urlpatterns = [
    *project_urls.urlpatterns,
    path("api/v1/explodes", _explodes),
    path("explodes", _explodes),
    path("api/v1/looks-up-the-key", _looks_up_the_key),
    path("not-here", _not_here),
    path("not-yours", _not_yours),
]


@pytest.fixture
def failing(client, settings):
    settings.SECRET_KEY = SECRET_KEY
    client.raise_request_exception = False
    return client


def _unhandled(caplog):
    lines = [json.loads(JsonFormatter().format(record)) for record in caplog.records]
    return [line for line in lines if line["message"] == "unhandled exception"]


def _assert_no_secret(line):
    text = json.dumps(line)
    for form in (SECRET_KEY, repr(SECRET_KEY)[1:-1]):
        assert form not in text
        assert json.dumps(form)[1:-1] not in text


@pytest.mark.parametrize("url", ["/api/v1/explodes", "/explodes"])
@override_settings(ROOT_URLCONF=__name__)
def test_the_log_line_of_a_500_carries_its_traceback_without_the_secret_key(failing, caplog, url):
    with caplog.at_level(logging.INFO):
        response = failing.get(url)
    assert response.status_code == 500
    (line,) = _unhandled(caplog)
    assert line["level"] == "ERROR"
    assert line["path"] == url
    assert line["request_id"] == response["X-Request-ID"]
    assert line["exception"] == "ValueError: could not build the page"
    traceback = line["traceback"]
    assert traceback.startswith("Traceback (most recent call last):")
    # Both functions, the cause first, and the cause's message with the key scrubbed out.
    assert "in _fail_to_reach_the_provider\n" in traceback
    assert "in _explodes\n" in traceback
    assert f"RuntimeError: handshake refused for key={REDACTED}\n" in traceback
    assert "The above exception was the direct cause of the following exception:" in traceback
    assert traceback.endswith("ValueError: could not build the page")
    _assert_no_secret(line)


@override_settings(ROOT_URLCONF=__name__)
def test_a_secret_quoted_as_python_repr_is_scrubbed_too(failing, caplog):
    with caplog.at_level(logging.ERROR):
        assert failing.get("/api/v1/looks-up-the-key").status_code == 500
    (line,) = _unhandled(caplog)
    assert line["exception"] == f"KeyError: '{REDACTED}'"
    assert line["traceback"].endswith(f"KeyError: '{REDACTED}'")
    assert "in _looks_up_the_key\n" in line["traceback"]
    _assert_no_secret(line)


@override_settings(ROOT_URLCONF=__name__)
def test_an_exception_django_answers_as_a_4xx_is_not_logged_as_a_failure(failing, caplog):
    with caplog.at_level(logging.INFO):
        assert failing.get("/not-here").status_code == 404
        assert failing.get("/not-yours").status_code == 403
    assert _unhandled(caplog) == []


class ExplodingMiddleware:
    """Fails before any view runs, as a broken session or auth backend would."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/middleware-explodes":
            _fail_to_reach_the_provider()
        return self.get_response(request)


@override_settings(ROOT_URLCONF=__name__)
def test_a_500_raised_in_a_middleware_is_logged_with_its_traceback(failing, caplog, settings):
    settings.MIDDLEWARE = [
        settings.MIDDLEWARE[0],
        f"{__name__}.ExplodingMiddleware",
        *settings.MIDDLEWARE[1:],
    ]
    with caplog.at_level(logging.INFO):
        response = failing.get("/middleware-explodes")
    assert response.status_code == 500
    (line,) = _unhandled(caplog)
    assert line["request_id"] == response["X-Request-ID"]
    assert "in __call__\n" in line["traceback"]
    assert line["traceback"].endswith(f"RuntimeError: handshake refused for key={REDACTED}")
    _assert_no_secret(line)
