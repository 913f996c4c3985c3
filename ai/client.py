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

import openai
from django.conf import settings

logger = logging.getLogger("pagila.ai")

Messages = list[dict[str, str]]


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
    """The provider answered 400: the request itself is something it does not accept."""


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
    except openai.BadRequestError as exc:
        raise UpstreamRejected(f"The AI provider rejected the request ({exc.status_code}).") from exc
    except openai.APIStatusError as exc:
        raise UpstreamError(f"The AI provider failed ({exc.status_code}).") from exc
    except openai.OpenAIError as exc:
        raise UpstreamError("The AI provider failed.") from exc


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


async def stream_text(messages: Messages) -> AsyncIterator[str]:
    """The reply's text, chunk by chunk, as the provider produces it.

    The request is made on the first ``__anext__``, so a caller awaiting the first chunk learns
    of a failure before it has promised anything to its own client. Closing or cancelling the
    iteration closes the upstream response, which ends the provider's work.
    """
    client = _client()
    try:
        with _translated_errors():
            stream = await client.chat.completions.create(
                model=settings.OPENAI_MODEL, messages=messages, stream=True
            )
    except AiError as exc:
        _log_failure(exc, "stream")
        raise
    try:
        with _translated_errors():
            async for chunk in stream:
                # Providers open with a role-only delta and close with an empty one.
                text = chunk.choices[0].delta.content if chunk.choices else None
                if text:
                    yield text
    except AiError as exc:
        _log_failure(exc, "stream")
        raise
    finally:
        await stream.close()


def _reply_text(completion) -> str:
    if not completion.choices or completion.choices[0].message.content is None:
        raise UpstreamError("The AI provider returned no text.")
    return completion.choices[0].message.content


async def complete_text(messages: Messages) -> str:
    """The whole reply's text."""
    client = _client()
    try:
        with _translated_errors():
            completion = await client.chat.completions.create(model=settings.OPENAI_MODEL, messages=messages)
            return _reply_text(completion)
    except AiError as exc:
        _log_failure(exc, "complete")
        raise


async def complete_json(messages: Messages, *, name: str, schema: dict) -> str:
    """The reply's text, asked for as JSON matching ``schema`` (structured output).

    Providers without structured outputs answer ``json_schema`` with a 400; the request is then
    repeated in plain JSON mode, which only promises a JSON object. Either way the caller validates.
    """
    client = _client()
    structured = {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}
    try:
        try:
            with _translated_errors():
                completion = await client.chat.completions.create(
                    model=settings.OPENAI_MODEL, messages=messages, response_format=structured
                )
        except UpstreamRejected:
            logger.info(
                "ai provider rejected json_schema; retrying in json_object mode", extra={"call": name}
            )
            with _translated_errors():
                completion = await client.chat.completions.create(
                    model=settings.OPENAI_MODEL, messages=messages, response_format={"type": "json_object"}
                )
        return _reply_text(completion)
    except AiError as exc:
        _log_failure(exc, name)
        raise
