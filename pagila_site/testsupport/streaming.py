"""Small HTTP clients for the streaming tests: they see bytes exactly when the server sends them."""

import json
import socket
import time
from urllib.parse import urlencode, urlsplit

import httpx2


def timed_chunks(url: str, question: str, *, headers: dict | None = None) -> tuple[httpx2.Response, list]:
    """GET the relay; the response and ``[(seconds since the request, bytes), ...]`` as read."""
    started = time.monotonic()
    reads = []
    with httpx2.stream(
        "GET", f"{url}/api/v1/ai/ask", params={"question": question}, headers=headers, timeout=10
    ) as response:
        for data in response.iter_raw():
            reads.append((time.monotonic() - started, data))
    return response, reads


def open_stream(url: str, question: str, *, headers: dict | None = None) -> socket.socket:
    """A raw connection with a relay request sent, for tests that hang up mid-answer."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    lines = [f"GET /api/v1/ai/ask?{urlencode({'question': question})} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return sock


def read_until(sock: socket.socket, marker: bytes) -> bytes:
    received = b""
    while marker not in received:
        data = sock.recv(65536)
        assert data, f"connection closed before {marker!r}; got {received!r}"
        received += data
    return received


def sse_events(text: str) -> list[tuple[str, dict]]:
    """``[(event, parsed data), ...]`` of an event stream's text; comment lines left out."""
    events = []
    for block in text.split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        if not lines:
            continue
        fields = dict(line.split(": ", 1) for line in lines)
        events.append((fields["event"], json.loads(fields["data"])))
    return events
