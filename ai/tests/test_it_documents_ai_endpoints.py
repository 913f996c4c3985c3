"""The OpenAPI schema describes the AI endpoints, though they are async views rather than DRF's."""

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def paths():
    return SchemaGenerator().get_schema(request=None, public=True)["paths"]


def test_it_documents_exactly_the_three_ai_operations(paths):
    ai = {path: sorted(operations) for path, operations in paths.items() if path.startswith("/api/v1/ai/")}

    assert ai == {"/api/v1/ai/ask": ["get"], "/api/v1/ai/handoff": ["post"], "/api/v1/ai/summary": ["post"]}


def test_it_documents_the_relays_question_media_types_and_failures(paths):
    ask = paths["/api/v1/ai/ask"]["get"]

    assert ask["operationId"] == "ai_ask"
    [question] = ask["parameters"]
    assert question == {
        "in": "query",
        "name": "question",
        "required": True,
        "schema": {"type": "string", "minLength": 1, "maxLength": 2000},
        "description": "What to ask, 1 to 2000 characters.",
    }
    assert sorted(ask["responses"]) == ["200", "400", "401", "429", "502", "503", "504"]
    assert sorted(ask["responses"]["200"]["content"]) == ["text/event-stream", "text/plain"]
    assert sorted(ask["responses"]["200"]["headers"]) == ["Cache-Control", "X-Accel-Buffering"]
    assert sorted(ask["responses"]["429"]["headers"]) == ["Retry-After"]
    assert ask["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationError"
    }
    assert ask["security"] == [{}]


def test_it_documents_one_server_sent_event_as_the_stream_schema(paths):
    # OpenAPI reads an event stream's schema as one event's: {"event", "data"}, not a string.
    content = paths["/api/v1/ai/ask"]["get"]["responses"]["200"]["content"]
    event = content["text/event-stream"]["schema"]

    assert event["type"] == "object"
    assert event["required"] == ["event", "data"]
    assert event["properties"]["event"] == {"type": "string", "enum": ["tool", "token", "done", "error"]}
    assert event["properties"]["data"]["type"] == "string"
    assert content["text/plain"]["schema"] == {"type": "string"}


def test_it_documents_the_summary_and_handoff_bodies(paths):
    summary = paths["/api/v1/ai/summary"]["post"]
    handoff = paths["/api/v1/ai/handoff"]["post"]

    assert summary["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SummaryRequest"
    }
    assert summary["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Summary"
    }
    assert sorted(summary["responses"]) == ["200", "400", "401", "404", "429", "502", "503", "504"]
    assert handoff["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Handoff"
    }
    assert sorted(handoff["responses"]) == ["200", "400", "401", "429", "502", "503", "504"]


def test_it_describes_the_wire_shapes_exactly():
    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]

    assert components["SummaryRequest"]["required"] == ["film_id"]
    assert components["SummaryRequest"]["properties"]["film_id"]["type"] == "integer"
    assert sorted(components["Summary"]["properties"]) == ["rating", "recommended", "title"]
    assert sorted(components["Summary"]["required"]) == ["rating", "recommended", "title"]
    assert components["HandoffRequest"]["properties"]["question"]["maxLength"] == 2000
    assert sorted(components["Handoff"]["properties"]) == ["agent", "answer"]
    assert components["Handoff"]["properties"]["agent"]["allOf"] == [
        {"$ref": "#/components/schemas/AgentEnum"}
    ]
    assert components["AgentEnum"]["enum"] == ["SearchAgent", "LLMAgent"]
