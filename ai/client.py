"""The one module that talks to the model provider: chat completions through the official SDK.

Any server speaking OpenAI's chat-completions protocol works (OpenAI, gateways, Ollama, vLLM,
llama.cpp), chosen by ``OPENAI_BASE_URL``. Everything the SDK can raise leaves this module as one
of the :class:`AiError` subclasses below, which carry the contract's status and code, so callers
never depend on the SDK's exception tree.
"""

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import openai
from django.conf import settings

logger = logging.getLogger("pagila.ai")

Messages = list[dict]


class AiError(Exception):
    status = 502
    code = "upstream_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class AiNotConfigured(AiError):
    status = 503
    code = "ai_not_configured"


class UpstreamError(AiError):
    pass


class UpstreamRejected(UpstreamError):
    """The provider answered 400 or 422: the request itself is something it does not accept."""


class UpstreamTimeout(AiError):
    status = 504
    code = "upstream_timeout"


# An SDK client keeps a connection pool, which belongs to the event loop that opened it: one
# client per loop (uvicorn has one per worker) and per configuration (tests change it).
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple, openai.AsyncOpenAI]] = (
    weakref.WeakKeyDictionary()
)


def _client() -> openai.AsyncOpenAI:
    if not settings.OPENAI_API_KEY:
        raise AiNotConfigured("The AI provider is not configured: OPENAI_API_KEY is not set.")
    config = (settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL, settings.OPENAI_TIMEOUT)
    per_loop = _clients.setdefault(asyncio.get_running_loop(), {})
    if config not in per_loop:
        per_loop[config] = openai.AsyncOpenAI(
            api_key=settings.OPENAI_API_KEY,
            base_url=settings.OPENAI_BASE_URL,
            timeout=settings.OPENAI_TIMEOUT,
            # A retry would multiply OPENAI_TIMEOUT, the operator's bound on how long a visitor
            # waits; a 502 or 504 is the visitor's (or their client's) to retry.
            max_retries=0,
        )
    return per_loop[config]


@contextlib.contextmanager
def _translated_errors() -> Iterator[None]:
    try:
        yield
    except openai.APITimeoutError as exc:  # before APIConnectionError, its base class
        raise UpstreamTimeout("The AI provider did not answer in time.") from exc
    except openai.APIConnectionError as exc:
        raise UpstreamError("The connection to the AI provider failed.") from exc
    except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
        raise UpstreamRejected(f"The AI provider rejected the request ({exc.status_code}).") from exc
    except openai.APIStatusError as exc:
        raise UpstreamError(f"The AI provider failed ({exc.status_code}).") from exc
    except openai.OpenAIError as exc:
        raise UpstreamError("The AI provider failed.") from exc


@contextlib.contextmanager
def _translated_stream_errors() -> Iterator[None]:
    """As :func:`_translated_errors`, for iterating a stream that has already started.

    Iteration raises more than the SDK's own exceptions: ``json.JSONDecodeError`` for a chunk
    that is not JSON, httpx2's ``StreamError`` for a body that can't be read again, pydantic's
    errors for a chunk of the wrong shape. Whatever it is, the provider broke the stream, and
    the relay must still end it properly, so every ``Exception`` becomes an :class:`AiError`
    (cancellation, a ``BaseException``, still propagates: it is the client hanging up).
    """
    try:
        with _translated_errors():
            yield
    except AiError:
        raise
    except Exception as exc:
        raise UpstreamError("The AI provider sent a malformed stream.") from exc


@contextlib.asynccontextmanager
async def answer_deadline(call: str) -> AsyncIterator[None]:
    """Bound a whole answer, every model round and tool call in it, by ``AI_ANSWER_TIMEOUT``.

    ``OPENAI_TIMEOUT`` bounds each wait for the provider, so a model that never stops talking
    would keep its caller forever. Past the deadline the work is cancelled, which closes the
    upstream response, and :class:`UpstreamTimeout` is raised.
    """
    seconds = settings.AI_ANSWER_TIMEOUT
    deadline = asyncio.timeout(seconds)
    try:
        async with deadline:
            yield
    except TimeoutError as exc:
        if not deadline.expired():  # some other timeout inside: not ours to name
            raise
        error = UpstreamTimeout(f"The AI provider did not finish its answer within {seconds:g} s.")
        _log_failure(error, call)
        raise error from exc


