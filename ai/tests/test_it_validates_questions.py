"""The relay's question is 1 to 2000 characters; anything else is a 400 naming it, without the model."""

import pytest
from django.test import Client


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "This field is required."),
        ({"question": ""}, "This field may not be blank."),
        ({"question": "   "}, "This field may not be blank."),
        ({"question": "x" * 2001}, "Ensure this field has no more than 2000 characters."),
    ],
)
def test_it_rejects_a_missing_blank_or_long_question(client, llm, params, message):
    response = client.get("/api/v1/ai/ask", params, headers={"Accept": "text/event-stream"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": f"Invalid input: question: {message}",
        "code": "invalid",
        "errors": {"question": [message]},
    }
    assert llm.seen == []


def test_it_allows_only_get(client, llm):
    response = client.post("/api/v1/ai/ask", {"question": "hi"})

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == {"detail": "Method not allowed.", "code": "method_not_allowed"}
    assert llm.seen == []


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_answers_other_methods_405_even_with_csrf_checks_on(llm, method):
    # A real client has no CSRF exemption; the wrong method must still be 405, not CSRF's 403.
    client = Client(enforce_csrf_checks=True)

    response = getattr(client, method)("/api/v1/ai/ask?question=hi")

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == {"detail": "Method not allowed.", "code": "method_not_allowed"}
    assert llm.seen == []
