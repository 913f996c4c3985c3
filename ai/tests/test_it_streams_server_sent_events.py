"""With ``Accept: text/event-stream`` the relay speaks Server-Sent Events: token..., then done or error."""

import httpx2

from pagila_site.testsupport.fake_openai import Reply
from pagila_site.testsupport.streaming import timed_chunks

SSE = {"Accept": "text/event-stream"}


def _ask(live_app, question="hi"):
    return httpx2.get(f"{live_app}/api/v1/ai/ask", params={"question": question}, headers=SSE, timeout=10)


def test_it_frames_each_chunk_as_a_token_event_then_done(live_app, llm):
    llm.script(Reply(chunks=["Hello", " there"]))

    response = _ask(live_app)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    assert response.headers["x-request-id"]
    assert response.text == (
        'event: token\ndata: {"text": "Hello"}\n\n'
        'event: token\ndata: {"text": " there"}\n\n'
        "event: done\ndata: {}\n\n"
    )


def test_it_keeps_whitespace_and_newlines_inside_the_json_data(live_app, llm):
    llm.script(Reply(chunks=["line one\n\n", "  \tline two ", "é ✓"]))

    response = _ask(live_app)

    assert response.text == (
        'event: token\ndata: {"text": "line one\\n\\n"}\n\n'
        'event: token\ndata: {"text": "  \\tline two "}\n\n'
        'event: token\ndata: {"text": "é ✓"}\n\n'
        "event: done\ndata: {}\n\n"
    )


def test_it_sends_each_event_as_its_chunk_is_generated(live_app, llm):
    llm.script(Reply(chunks=["a", "b", "c", "d"], delay=0.5))

    response, reads = timed_chunks(live_app, "slowly", headers=SSE)

    assert response.status_code == 200
    first_at, first = reads[0]
    assert first == b'event: token\ndata: {"text": "a"}\n\n'
    assert reads[-1][0] - first_at > 1.0


def test_it_ends_with_an_error_event_when_upstream_fails_after_the_first_byte(live_app, llm):
    llm.script(Reply(chunks=["partial", " never sent"], error_event_after=1))

    response = _ask(live_app)

    assert response.status_code == 200
    assert response.text == (
        'event: token\ndata: {"text": "partial"}\n\n'
        'event: error\ndata: {"detail": "The AI provider failed.", "code": "upstream_error"}\n\n'
    )


def test_it_ends_with_an_error_event_when_upstream_drops_the_connection(live_app, llm):
    llm.script(Reply(chunks=["partial", " never sent"], drop_after=1))

    response = _ask(live_app)

    assert response.status_code == 200
    assert response.text == (
        'event: token\ndata: {"text": "partial"}\n\n'
        "event: error\ndata: "
        '{"detail": "The connection to the AI provider failed.", "code": "upstream_error"}\n\n'
    )


def test_it_ends_with_a_timeout_event_when_upstream_stalls_after_the_first_byte(live_app, llm):
    llm.script(Reply(chunks=["partial", " never sent"], hang_after=1))

    response = _ask(live_app)

    assert response.status_code == 200
    assert response.text == (
        'event: token\ndata: {"text": "partial"}\n\n'
        "event: error\ndata: "
        '{"detail": "The AI provider did not answer in time.", "code": "upstream_timeout"}\n\n'
    )
