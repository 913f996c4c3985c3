"""Every response carries X-Request-ID, and every request is logged once as JSON."""

import json
import re

import pytest

from pagila_site.serving.logging import JsonFormatter

pytestmark = pytest.mark.django_db


def test_it_echoes_the_callers_request_id(client):
    response = client.get("/health", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"


def test_it_generates_a_request_id_when_none_is_given(client):
    response = client.get("/health")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_it_replaces_a_request_id_that_could_forge_log_lines(client):
    response = client.get("/health", HTTP_X_REQUEST_ID='x"\n{"level": "CRITICAL"}')
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_it_logs_one_json_line_per_request(client, caplog):
    with caplog.at_level("INFO", logger="pagila.request"):
        client.get("/api/v1/missing", HTTP_X_REQUEST_ID="req-1")
    records = [r for r in caplog.records if r.name == "pagila.request"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["method"] == "GET"
    assert line["path"] == "/api/v1/missing"
    assert line["status"] == 404
    assert line["request_id"] == "req-1"
    assert isinstance(line["duration_ms"], float)
