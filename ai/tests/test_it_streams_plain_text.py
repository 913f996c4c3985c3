"""GET /api/v1/ai/ask relays the model's answer as plain text, chunk by chunk as it comes."""

import httpx2

from pagila_site.testsupport.fake_openai import Reply
from pagila_site.testsupport.streaming import timed_chunks


def test_it_streams_the_answer_as_plain_text(live_app, llm):
    llm.script(Reply(chunks=["Hello", ", ", "world", "!"]))

    response = httpx2.get(f"{live_app}/api/v1/ai/ask", params={"question": "Say hello"}, timeout=10)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    assert len(response.headers["x-request-id"]) == 32
    assert response.text == "Hello, world!"
    [seen] = llm.seen
    assert seen.body["model"] == "fake-model"
    assert seen.body["stream"] is True
    assert seen.user_message == "Say hello"


def test_it_preserves_whitespace_newlines_and_unicode(live_app, llm):
    chunks = ["  Line one\n", "\n", "\tindented  ", "   ", " end \r\n", "naïve café ✓ 映画", "\n\n"]
    llm.script(Reply(chunks=chunks))

    response = httpx2.get(f"{live_app}/api/v1/ai/ask", params={"question": "Format it"}, timeout=10)

    assert response.status_code == 200
    assert response.content == "".join(chunks).encode()


def test_it_sends_the_first_chunk_long_before_the_last_is_generated(live_app, llm):
    llm.script(Reply(chunks=["one", " two", " three", " four", " five"], delay=0.5))

    response, reads = timed_chunks(live_app, "Count slowly")

    assert response.status_code == 200
    assert b"".join(data for _, data in reads) == b"one two three four five"
    first_at, first = reads[0]
    last_at, _ = reads[-1]
    # Upstream produces a chunk every 0.5 s: the first arrives alone, and the last 2 s later.
    # A buffered relay would deliver everything at once, after 2.5 s.
    assert first == b"one"
    assert last_at - first_at > 1.5
    assert len(reads) >= 5


def test_it_answers_plain_text_unless_event_stream_is_asked_for(live_app, llm):
    for accept in ("*/*", "application/json", "text/plain", "text/html, */*;q=0.8"):
        llm.script(Reply(chunks=["plain"]))
        response = httpx2.get(
            f"{live_app}/api/v1/ai/ask", params={"question": "hi"}, headers={"Accept": accept}, timeout=10
        )
        assert (response.status_code, response.headers["content-type"], response.text) == (
            200,
            "text/plain; charset=utf-8",
            "plain",
        ), accept


def test_it_accepts_a_question_of_2000_characters_and_the_trailing_slash(live_app, llm):
    response = httpx2.get(f"{live_app}/api/v1/ai/ask/", params={"question": "q" * 2000}, timeout=10)

    assert response.status_code == 200
    assert response.text == "Hello, world!"
    assert llm.seen[0].user_message == "q" * 2000


def test_it_ends_a_plain_text_stream_early_when_upstream_fails_after_the_first_byte(live_app, llm):
    llm.script(Reply(chunks=["partial", " answer", " lost"], error_event_after=2))

    response = httpx2.get(f"{live_app}/api/v1/ai/ask", params={"question": "hi"}, timeout=10)

    assert response.status_code == 200
    assert response.text == "partial answer"
