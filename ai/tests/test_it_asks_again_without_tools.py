"""A provider that answers a request offering tools with 400 is asked again without them."""

import httpx2

from pagila_site.testsupport.fake_openai import Reply


def test_it_answers_when_the_provider_rejects_tools(live_app, llm):
    llm.script(Reply(reject_tools=True), Reply(chunks=["Without", " tools."]))

    response = httpx2.get(f"{live_app}/api/v1/ai/ask", params={"question": "Any comedies?"}, timeout=10)

    assert response.status_code == 200
    assert response.text == "Without tools."
    first, second = llm.seen
    assert len(first.body["tools"]) == 5
    assert "tools" not in second.body
    assert second.body["messages"] == first.body["messages"]


def test_it_never_offers_tools_again_in_that_answer(client, llm):
    llm.default = Reply(reject_tools=True, tool_calls=[("get_film", {"film_id": 1})], chunks=["Guessing."])

    response = client.post(
        "/api/v1/ai/handoff", {"question": "Any comedies?"}, content_type="application/json"
    )

    # The model called a tool it was not offered: not run, and no further round.
    assert response.json() == {"agent": "LLMAgent", "answer": "Guessing."}
    assert ["tools" in seen.body for seen in llm.seen] == [True, False]
