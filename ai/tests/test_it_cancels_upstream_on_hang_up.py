"""A client hanging up on the relay cancels the model's work at once, whenever it happens."""

import time

from pagila_site.testsupport.fake_openai import Reply
from pagila_site.testsupport.streaming import open_stream, read_until

# Far below the 2 s provider timeout, so only the hang-up can explain the upstream closing.
PROMPTLY = 1.0


def test_it_closes_the_upstream_request_when_the_client_hangs_up_mid_stream(live_app, llm):
    llm.script(Reply(chunks=["first", *[" more"] * 100], delay=0.1))
    sock = open_stream(live_app, "Talk for a long time")
    read_until(sock, b"first")

    sock.close()
    hung_up_at = time.monotonic()

    [seen] = llm.wait_for(lambda seen: [s for s in seen if s.disconnected_at])

    assert seen.disconnected_at - hung_up_at < PROMPTLY
    assert seen.finished_at is None
    assert seen.chunks_sent < 30


def test_it_closes_the_upstream_request_when_the_client_hangs_up_before_the_first_byte(live_app, llm):
    llm.script(Reply(hang=True))
    sock = open_stream(live_app, "Think hard", headers={"Accept": "text/event-stream"})
    llm.wait_for(lambda seen: seen)

    sock.close()
    hung_up_at = time.monotonic()

    [seen] = llm.wait_for(lambda seen: [s for s in seen if s.disconnected_at])

    assert seen.disconnected_at - hung_up_at < PROMPTLY