def _log_usage(call: str, usage) -> None:
    if usage is None:
        return
    logger.info(
        "ai token usage",
        extra={
            "call": call,
            "model": settings.OPENAI_MODEL,
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.total_tokens,
        },
    )


def _log_failure(exc: AiError, call: str) -> None:
    cause = exc.__cause__
    logger.warning(
        "ai provider call failed",
        extra={
            "call": call,
            "code": exc.code,
            "cause": f"{type(cause).__name__}: {cause}" if cause else None,
        },
    )


async def _create(client: openai.AsyncOpenAI, messages: Messages, **options):
    """Every model call: the configured model, and at most ``AI_MAX_TOKENS`` of answer."""
    return await client.chat.completions.create(
        model=settings.OPENAI_MODEL, messages=messages, max_tokens=settings.AI_MAX_TOKENS, **options
    )


@dataclass(frozen=True)
class ToolCall:
    """One function call the model asked for; ``arguments`` is its JSON text, unchecked."""

    id: str
    name: str
    arguments: str


@dataclass
class _PartialCall:
    id: str = ""
    name: str = ""
    arguments: str = ""


def _assemble(calls: dict[int, _PartialCall], deltas) -> None:
    """Add one chunk's tool-call deltas to ``calls``, by ``index``.

    OpenAI sends a call's ``id``, ``type`` and ``function.name`` in its first delta and then only
    ``index`` and pieces of ``function.arguments``; several calls in one reply have their own
    indexes, and their deltas may interleave.
    """
    for delta in deltas:
        call = calls.setdefault(delta.index, _PartialCall())
        if delta.id:
            call.id = delta.id
        if delta.function is not None:
            if delta.function.name:
                call.name += delta.function.name
            if delta.function.arguments:
                call.arguments += delta.function.arguments


async def stream_chat(
    messages: Messages, *, tools: list[dict] | None = None
) -> AsyncIterator[str | list[ToolCall]]:
    """One streamed round: the reply's text chunk by chunk, then the tool calls it asked for.

    Yields ``str`` chunks as the provider produces them and, last, a ``list[ToolCall]`` when the
    reply called tools (offered in ``tools``). The request is made on the first ``__anext__``, so
    a caller awaiting it learns of a failure (:class:`UpstreamRejected` for a 400) before it has
    promised anything to its own client. Every failure while the stream is read is an
    :class:`AiError` too, and whatever happens the upstream response is closed.

    The reply ends at ``AI_MAX_TOKENS``: the provider is asked to stop there, and a provider that
    ignores ``max_tokens`` is cut off after as many chunks (a chunk carries at least one token),
    its unfinished tool calls dropped.
    """
    client = _client()
    options = {"tools": tools} if tools else {}
    try:
        with _translated_errors():
            stream = await _create(
                client,
                messages,
                stream=True,
                # The last chunk then reports the request's token usage (choices empty).
                stream_options={"include_usage": True},
                **options,
            )
    except AiError as exc:
        _log_failure(exc, "stream")
        raise
    calls: dict[int, _PartialCall] = {}
    usage = None
    chunks_left = settings.AI_MAX_TOKENS
    try:
        with _translated_stream_errors():
            async for chunk in stream:
                # Some providers report usage on every chunk or on the last one with choices.
                if chunk.usage is not None:
                    usage = chunk.usage
                if not chunk.choices:
                    continue
                delta = chunk.choices[0].delta
                # Providers open with a role-only delta and close with an empty one.
                if not (delta.content or delta.tool_calls):
                    continue
                if chunks_left == 0:
                    logger.warning(
                        "ai reply cut at AI_MAX_TOKENS: the provider ignored max_tokens",
                        extra={"max_tokens": settings.AI_MAX_TOKENS},
                    )
                    calls = {}
                    break
                chunks_left -= 1
                if delta.tool_calls:
                    _assemble(calls, delta.tool_calls)
                if delta.content:
                    yield delta.content
    except AiError as exc:
        _log_failure(exc, "stream")
        raise
    else:
        _log_usage("stream", usage)
    finally:
        await stream.close()
    if calls:
        yield [ToolCall(id=c.id, name=c.name, arguments=c.arguments) for _, c in sorted(calls.items())]


