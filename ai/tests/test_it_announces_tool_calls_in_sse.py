"""In Server-Sent Events each tool call is announced as ``event: tool`` before the tokens."""

import httpx2

from pagila_site.testsupport.fake_openai import Reply
from pagila_site.testsupport.streaming import sse_events


def test_it_announces_each_call_before_the_answer(live_app, llm):
    llm.script(
        Reply(
            chunks=["Looking"],
            tool_calls=[("search_films", {"query": "dinosaur"}), ("film_availability", {"film_id": 1})],
        ),
        Reply(chunks=["Done", " looking."]),
    )

    response = httpx2.get(
        f"{live_app}/api/v1/ai/ask",
        params={"question": "Dinosaurs?"},
        headers={"Accept": "text/event-stream"},
        timeout=10,
    )

    assert response.status_code == 200
    assert sse_events(response.text) == [
        ("token", {"text": "Looking"}),
        ("tool", {"name": "search_films", "arguments": {"query": "dinosaur"}}),
        ("tool", {"name": "film_availability", "arguments": {"film_id": 1}}),
        ("token", {"text": "Done"}),
        ("token", {"text": " looking."}),
        ("done", {}),
    ]
