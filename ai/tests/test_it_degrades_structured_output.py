"""A provider that refuses structured output is asked in json_object mode, then without a format.

Local servers refuse ``json_schema`` each in their own way: OpenAI-style 400s, a FastAPI
server's 422, llama-cpp-python's 500 carrying the validation error. The format that worked is
remembered for the process, so later summaries don't pay the refusal again.
"""

import json
import logging

import pytest

from pagila_site.testsupport.fake_openai import Reply

pytestmark = pytest.mark.django_db

ALIEN_CENTER = 15  # NC-17, 2.99: recommended
EXPECTED = {"title": "ALIEN CENTER", "rating": "NC-17", "recommended": True}


def _reply(**refusals) -> Reply:
    return Reply(
        chunks=[json.dumps({"title": "x", "rating": "G", "recommended": True})], refuse_formats=refusals
    )


def _summary(client):
    return client.post("/api/v1/ai/summary", {"film_id": ALIEN_CENTER}, content_type="application/json")


@pytest.mark.parametrize("status", [400, 422, 500])
def test_it_asks_in_json_object_mode_when_json_schema_is_refused(client, llm, status):
    llm.default = _reply(json_schema=status)

    response = _summary(client)

    assert response.status_code == 200
    assert response.json() == EXPECTED
    assert [seen.response_format for seen in llm.seen] == ["json_schema", "json_object"]
    # JSON mode carries the schema too, for the servers that hold a reply to it there.
    assert llm.seen[1].body["response_format"]["schema"]["required"] == ["title", "rating", "recommended"]


@pytest.mark.parametrize(("schema_status", "object_status"), [(500, 422), (400, 400), (422, 500)])
def test_it_asks_without_a_format_when_both_are_refused(client, llm, schema_status, object_status):
    llm.default = _reply(json_schema=schema_status, json_object=object_status)

    response = _summary(client)

    assert response.status_code == 200
    assert response.json() == EXPECTED
    assert [seen.response_format for seen in llm.seen] == ["json_schema", "json_object", None]
    # The prompt still asks for the JSON object, and the reply is validated as ever.
    assert "reply with a JSON object" in llm.seen[-1].body["messages"][0]["content"]


def test_it_remembers_the_format_that_worked(client, llm, caplog):
    caplog.set_level(logging.INFO, logger="pagila.ai")
    llm.default = _reply(json_schema=500, json_object=422)

    assert _summary(client).status_code == 200
    assert _summary(client).status_code == 200
    assert _summary(client).status_code == 200

    assert [seen.response_format for seen in llm.seen] == ["json_schema", "json_object", None, None, None]
    learnt = [r for r in caplog.records if r.getMessage().startswith("ai provider accepts this")]
    assert [r.response_format for r in learnt] == ["none"]


def test_it_remembers_per_provider(client, llm, settings):
    llm.default = _reply(json_schema=422)
    _summary(client)

    settings.OPENAI_MODEL = "another-model"
    llm.default = _reply()
    _summary(client)

    assert [(s.body["model"], s.response_format) for s in llm.seen] == [
        ("fake-model", "json_schema"),
        ("fake-model", "json_object"),
        ("another-model", "json_schema"),
    ]


def test_it_validates_a_reply_without_a_format_as_ever(client, llm):
    llm.script(
        _reply(json_schema=500, json_object=500),
        _reply(json_schema=500, json_object=500),
        Reply(chunks=["Here is what I think: it is a fine film."]),
        Reply(chunks=["Still no JSON."]),
    )

    response = _summary(client)

    assert response.status_code == 502
    assert response.json() == {
        "detail": "The AI provider twice returned an invalid summary.",
        "code": "upstream_error",
    }
    assert [seen.response_format for seen in llm.seen] == ["json_schema", "json_object", None, None]


def test_it_does_not_take_a_500_that_names_something_else_for_a_refusal(client, llm):
    llm.script(Reply(status=500))

    response = _summary(client)

    assert response.status_code == 502
    assert response.json() == {"detail": "The AI provider failed (500).", "code": "upstream_error"}
    assert [seen.response_format for seen in llm.seen] == ["json_schema"]


def test_it_answers_502_when_every_format_is_refused(client, llm):
    # A 400 without any response_format is the request itself: nothing left to drop.
    llm.default = Reply(status=400)

    response = _summary(client)

    assert response.status_code == 502
    assert response.json() == {
        "detail": "The AI provider rejected the request (400).",
        "code": "upstream_error",
    }
    assert [seen.response_format for seen in llm.seen] == ["json_schema", "json_object", None]