def _reply_text(completion) -> str:
    if not completion.choices or completion.choices[0].message.content is None:
        raise UpstreamError("The AI provider returned no text.")
    return completion.choices[0].message.content


# What to ask a provider for when a structured answer is wanted, best first; None: nothing, the
# reply is only asked to be JSON by the prompt.
_RESPONSE_FORMATS = ("json_schema", "json_object", None)
# Per provider (base URL and model), the first format it accepted in this process, so a provider
# that refuses structured output pays for the refusal once, not on every call.
accepted_formats: dict[tuple[str, str], str | None] = {}


def _response_format(kind: str | None, name: str, schema: dict) -> dict:
    if kind == "json_schema":
        structured = {"name": name, "schema": schema, "strict": True}
        return {"response_format": {"type": kind, "json_schema": structured}}
    if kind == "json_object":
        # OpenAI's JSON mode promises only some JSON object, and a small model then answers an
        # object of its own shape (Gemma 3 270M echoed the film's facts). llama-cpp-python's
        # server reads a "schema" beside it and holds the reply to that schema; other servers
        # ignore the key, or refuse it, and the next format is tried.
        return {"response_format": {"type": kind, "schema": schema}}
    return {}


def _refuses_response_format(exc: AiError) -> bool:
    """Whether the provider refused the request, perhaps for its ``response_format``.

    A 400 or 422 is a refusal of the request (OpenAI and vLLM say 400, FastAPI-based servers
    validate with 422); llama-cpp-python's server answers a ``response_format`` it can't read
    with a 500 carrying the validation error, which names the field.
    """
    cause = exc.__cause__
    if not isinstance(cause, openai.APIStatusError):
        return False
    if cause.status_code in (400, 422):
        return True
    return cause.status_code == 500 and "response_format" in f"{cause.message} {cause.body}"


async def complete_json(messages: Messages, *, name: str, schema: dict) -> str:
    """The reply's text, asked for as JSON matching ``schema`` (structured output).

    A provider that refuses ``json_schema`` is asked again in ``json_object`` mode, which only
    promises a JSON object, then with no ``response_format`` at all; the format it accepted is
    remembered (:data:`accepted_formats`). Whatever the mode, the caller validates the reply.
    """
    client = _client()
    provider = (settings.OPENAI_BASE_URL, settings.OPENAI_MODEL)
    kinds = _RESPONSE_FORMATS[_RESPONSE_FORMATS.index(accepted_formats.get(provider, "json_schema")) :]
    try:
        for kind in kinds:
            try:
                with _translated_errors():
                    completion = await _create(client, messages, **_response_format(kind, name, schema))
            except AiError as exc:
                if kind is None or not _refuses_response_format(exc):
                    raise
                logger.warning(
                    "ai provider refused a response_format; asking again without it",
                    extra={"call": name, "response_format": kind, "cause": str(exc.__cause__)[:500]},
                )
                continue
            if accepted_formats.get(provider, "json_schema") != kind:
                logger.warning(
                    "ai provider accepts this response_format; used from now on",
                    extra={"call": name, "response_format": kind or "none"},
                )
            accepted_formats[provider] = kind
            break
        _log_usage(name, completion.usage)
        return _reply_text(completion)
    except AiError as exc:
        _log_failure(exc, name)
        raise
