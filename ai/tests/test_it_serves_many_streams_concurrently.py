"""Slow streams wait on the network, not on workers: fifty at once, and the rest of the app still answers."""

import asyncio
import time

import httpx2

from pagila_site.testsupport.fake_openai import Reply

STREAMS = 50
CHUNKS = ["a", "b", "c", "d", "e", "f"]
DELAY = 0.5  # per chunk: each stream takes about 3 s


async def _stream(client: httpx2.AsyncClient) -> tuple[int, str, float]:
    started = time.monotonic()
    response = await client.get("/api/v1/ai/ask", params={"question": "slow"})
    return response.status_code, response.text, time.monotonic() - started


async def _health_while(client: httpx2.AsyncClient, streams: asyncio.Future, llm) -> list[tuple[int, float]]:
    # Once every stream is waiting on the slow provider, which is the state that must not starve
    # the app; the burst of fifty requests arriving at once is a different matter (CPU).
    await asyncio.to_thread(llm.wait_for, lambda seen: len(seen) == STREAMS)
    answers = []
    while not streams.done():
        started = time.monotonic()
        response = await client.get("/health")
        answers.append((response.status_code, time.monotonic() - started))
        await asyncio.sleep(0.1)
    return answers


async def _run(base_url: str, llm):
    limits = httpx2.Limits(max_connections=STREAMS + 10)
    async with httpx2.AsyncClient(base_url=base_url, timeout=20, limits=limits) as client:
        started = time.monotonic()
        streams = asyncio.gather(*(_stream(client) for _ in range(STREAMS)))
        health = await _health_while(client, streams, llm)
        return await streams, health, time.monotonic() - started


def test_it_relays_fifty_slow_streams_at_once_while_other_endpoints_answer(live_app, llm):
    llm.default = Reply(chunks=CHUNKS, delay=DELAY)

    results, health, elapsed = asyncio.run(_run(live_app, llm))

    assert [(status, text) for status, text, _ in results] == [(200, "abcdef")] * STREAMS
    # One after another they would take 50 x 3 s = 150 s; side by side, about 3 s.
    assert elapsed < 9, elapsed
    assert len(llm.seen) == STREAMS
    # All fifty were in flight upstream at the same moment.
    assert max(seen.received_at for seen in llm.seen) < min(seen.finished_at for seen in llm.seen)
    assert len(health) >= 5
    assert all(status == 200 for status, _ in health)
    # Typically a few milliseconds; the bound leaves room for a busy CI machine, and is still
    # far below the 2 s or more that a health check queued behind the streams would take.
    assert max(latency for _, latency in health) < 1.0, health
