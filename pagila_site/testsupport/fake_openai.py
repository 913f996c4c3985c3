"""A real HTTP server speaking OpenAI's chat-completions protocol, for the AI tests.

``POST /v1/chat/completions`` answers each request with the next scripted :class:`Reply` (or the
default one): streamed as ``data: {chunk}`` events ending in ``data: [DONE]``, or as one JSON
completion, or as an error status; slowly, or not at all. A streamed reply may call tools, with
``tool_calls`` deltas cut up as OpenAI cuts them, and may answer from the ``tool`` messages it
was sent (``echo_tools``), so a test sees the tool's real result come back. It can break a
stream each way real providers do: a dropped or reset connection, a truncated chunked body, a
chunk that is not JSON, a stall. It records every request body and notices when a client goes
away mid-answer, which is how the tests see a hang-up (or a closed upstream response) propagate.
Standard library only, in threads, on 127.0.0.1 and a free port.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import select
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Longest a hanging reply waits for its client to leave; the tests never wait this long.
HANG_LIMIT = 30.0


@dataclass
class Reply:
    """What the server does with one request."""

    chunks: list[str] = field(default_factory=lambda: ["Hello", ", ", "world", "!"])
    # Seconds to wait before each streamed chunk (or before a non-streamed answer).
    delay: float = 0.0
    status: int = 200
    # Never send the status line: the client can only time out or give up.
    hang: bool = False
    # Streamed: after this many chunks, stop sending (hang) / end with an error event / drop the
    # connection without finishing the response.
    hang_after: int | None = None
    error_event_after: int | None = None
    drop_after: int | None = None
    # Streamed: after this many chunks, reset the connection (RST) / send a chunk shorter than
    # its chunked-encoding size and close / send a data line that is not JSON, then stall.
    reset_after: int | None = None
    truncate_after: int | None = None
    malformed_after: int | None = None
    # Refuse a response_format type ("json_schema", "json_object") with this status, its body
    # shaped as the providers that answer it say it (REFUSALS).
    refuse_formats: dict[str, int] = field(default_factory=dict)
    # Never stop: stream chunks (``chunks`` over and over, ``delay`` apart) until the client goes
    # (or HANG_LIMIT passes), as a model does that rambles while its provider ignores max_tokens.
    endless: bool = False
    # Answer any request offering ``tools`` with 400, as providers without function calling do.
    reject_tools: bool = False
    # Streamed after the text: calls of (function name, arguments: a dict, or raw JSON text).
    tool_calls: list[tuple[str, dict | str]] = field(default_factory=list)
    # The text is these words followed by the content of every ``tool`` message received.
    echo_tools: str | None = None

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    def chunks_for(self, body: dict) -> list[str]:
        if self.echo_tools is None:
            return self.chunks
        return [self.echo_tools] + [m["content"] for m in body["messages"] if m["role"] == "tool"]


@dataclass
class Seen:
    """One request as the server saw it."""

    body: dict
    received_at: float
    finished_at: float | None = None
    # When the server noticed the client had gone away before the reply was complete.
    disconnected_at: float | None = None
    chunks_sent: int = 0

    @property
    def response_format(self) -> str | None:
        return (self.body.get("response_format") or {}).get("type")

    @property
    def user_message(self) -> str:
        return next(m["content"] for m in reversed(self.body["messages"]) if m["role"] == "user")

    @property
    def tool_messages(self) -> list[dict]:
        return [m for m in self.body["messages"] if m["role"] == "tool"]


class ClientGone(Exception):
    pass


class FakeOpenAI(ThreadingHTTPServer):
    daemon_threads = True
    # Fifty streams connect at once; the default backlog of 5 would make some wait for retries.
    request_queue_size = 256

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}/v1"
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._script: collections.deque[Reply] = collections.deque()
        self.default = Reply()
        self.seen: list[Seen] = []
        self.stopping = threading.Event()

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self.default = Reply()
            self.seen = []

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with ``replies``, in order; then the default again."""
        with self._lock:
            self._script.extend(replies)

    def _take(self, body: dict) -> tuple[Reply, Seen]:
        with self._changed:
            reply = self._script.popleft() if self._script else self.default
            seen = Seen(body=body, received_at=time.monotonic())
            self.seen.append(seen)
            self._changed.notify_all()
            return reply, seen

    def _update(self, seen: Seen, **changes) -> None:
        with self._changed:
            for name, value in changes.items():
                setattr(seen, name, value)
            self._changed.notify_all()

    def wait_for(self, predicate, timeout: float = 5.0):
        """Block until ``predicate(self.seen)`` is truthy; return its value (or fail the test)."""
        with self._changed:
            result = self._changed.wait_for(lambda: predicate(self.seen), timeout)
        assert result, f"fake OpenAI server: condition not met within {timeout}s; saw {self.seen!r}"
        return result


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Each event is its own small write; with Nagle's algorithm on, every one after the first
    # would wait for the client's delayed ACK (about 40 ms), as no real provider makes it wait.
    disable_nagle_algorithm = True
    server: FakeOpenAI

    def log_message(self, format, *args):
        pass

    def do_POST(self):
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._json(
                404, {"error": {"message": f"Unknown path {self.path}", "type": "invalid_request_error"}}
            )
            return
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        reply, seen = self.server._take(body)
        try:
            self._answer(body, reply, seen)
        except ClientGone:
            self.server._update(seen, disconnected_at=time.monotonic())
            self.close_connection = True
        else:
            self.server._update(seen, finished_at=time.monotonic())

    # --- what to send -----------------------------------------------------------------------

    def _answer(self, body: dict, reply: Reply, seen: Seen) -> None:
        if reply.hang:
            self._wait(HANG_LIMIT)
            self.close_connection = True
            return
        kind = (body.get("response_format") or {}).get("type")
        if kind in reply.refuse_formats:
            status = reply.refuse_formats[kind]
            self._json(status, REFUSALS[status](kind))
            return
        if reply.reject_tools and body.get("tools"):
            self._json(400, _error("tools are not supported by this model", "invalid_request_error"))
            return
        if reply.status != 200:
            self._wait(reply.delay)
            self._json(reply.status, _error(f"fake failure {reply.status}", "server_error"))
            return
        if body.get("stream"):
            self._stream(body, reply, seen)
            return
        self._wait(reply.delay)
        self._json(200, _completion(body, reply.text))

    def _stream(self, body: dict, reply: Reply, seen: Seen) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self._event(_chunk(body, {"role": "assistant", "content": ""}))
        chunks = reply.chunks_for(body)
        if reply.endless:
            chunks = itertools.cycle(chunks)
            # "Endless" within reason: a client that never stops reading fails its test, not hangs.
            stop_at = time.monotonic() + HANG_LIMIT
        for index, text in enumerate(chunks):
            if self._break(reply, index) or (reply.endless and time.monotonic() > stop_at):
                self.close_connection = True
                return
            self._wait(reply.delay)
            self._event(_chunk(body, {"content": text}))
            self.server._update(seen, chunks_sent=index + 1)
        for delta in _tool_call_deltas(reply.tool_calls):
            self._event(_chunk(body, {"tool_calls": [delta]}))
        self._event(_chunk(body, {}, finish_reason="tool_calls" if reply.tool_calls else "stop"))
        if (body.get("stream_options") or {}).get("include_usage"):
            usage = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
            self._event({**_chunk(body, {}), "choices": [], "usage": usage})
        self._send_chunk(b"data: [DONE]\n\n")
        self._end_chunks()

    def _break(self, reply: Reply, index: int) -> bool:
        """Break the stream before chunk ``index`` as ``reply`` says; True when it is over."""
        if index == reply.hang_after:
            self._wait(HANG_LIMIT)
        elif index == reply.error_event_after:
            self._event({"error": {"message": "fake failure mid-stream", "type": "server_error"}})
            self._end_chunks()
        elif index == reply.drop_after:
            # A response cut off mid-body: the connection closes without the final chunk.
            self.connection.shutdown(socket.SHUT_RDWR)
        elif index == reply.reset_after:
            # Linger 0: closing sends RST, "connection reset by peer" on the client's next read.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        elif index == reply.truncate_after:
            # The size line promises more than is sent: an incomplete chunked read.
            self._write(b'100\r\ndata: {"id"')
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        elif index == reply.malformed_after:
            self._send_chunk(b'data: {"id": "chatcmpl-fake", "choices": [{"delta": {"content": "x"\n\n')
            # Then nothing: only the client closing the response ends this request.
            self._wait(HANG_LIMIT)
        else:
            return False
        self.close_connection = True
        return True

    # --- wire helpers -----------------------------------------------------------------------

    def _wait(self, seconds: float) -> None:
        """Sleep ``seconds``, noticing at once if the client closes its end meanwhile."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0 and not self.server.stopping.is_set():
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.05))
            if readable and not self.connection.recv(1, socket.MSG_PEEK):
                raise ClientGone

    def _write(self, data: bytes) -> None:
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise ClientGone from exc

    def _send_chunk(self, data: bytes) -> None:
        self._write(b"%x\r\n%s\r\n" % (len(data), data))

    def _end_chunks(self) -> None:
        self._write(b"0\r\n\r\n")

    def _event(self, payload: dict) -> None:
        self._send_chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def _json(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)


def _error(message: str, kind: str) -> dict:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def _pydantic_literal_error(kind: str) -> dict:
    return {
        "type": "literal_error",
        "loc": ["body", "response_format", "type"],
        "msg": "Input should be 'text' or 'json_object'",
        "input": kind,
    }


# How providers refuse a response_format they don't support, by status: OpenAI's shape (400);
# a FastAPI server's request validation (422, vLLM's and others' frameworks); llama-cpp-python's
# server, which answers its own request validation errors with 500 and the pydantic message.
REFUSALS = {
    400: lambda kind: {
        "error": {
            "message": f"Invalid parameter: 'response_format' of type '{kind}' is not supported.",
            "type": "invalid_request_error",
            "param": "response_format",
            "code": None,
        }
    },
    422: lambda kind: {"detail": [_pydantic_literal_error(kind)]},
    500: lambda kind: _error(
        "1 validation error for CreateChatCompletionRequest\nresponse_format.type\n  Input should be "
        f"'text' or 'json_object' [type=literal_error, input_value='{kind}', input_type=str]",
        "internal_server_error",
    ),
}


def _tool_call_deltas(calls: list[tuple[str, dict | str]]) -> list[dict]:
    """The ``tool_calls`` deltas of ``calls`` as OpenAI streams them: a call's first delta has
    its ``index``, ``id``, ``type``, ``function.name`` and empty arguments, the next ones only
    ``index`` and a piece of ``function.arguments``; the calls' pieces interleave."""
    firsts, pieces = [], []
    for index, (name, arguments) in enumerate(calls):
        text = arguments if isinstance(arguments, str) else json.dumps(arguments)
        firsts.append(
            {
                "index": index,
                "id": f"call_fake_{index}",
                "type": "function",
                "function": {"name": name, "arguments": ""},
            }
        )
        third = max(1, len(text) // 3)
        parts = [text[:third], text[third : 2 * third], text[2 * third :]]
        pieces.append([{"index": index, "function": {"arguments": part}} for part in parts if part])
    interleaved = [delta for round_ in itertools.zip_longest(*pieces) for delta in round_ if delta]
    return [*firsts, *interleaved]


def _chunk(body: dict, delta: dict, finish_reason: str | None = None) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def _completion(body: dict, text: str) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
