"""POST /api/v1/ai/summary: the model is asked for JSON; title, rating and the recommendation are ours."""

import json
import logging

import pytest

from pagila_site.testsupport.fake_openai import Reply

pytestmark = pytest.mark.django_db

ALIEN_CENTER = 15  # NC-17, 2.99: recommended
AIRPORT_POLLOCK = 8  # R, 4.99: too dear
ALICE_FANTASIA = 14  # NC-17, 0.99: recommended
ACADEMY_DINOSAUR = 1  # PG, 0.99: not for adults


def _model_says(title="whatever", rating="G", recommended=False) -> Reply:
    return Reply(chunks=[json.dumps({"title": title, "rating": rating, "recommended": recommended})])


def _summary(client, body):
    return client.post("/api/v1/ai/summary", body, content_type="application/json")


@pytest.mark.parametrize(
    ("film_id", "expected"),
    [
        (ALIEN_CENTER, {"title": "ALIEN CENTER", "rating": "NC-17", "recommended": True}),
        (ALICE_FANTASIA, {"title": "ALICE FANTASIA", "rating": "NC-17", "recommended": True}),
        (AIRPORT_POLLOCK, {"title": "AIRPORT POLLOCK", "rating": "R", "recommended": False}),
        (ACADEMY_DINOSAUR, {"title": "ACADEMY DINOSAUR", "rating": "PG", "recommended": False}),
    ],
)
def test_it_answers_the_catalogue_title_and_rating_and_the_store_rule(client, llm, film_id, expected):
    # The model gets everything wrong; only the shape of its reply is used.
    llm.script(_model_says(title="Something Else", rating="G", recommended=not expected["recommended"]))

    response = _summary(client, {"film_id": film_id})

    assert response.status_code == 200
    assert response.json() == expected


def test_it_asks_for_structured_output_with_the_films_facts(client, llm):
    llm.script(_model_says(recommended=True))

    _summary(client, {"film_id": ALIEN_CENTER})

    [seen] = llm.seen
    assert seen.body["model"] == "fake-model"
    assert seen.body["response_format"]["type"] == "json_schema"
    assert seen.body["response_format"]["json_schema"]["strict"] is True
    assert seen.body["response_format"]["json_schema"]["schema"]["required"] == [
        "title",
        "rating",
        "recommended",
    ]
    facts = json.loads(seen.user_message)
    assert facts["title"] == "ALIEN CENTER"
    assert facts["rating"] == "NC-17"
    assert facts["rental_rate"] == "2.99"
    assert facts["categories"] == ["Children", "Comedy", "New"]
    assert facts["description"]
    assert facts["length_minutes"] == 46


def test_it_logs_when_the_rule_overrides_the_model(client, llm, caplog):
    caplog.set_level(logging.INFO, logger="pagila.ai")
    llm.script(_model_says(recommended=True))

    response = _summary(client, {"film_id": AIRPORT_POLLOCK})

    assert response.json()["recommended"] is False
    [record] = [r for r in caplog.records if r.getMessage() == "ai summary recommendation overridden"]
    assert (record.film_id, record.rating, record.rental_rate) == (AIRPORT_POLLOCK, "R", "4.99")
    assert (record.model_recommended, record.recommended) == (True, False)


def test_it_logs_nothing_when_the_model_agrees(client, llm, caplog):
    caplog.set_level(logging.INFO, logger="pagila.ai")
    llm.script(_model_says(recommended=True))

    assert _summary(client, {"film_id": ALIEN_CENTER}).json()["recommended"] is True
    assert not [r for r in caplog.records if r.getMessage() == "ai summary recommendation overridden"]


def test_it_falls_back_to_json_object_mode_when_json_schema_is_rejected(client, llm):
    reply = _model_says(recommended=True)
    reply.refuse_formats = {"json_schema": 400}
    llm.script(reply, reply)

    response = _summary(client, {"film_id": ALIEN_CENTER})

    assert response.status_code == 200
    assert response.json() == {"title": "ALIEN CENTER", "rating": "NC-17", "recommended": True}
    assert [seen.response_format for seen in llm.seen] == ["json_schema", "json_object"]


def test_it_retries_once_when_the_reply_is_not_the_json_asked_for(client, llm):
    llm.script(Reply(chunks=["Sure! Here is your JSON: {"]), _model_says(recommended=True))

    response = _summary(client, {"film_id": ALIEN_CENTER})

    assert response.status_code == 200
    assert response.json() == {"title": "ALIEN CENTER", "rating": "NC-17", "recommended": True}
    assert len(llm.seen) == 2


@pytest.mark.parametrize(
    "bad_reply",
    [
        "not json",
        "[]",
        '{"title": "ALIEN CENTER", "rating": "NC-17"}',
        '{"title": "ALIEN CENTER", "rating": "NC-17", "recommended": "yes"}',
        '{"title": null, "rating": "NC-17", "recommended": true}',
    ],
)
def test_it_answers_502_after_two_invalid_replies(client, llm, bad_reply):
    llm.script(Reply(chunks=[bad_reply]), Reply(chunks=[bad_reply]), _model_says())

    response = _summary(client, {"film_id": ALIEN_CENTER})

    assert response.status_code == 502
    assert response.json() == {
        "detail": "The AI provider twice returned an invalid summary.",
        "code": "upstream_error",
    }
    assert len(llm.seen) == 2


def test_it_answers_502_when_the_model_fails(client, llm):
    llm.script(Reply(status=500))

    response = _summary(client, {"film_id": ALIEN_CENTER})

    assert response.status_code == 502
    assert response.json() == {"detail": "The AI provider failed (500).", "code": "upstream_error"}


def test_it_answers_504_when_the_model_is_too_slow(client, llm, settings):
    settings.OPENAI_TIMEOUT = 0.3
    llm.script(Reply(hang=True))

    response = _summary(client, {"film_id": ALIEN_CENTER})

    assert response.status_code == 504
    assert response.json() == {
        "detail": "The AI provider did not answer in time.",
        "code": "upstream_timeout",
    }


def test_it_answers_404_for_an_unknown_film_without_asking_the_model(client, llm):
    response = _summary(client, {"film_id": 1001})

    assert response.status_code == 404
    assert response.json() == {"detail": "No film has film_id 1001.", "code": "not_found"}
    assert llm.seen == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "This field is required."),
        ({"film_id": None}, "This field may not be null."),
        ({"film_id": "15"}, "A valid integer is required."),
        ({"film_id": 15.0}, "A valid integer is required."),
        ({"film_id": True}, "A valid integer is required."),
        ({"film_id": [15]}, "A valid integer is required."),
        ({"film_id": 2**31}, "Ensure this value is less than or equal to 2147483647."),
        ({"film_id": -(2**31) - 1}, "Ensure this value is greater than or equal to -2147483648."),
    ],
)
def test_it_rejects_a_missing_or_malformed_film_id(client, llm, body, message):
    response = _summary(client, body)

    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Invalid input: film_id: {message}",
        "code": "invalid",
        "errors": {"film_id": [message]},
    }
    assert llm.seen == []


def test_it_rejects_a_body_that_is_not_json(client, llm):
    response = client.post("/api/v1/ai/summary", "{film_id: 15", content_type="application/json")

    assert response.status_code == 400
    detail = "JSON parse error - Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
    assert response.json() == {
        "detail": detail,
        "code": "parse_error",
        "errors": {"non_field_errors": [detail]},
    }
    assert llm.seen == []


def test_it_allows_only_post(client):
    response = client.get("/api/v1/ai/summary")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json() == {"detail": "Method not allowed.", "code": "method_not_allowed"}
