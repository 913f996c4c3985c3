"""At most four rounds of tool calls; the fifth request offers no tools and its calls are not run."""

import httpx2

from pagila_site.testsupport.fake_openai import Reply
from pagila_site.testsupport.streaming import sse_events


def test_it_runs_four_rounds_of_calls_and_not_a_fifth(live_app, llm):
    llm.default = Reply(chunks=[], tool_calls=[("get_film", {"film_id": 1})])
    llm.script(
        *[Reply(chunks=[f"round {n}. "], tool_calls=[("get_film", {"film_id": n})]) for n in (1, 2, 3, 4, 5)]
    )

    response = httpx2.get(
        f"{live_app}/api/v1/ai/ask",
        params={"question": "Keep looking"},
        headers={"Accept": "text/event-stream"},
        timeout=10,
    )

    events = sse_events(response.text)
    assert [data for event, data in events if event == "tool"] == [
        {"name": "get_film", "arguments": {"film_id": n}} for n in (1, 2, 3, 4)
    ]
    assert "".join(data["text"] for event, data in events if event == "token") == (
        "round 1. round 2. round 3. round 4. round 5. "
    )
    assert events[-1] == ("done", {})
    assert len(llm.seen) == 5
    assert ["tools" in seen.body for seen in llm.seen] == [True, True, True, True, False]
    assert [len(seen.tool_messages) for seen in llm.seen] == [0, 1, 2, 3, 4]
