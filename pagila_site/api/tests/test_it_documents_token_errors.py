"""Every operation that checks bearer tokens documents the check's own answers: 401 and 429.

A public read checks a token too when one is sent, so a wrong one is 401 there as well; and while
an address is locked out after too many wrong tokens, every token it sends is 429. The AI views
check tokens by hand (not DRF views): they document 401 themselves, and their 429 says both why.
"""

import pytest
from drf_spectacular.generators import SchemaGenerator

from pagila_site.api.schema import ERROR_DESCRIPTIONS, TOKEN_ERRORS


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_it_documents_401_and_429_with_retry_after_wherever_tokens_are_checked(schema):
    checked = [(p, m, o) for p, m, o in _operations(schema) if not p.startswith("/api/v1/ai/")]
    assert ("/api/v1/me/", "get") in {(p, m) for p, m, _ in checked}
    assert ("/api/v1/payments/", "get") in {(p, m) for p, m, _ in checked}
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    retry_after = {"schema": {"type": "integer"}, "description": "Seconds until the lock-out ends."}
    for path, method, operation in checked:
        assert operation["responses"]["401"]["content"] == error, (method, path)
        assert operation["responses"]["429"] == {
            "description": TOKEN_ERRORS[429],
            "content": error,
            "headers": {"Retry-After": retry_after},
        }, (method, path)


def test_it_keeps_an_operations_own_401_description(schema):
    response = schema["paths"]["/api/v1/customers/"]["get"]["responses"]["401"]
    assert response["description"] == ERROR_DESCRIPTIONS[401]


def test_the_ai_operations_document_the_token_check_themselves(schema):
    for path, method, operation in _operations(schema):
        if path.startswith("/api/v1/ai/"):
            assert operation["responses"]["401"]["description"] == TOKEN_ERRORS[401], (method, path)
            assert "Retry-After" in operation["responses"]["429"]["headers"], (method, path)
            assert "AI_RATE_LIMIT" in operation["responses"]["429"]["description"], (method, path)
            assert "wrong tokens" in operation["responses"]["429"]["description"], (method, path)


@pytest.mark.django_db
def test_it_answers_a_wrong_token_on_a_public_read_with_401(api_client):
    response = api_client.get("/api/v1/films/", HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"detail": "Invalid or revoked token.", "code": "authentication_failed"}
