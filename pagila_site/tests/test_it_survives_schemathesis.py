"""Schemathesis against ``/api/schema/``: no 5xx, and nothing that contradicts the schema.

Every operation of the published schema is fuzzed with the development token, on the real app:
uvicorn serving ``pagila_site.asgi:application`` with DEBUG off, as ``make run`` serves it, on a
private clone of the test template (the fuzzer rents, returns and deletes; none of it leaks into
other tests), with the AI endpoints answered by the fake model provider. Generation is
deterministic and bounded per operation, so a CI run sends the same requests every time.

The schema is read from ``/api/schema/`` in-process when the module is collected, so that each
operation is a test of its own; the first test checks that the live server serves the same.
(``schemathesis.pytest.from_fixture`` could load it from the live server, but schemathesis 4.32
renames pytest items through ``Node._nodeid``, which pytest 9.2 no longer has.)
A failure prints the request as a curl command, and the server's log says why.
"""

import json
import time
import urllib.request

import pytest
import schemathesis
from django.test import Client
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from pagila_site.management.commands.ensure_dev_access import DEV_TOKEN
from pagila_site.testsupport import live
from pagila_site.testsupport.fake_openai import Reply

pytestmark = pytest.mark.full_data

CHECKS = [
    # No 5xx, and every response as documented: status, media type, body and headers.
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    # An undocumented method is 405 with Allow; a protected operation refuses a missing or wrong token.
    unsupported_method,
    allow_header_conformance,
    missing_required_header,
    ignored_auth,
]
# Not checked: negative_data_rejection and positive_data_acceptance hold the app to the schema's
# types alone, where the contract says otherwise (an oversized or malformed page_size is clamped
# or falls back to the default; an unknown inventory_id is 400).
MAX_EXAMPLES = 30
# The fuzzing takes about 35 s on a 2-core machine; far past that, something hangs or crawls.
TIME_BUDGET = 120.0
# Ids drawn at random almost never exist; half the time an id is one of these Pagila rows instead
# (an inactive customer, open rentals, a copy that is out), so the fuzzer also reaches the 2xx
# and 409 answers. Subscriptions 1-3 are the ones the fuzzer itself creates first.
KNOWN_IDS = {
    "customers": [1, 2, 16, 64, 148, 599],
    "films": [1, 2, 15, 1000],
    "rentals": [1, 2, 11496, 11541, 11563, 16049],
    "copies": [1, 2, 3, 2047, 4581],
    "staff": [1, 2],
    "subscriptions": [1, 2, 3],
}
ID_PARAMS = {
    "path.customer_id": "customers",
    "query.customer_id": "customers",
    "path.film_id": "films",
    "query.film_id": "films",
    "body.film_id": "films",
    "path.rental_id": "rentals",
    "query.inventory_id": "copies",
    "body.inventory_id": "copies",
    "body.staff_id": "staff",
    "path.subscription_id": "subscriptions",
}
# A model reply that is valid JSON for the summary, and plain text for the relay and LLMAgent.
MODEL_REPLY = Reply(chunks=['{"title": "ACE GOLDFINGER", ', '"rating": "G", "recommended": false}'])

AUTHORIZATION = {"Authorization": f"Bearer {DEV_TOKEN}"}
PUBLISHED = Client().get("/api/schema/", {"format": "json"}).json()
schema = schemathesis.openapi.from_dict(
    PUBLISHED,
    config=schemathesis.Config.from_dict(
        {
            "headers": AUTHORIZATION,
            # Seconds per request: the slowest legitimate answer here takes milliseconds.
            "request-timeout": 10,
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "dictionaries": {name: {"values": ids} for name, ids in KNOWN_IDS.items()},
            "parameters": {key: {"dictionary": ids, "probability": 0.5} for key, ids in ID_PARAMS.items()},
        }
    ),
)


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    with live.fake_provider(MODEL_REPLY) as provider:
        env = {
            "DJANGO_DEBUG": "false",
            "OPENAI_API_KEY": "schemathesis",
            "OPENAI_BASE_URL": provider.base_url,
            "OPENAI_MODEL": "fake-model",
            # Throttling would answer 429 instead of exercising the endpoints: the AI budget runs
            # out, and the wrong tokens ignored_auth sends lock the address out, dvd_admin included.
            "AI_RATE_LIMIT": "100000/min",
            "AUTH_FAILURE_RATE": "100000/min",
        }
        with live.live_server("test_schemathesis", django_db_blocker, env=env) as running:
            yield running


def test_it_fuzzes_the_schema_the_server_serves(server):
    with urllib.request.urlopen(f"{server.url}/api/schema/?format=json") as response:  # noqa: S310 - local
        assert json.load(response) == PUBLISHED


@pytest.fixture(scope="module")
def out_of_time(server):
    ends = time.monotonic() + TIME_BUDGET
    return lambda: time.monotonic() > ends


@schema.parametrize()
def test_it_survives_schemathesis(case, server, out_of_time):
    if out_of_time():
        pytest.fail(f"schemathesis took more than its {TIME_BUDGET:.0f} s")
    try:
        # The token again, as an explicit header: once an operation documents header parameters of its
        # own (Idempotency-Key, If-Match), ignored_auth counts the config's Authorization among the
        # generated headers, takes it for a made-up token and fails the 2xx it earned.
        case.call_and_validate(base_url=server.url, checks=CHECKS, headers=AUTHORIZATION)
    except Exception:
        # The traceback of a 500 is in the server's log, not in the response.
        print(server.log()[-20000:])
        raise


@pytest.mark.parametrize("accept", ["text/plain", "text/event-stream"])
def test_it_streams_answers_as_documented(server, accept):
    # The fuzzer never asks for the event stream: Accept is negotiation, not a documented parameter.
    case = schema["/api/v1/ai/ask"]["GET"].Case(query={"question": "Any film?"}, headers={"Accept": accept})
    response = case.call_and_validate(base_url=server.url, checks=CHECKS)
    assert response.status_code == 200
    assert response.headers["content-type"][0].startswith(accept)
