"""Each request's log line names its user (or ``anonymous``), the token's prefix when a bearer token
authenticated it, and its query string with the values of secret-looking parameters masked.

The token's prefix is all of it that is logged; a wrong token leaves nothing of itself. The first
tests run in-process (the test client: Django's middleware in sync mode), the last ones under
uvicorn, where the request log runs in the event loop and can look nothing up.
"""

import json
import logging
import uuid

import httpx2
import pytest

from pagila_site.management.commands.ensure_dev_access import DEV_TOKEN
from pagila_site.serving.logging import JsonFormatter
from pagila_site.serving.middleware import masked_query
from pagila_site.testsupport import live
from pagila_site.testsupport.fake_openai import Reply

pytestmark = pytest.mark.django_db


def _logged(caplog, call):
    """The one request log line written while ``call()`` runs, as the production formatter writes it."""
    with caplog.at_level(logging.INFO, logger="pagila.request"):
        call()
    (record,) = [r for r in caplog.records if r.name == "pagila.request"]
    return json.loads(JsonFormatter().format(record))


def test_a_token_request_logs_its_user_and_the_tokens_prefix(auth_client, caplog):
    line = _logged(caplog, lambda: auth_client.get("/api/v1/me/"))

    assert line["status"] == 200
    assert (line["user"], line["token_prefix"]) == ("staff", DEV_TOKEN[:8])
    assert DEV_TOKEN not in json.dumps(line)


def test_a_session_request_logs_its_user(superuser_client, caplog):
    line = _logged(caplog, lambda: superuser_client.get("/admin/"))

    assert line["status"] == 200
    assert (line["user"], line["token_prefix"]) == ("boss", None)


def test_an_anonymous_request_logs_anonymous(client, caplog):
    line = _logged(caplog, lambda: client.get("/api/v1/films/"))

    assert (line["user"], line["token_prefix"]) == ("anonymous", None)


def test_a_wrong_token_logs_anonymous_and_nothing_of_the_token(client, caplog):
    wrong = "wrongtok-3f9a2c7e1b"
    line = _logged(caplog, lambda: client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {wrong}"))

    assert line["status"] == 401
    assert (line["user"], line["token_prefix"]) == ("anonymous", None)
    assert wrong[:8] not in json.dumps(line)


def test_the_ai_endpoints_log_a_tokens_user_and_prefix(client, staff_token, caplog, settings):
    settings.OPENAI_API_KEY = ""  # 503 ai_not_configured: the caller is known before that
    line = _logged(
        caplog,
        lambda: client.post(
            "/api/v1/ai/handoff",
            {"question": "hello"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {staff_token}",
        ),
    )

    assert line["status"] == 503
    assert (line["user"], line["token_prefix"]) == ("staff", DEV_TOKEN[:8])


def test_the_query_string_is_logged_with_secret_values_masked(client, caplog):
    # Secrets no hex request id can hold by chance.
    line = _logged(caplog, lambda: client.get("/api/v1/films/?q=smith&api_key=sesame-key&token=sesame-tok"))

    assert line["query"] == "q=smith&api_key=***&token=***"
    assert "sesame" not in json.dumps(line)


def test_a_request_without_a_query_string_logs_an_empty_one(client, caplog):
    assert _logged(caplog, lambda: client.get("/health"))["query"] == ""


@pytest.mark.parametrize(
    ("sent", "logged"),
    [
        ("q=smith&api_key=abc&token=xyz", "q=smith&api_key=***&token=***"),
        (
            "access_token=a&client_secret=b&password=c&passwd=d&Authorization=e&sessionid=f&X-Amz-Signature=g"
            "&code=h&csrfmiddlewaretoken=i",
            "access_token=***&client_secret=***&password=***&passwd=***&Authorization=***&sessionid=***"
            "&X-Amz-Signature=***&code=***&csrfmiddlewaretoken=***",
        ),
        # Names are compared decoded; what is kept is kept as sent.
        ("api%5Fkey=abc&TOKEN=x&title=caf%C3%A9+au+lait", "api%5Fkey=***&TOKEN=***&title=caf%C3%A9+au+lait"),
        # A repeated parameter is masked every time; a bare name has no value to mask.
        ("token=a&token=b&token&page=2", "token=***&token=***&token&page=2"),
        ("category=drama&rating=PG&page_size=5&cursor=c2", "category=drama&rating=PG&page_size=5&cursor=c2"),
    ],
)
def test_which_values_are_masked(sent, logged):
    assert masked_query(sent) == logged


# --- Under uvicorn --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    with live.fake_provider(Reply(chunks=["Hello."])) as provider:
        env = {
            "LOG_LEVEL": "INFO",
            # The admin's pages need their assets, which WhiteNoise serves from the apps with DEBUG.
            "DJANGO_DEBUG": "true",
            "OPENAI_API_KEY": "request-log",
            "OPENAI_BASE_URL": provider.base_url,
            "OPENAI_MODEL": "fake-model",
        }
        with live.live_server("test_request_log", django_db_blocker, env=env) as running:
            yield running


def _served_line(server, path, **headers):
    """GET ``path`` from ``server``; the log line of that request."""
    request_id = uuid.uuid4().hex
    httpx2.get(f"{server.url}{path}", headers={"X-Request-ID": request_id, **headers}, timeout=10)
    lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    (line,) = [line for line in lines if line["message"] == "request" and line["request_id"] == request_id]
    return line


def test_under_uvicorn_a_token_request_logs_its_user_and_prefix(server):
    line = _served_line(server, "/api/v1/me/?access_token=leak", Authorization=f"Bearer {DEV_TOKEN}")

    assert (line["status"], line["user"], line["token_prefix"]) == (200, "admin", DEV_TOKEN[:8])
    assert line["query"] == "access_token=***"


def test_under_uvicorn_a_staff_session_logs_its_user_on_a_page_and_the_ai_relay(server):
    cookie = live.session_cookie(server.url)

    page = _served_line(server, "/admin/", Cookie=cookie)
    ask = _served_line(server, "/api/v1/ai/ask?question=hi", Cookie=cookie)

    assert (page["status"], page["user"], page["token_prefix"]) == (200, "admin", None)
    assert (ask["status"], ask["user"], ask["token_prefix"]) == (200, "admin", None)
    assert ask["query"] == "question=hi"


def test_under_uvicorn_an_anonymous_request_logs_anonymous(server):
    line = _served_line(server, "/api/v1/films/?page_size=1")

    assert (line["status"], line["user"], line["token_prefix"]) == (200, "anonymous", None)
