"""POST /api/v1/ai/handoff: catalogue questions go to SearchAgent (no model), the rest to LLMAgent."""

import httpx2
import pytest

from pagila_site.testsupport.fake_openai import Reply

pytestmark = pytest.mark.django_db


def _handoff(client, question):
    return client.post("/api/v1/ai/handoff", {"question": question}, content_type="application/json")


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # The contract's example; ALIEN is in three titles and the lowest film_id wins the tie.
        (
            "What is the rental rate for the film Alien?",
            "ALIEN CENTER (Children, Comedy, New) rents for $2.99.",
        ),
        # The film matching the most title words wins, whatever its id.
        ("film desire alien", "DESIRE ALIEN (Animation, Drama, Sports) rents for $2.99."),
        ("Tell me about the MOVIE hobbit ALIEN", "HOBBIT ALIEN (Classics, Drama, Sports) rents for $0.99."),
        # Any case, any punctuation around the words.
        ("Movie: academy-dinosaur?!", "ACADEMY DINOSAUR (Games, New, Travel) rents for $0.99."),
        # "movie" never counts as a title word, so PURPLE MOVIE (705) does not beat GO PURPLE (363).
        ("Is the movie Purple Movie any good?", "GO PURPLE (Family, Sci-Fi, Travel) rents for $0.99."),
    ],
)
def test_it_answers_catalogue_questions_from_the_database_without_the_model(client, llm, question, answer):
    response = _handoff(client, question)

    assert response.status_code == 200
    assert response.json() == {"agent": "SearchAgent", "answer": answer}
    assert llm.seen == []


@pytest.mark.parametrize(
    "question",
    [
        "What is a good comedy?",  # no keyword
        "Tell me about Alien Center",  # a title, but no keyword
        "Which film is the best of all time?",  # a keyword, but no title word
        "film movie",  # only keywords
        "Any films like Alien?",  # "films" is not the word "film"
        "A filmography of Alien?",
    ],
)
def test_it_hands_everything_else_to_the_model(client, llm, question):
    llm.script(Reply(chunks=["The model's", " answer."]))

    response = _handoff(client, question)

    assert response.status_code == 200
    assert response.json() == {"agent": "LLMAgent", "answer": "The model's answer."}
    [seen] = llm.seen
    assert seen.user_message == question
    # The tool loop's streamed round, its answer assembled before the JSON is sent.
    assert seen.body["stream"] is True
    assert [tool["function"]["name"] for tool in seen.body["tools"]] == [
        "search_films",
        "get_film",
        "film_availability",
        "customer_rentals",
        "customer_holds",
    ]


def test_it_answers_catalogue_questions_even_without_a_model(client, llm, settings):
    settings.OPENAI_API_KEY = ""

    assert _handoff(client, "film alien").json() == {
        "agent": "SearchAgent",
        "answer": "ALIEN CENTER (Children, Comedy, New) rents for $2.99.",
    }
    response = _handoff(client, "What is a good comedy?")
    assert response.status_code == 503
    assert response.json()["code"] == "ai_not_configured"


def test_it_answers_502_or_504_when_the_model_fails(client, llm, settings):
    llm.script(Reply(status=502))
    response = _handoff(client, "What is a good comedy?")
    assert (response.status_code, response.json()) == (
        502,
        {"detail": "The AI provider failed (502).", "code": "upstream_error"},
    )

    settings.OPENAI_TIMEOUT = 0.3
    llm.script(Reply(hang=True))
    response = _handoff(client, "What is a good comedy?")
    assert (response.status_code, response.json()) == (
        504,
        {"detail": "The AI provider did not answer in time.", "code": "upstream_timeout"},
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "This field is required."),
        ({"question": ""}, "This field may not be blank."),
        ({"question": None}, "This field may not be null."),
        ({"question": "x" * 2001}, "Ensure this field has no more than 2000 characters."),
    ],
)
def test_it_rejects_a_missing_blank_or_long_question(client, llm, body, message):
    response = client.post("/api/v1/ai/handoff", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Invalid input: question: {message}",
        "code": "invalid",
        "errors": {"question": [message]},
    }
    assert llm.seen == []


def test_it_serves_anonymous_posts_over_http_without_a_csrf_token(live_app, llm):

    response = httpx2.post(f"{live_app}/api/v1/ai/handoff/", json={"question": "film alien"}, timeout=10)

    assert response.status_code == 200
    assert response.json() == {
        "agent": "SearchAgent",
        "answer": "ALIEN CENTER (Children, Comedy, New) rents for $2.99.",
    }
