"""A failing request shows no secret of the settings in its response or its logs, and no traceback
in its response (the log has one: ``test_it_logs_the_traceback_of_a_500``).

``test_it_answers_errors_as_json`` checks the error bodies; here every failure quotes the real
secrets of the settings (the secret key, the database password, the AI provider's key) in its
exception, as a library's error message can, and every log line written while it is answered is
formatted by the production formatter and searched for them.
"""

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.test import override_settings
from django.urls import path

from pagila_site import urls as project_urls
from pagila_site.serving.logging import REDACTED, JsonFormatter

SECRET_KEY = "sk-django-7Hq2w9ZpLx4vNc8R"
DATABASE_PASSWORD = "db-p@ss/w0rd 'quoted'"
OPENAI_API_KEY = "sk-openai-Zq81mXw3Yt5Kp0Lr"
SECRETS = [SECRET_KEY, DATABASE_PASSWORD, OPENAI_API_KEY]
# How a connection string carries the password.
DSN = f"postgres://pagila:{quote(DATABASE_PASSWORD, safe='')}@db:5432/pagila"


def _leaky(request):
    raise RuntimeError(f"could not connect to {DSN} with key={SECRET_KEY} and {OPENAI_API_KEY}")


def _leaky_database(request):
    raise OperationalError(f'connection to "{DSN}" failed: password "{DATABASE_PASSWORD}" refused')


urlpatterns = [
    *project_urls.urlpatterns,
    path("api/v1/leaky", _leaky),
    path("api/v1/leaky-database", _leaky_database),
    path("leaky-page", _leaky),
]


@pytest.fixture
def secrets(settings):
    settings.SECRET_KEY = SECRET_KEY
    settings.OPENAI_API_KEY = OPENAI_API_KEY
    # Only the formatter reads this copy; open connections keep the password they were made with.
    settings.DATABASES = {
        **django_settings.DATABASES,
        "default": {**django_settings.DATABASES["default"], "PASSWORD": DATABASE_PASSWORD},
    }


def _lines(caplog):
    return [JsonFormatter().format(record) for record in caplog.records]


def _assert_no_secret(text):
    for secret in SECRETS:
        for form in (secret, json.dumps(secret)[1:-1], DSN):
            assert form not in text


def _assert_clean(text):
    _assert_no_secret(text)
    assert "Traceback" not in text
    assert 'File "' not in text


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    ("url", "status", "code"),
    [("/api/v1/leaky", 500, "server_error"), ("/api/v1/leaky-database", 503, "database_unavailable")],
)
@override_settings(ROOT_URLCONF=__name__)
def test_an_api_failure_shows_no_secret_or_traceback(
    client, settings, secrets, caplog, debug, url, status, code
):
    settings.DEBUG = debug
    client.raise_request_exception = False
    with caplog.at_level(logging.DEBUG):
        response = client.get(url)
    assert response.status_code == status
    assert response.json()["code"] == code
    _assert_clean(response.content.decode())
    lines = _lines(caplog)
    assert any(json.loads(line).get("status") == status for line in lines)  # the request was logged
    for line in lines:
        _assert_no_secret(line)


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
@override_settings(ROOT_URLCONF=__name__)
def test_the_logged_exception_keeps_its_type_and_the_rest_of_its_message(client, secrets, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="pagila.errors"):
        client.get("/api/v1/leaky")
    (line,) = _lines(caplog)
    assert json.loads(line)["exception"] == (
        f"RuntimeError: could not connect to postgres://pagila:{REDACTED}@db:5432/pagila "
        f"with key={REDACTED} and {REDACTED}"
    )


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_page_failure_shows_no_secret_or_traceback(client, secrets, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.DEBUG):
        response = client.get("/leaky-page")
    assert response.status_code == 500
    _assert_clean(response.content.decode())
    for line in _lines(caplog):
        _assert_no_secret(line)


class _EchoingProvider(BaseHTTPRequestHandler):
    """An OpenAI-compatible server that refuses the key and quotes it back, as some gateways do."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        key = self.headers.get("Authorization", "").removeprefix("Bearer ")
        body = json.dumps({"error": {"message": f"Incorrect API key provided: {key}", "type": "invalid"}})
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def echoing_provider():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoingProvider)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_a_provider_quoting_the_api_key_back_leaves_no_trace_of_it(
    client, settings, secrets, echoing_provider, caplog
):
    settings.OPENAI_BASE_URL = echoing_provider
    with caplog.at_level(logging.DEBUG):
        response = client.get("/api/v1/ai/ask", {"question": "Which films suit a rainy day?"})
    assert response.status_code == 502
    assert response.json()["code"] == "upstream_error"
    _assert_clean(response.content.decode())
    lines = _lines(caplog)
    failure = next(json.loads(line) for line in lines if "ai provider call failed" in line)
    assert f"Incorrect API key provided: {REDACTED}" in failure["cause"]
    for line in lines:
        _assert_no_secret(line)
