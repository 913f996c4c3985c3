"""A provider breaking its stream mid-answer never breaks the relay's own response.

Each way a real provider breaks: SSE ends with ``event: error`` (JSON with detail and code),
plain text ends its body with the chunked encoding's last chunk (a client reading it to the end
gets no error), and the upstream response is closed.
"""

import httpx2
import pytest

from pagila_site.testsupport.fake_openai import Reply
from pagila_site.testsupport.streaming import sse_events

BROKEN = {
    "dropped connection": Reply(chunks=["one", "two", "three"], drop_after=2),
    "reset connection": Reply(chunks=["one", "two", "three"], reset_after=2),
    "truncated chunked body": Reply(chunks=["one", "two", "three"], truncate_after=2),
    "malformed JSON": Reply(chunks=["one", "two", "three"], malformed_after=2),
    "stall past the read timeout": Reply(chunks=["one", "two", "three"], hang_after=2),
    "error event": Reply(chunks=["one", "two", "three"], error_event_after=2),
}
DETAIL = {
    "dropped connection": ("The connection to the AI provider failed.", "upstream_error"),
    "reset connection": ("The connection to the AI provider failed.", "upstream_error"),
    "truncated chunked body": ("The connection to the AI provider failed.", "upstream_error"),
    "malformed JSON": ("The AI provider sent a malformed stream.", "upstream_error"),
    "stall past the read timeout": ("The AI provider did not answer in time.", "upstream_timeout"),
    "error event": ("The AI provider failed.", "upstream_error"),
}
# Where the fake keeps the connection open after breaking the stream, only the relay closing the
# upstream response ends it; elsewhere the provider's side closed it.
LEFT_OPEN = {"malformed JSON", "stall past the read timeout"}


def _ask(live_app, headers=None):
    # httpx2 raises on a reset connection or an incomplete chunked body: reading to the end is
    # the check that the relay's response was complete.
    with httpx2.stream(
        "GET", f"{live_app}/api/v1/ai/ask", params={"question": "hi"}, headers=headers, timeout=10
    ) as response:
        return response, response.read().decode()


@pytest.mark.parametrize("kind", BROKEN)
def test_it_ends_an_event_stream_with_an_error_event(live_app, llm, kind):
    llm.script(BROKEN[kind])

    response, text = _ask(live_app, {"Accept": "text/event-stream"})

    detail, code = DETAIL[kind]
    assert response.status_code == 200
    assert sse_events(text) == [
        ("token", {"text": "one"}),
        ("token", {"text": "two"}),
        ("error", {"detail": detail, "code": code}),
    ]
    if kind in LEFT_OPEN:
        llm.wait_for(lambda seen: seen[0].disconnected_at)


@pytest.mark.parametrize("kind", BROKEN)
def test_it_ends_a_plain_text_body_cleanly(live_app, llm, kind):
    llm.script(BROKEN[kind])

    response, text = _ask(live_app)

    assert response.status_code == 200
    assert text == "onetwo"
    if kind in LEFT_OPEN:
        llm.wait_for(lambda seen: seen[0].disconnected_at)


def test_it_serves_the_next_question_after_a_broken_stream(live_app, llm):
    llm.script(BROKEN["reset connection"], BROKEN["malformed JSON"], Reply(chunks=["fine"]))

    texts = [_ask(live_app)[1] for _ in range(3)]

    assert texts == ["onetwo", "onetwo", "fine"]
