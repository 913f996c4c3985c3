"""The AI endpoints: async views, so a slow model holds no worker thread while it thinks.

They are plain Django views rather than DRF ones because DRF cannot serve an async view, and the
relay must stream. They keep the API's conventions by hand: DRF's parser and validation errors
through the project's exception handler, the API's bearer token check (a wrong token is 401) and
DRF's throttle (both in :mod:`ai.throttling`), and JSON errors.
The OpenAPI schema describes them through :mod:`ai.schema`.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator

from django.conf import settings
from django.http import JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from rest_framework import exceptions, parsers
from rest_framework.request import Request

from ai import services
from ai.client import AiError
from ai.serializers import AskQuerySerializer, HandoffRequestSerializer, SummaryRequestSerializer
from ai.services import ToolUse
from ai.throttling import caller_scope, throttled
from films.models import Film
from pagila_site.api.errors import error_body, error_response, exception_response

logger = logging.getLogger("pagila.ai")

SSE = "text/event-stream"
PLAIN = "text/plain"


def _validated(serializer_class, data) -> tuple[dict | None, JsonResponse | None]:
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        return None, exception_response(exceptions.ValidationError(serializer.errors))
    return serializer.validated_data, None


def _json_body(request) -> tuple[object, JsonResponse | None]:
    try:
        return Request(request, parsers=[parsers.JSONParser()]).data, None
    except exceptions.APIException as exc:
        return None, exception_response(exc)


def _ai_error(exc: AiError) -> JsonResponse:
    return error_response(exc.status, exc.detail, exc.code)


def _sse_event(event: str, data: dict) -> str:
    # json.dumps escapes newlines, so one data line always holds the whole payload.
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


KEEP_ALIVE = ": keep-alive\n\n"


async def _with_keep_alive(events: AsyncIterator, interval: float) -> AsyncIterator:
    """``events``' items, and None whenever ``interval`` seconds pass without one.

    The next item is awaited in a task of its own so that waiting can time out without
    cancelling it: the model (or a tool) goes on working while the stream says it is alive.
    Closing this iterator (the client hung up) cancels that task, which closes the upstream call.
    """
    pending = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(events))
            done, _ = await asyncio.wait({pending}, timeout=interval)
            if not done:
                yield None
                continue
            task, pending = pending, None
            try:
                item = task.result()
            except StopAsyncIteration:
                return
            yield item
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pending


async def _plain_text(request, first: str | None, events: AsyncIterator) -> AsyncIterator[str]:
    try:
        if first is not None:
            yield first
        async for item in events:
            if isinstance(item, str):
                yield item
    except AiError as exc:
        # The status line is long gone: ending the body (with its last chunk, cleanly) is all
        # plain text can say.
        logger.warning(
            "ai ask stream cut short",
            extra={"code": exc.code, "detail": exc.detail, "request_id": request.request_id},
        )
    finally:
        await events.aclose()


def _arguments_shown(text: str):
    """A call's arguments as the contract's table names them: the JSON object the model sent,
    or its text as it came when that is not JSON (the tool then answers the model an error)."""
    try:
        return json.loads(text or "{}")
    except ValueError:
        return text


def _event_of(item: str | ToolUse) -> str:
    if isinstance(item, ToolUse):
        return _sse_event("tool", {"name": item.name, "arguments": _arguments_shown(item.arguments)})
    return _sse_event("token", {"text": item})


async def _sse_events(request, first: str | ToolUse | None, events: AsyncIterator) -> AsyncIterator[str]:
    alive = _with_keep_alive(events, settings.AI_KEEPALIVE_SECONDS)
    try:
        if first is not None:
            yield _event_of(first)
        async for item in alive:
            yield KEEP_ALIVE if item is None else _event_of(item)
    except AiError as exc:
        logger.warning(
            "ai ask stream cut short",
            extra={"code": exc.code, "detail": exc.detail, "request_id": request.request_id},
        )
        yield _sse_event("error", error_body(exc.status, exc.detail, exc.code))
        return
    finally:
        await alive.aclose()
        await events.aclose()
    yield _sse_event("done", {})


async def _first_text(events: AsyncIterator) -> str | None:
    """The first text chunk; plain text has no way to show the tool calls before it."""
    async for item in events:
        if isinstance(item, str):
            return item
    return None


# GET only, so there is nothing for a forged request to change; without the exemption, the CSRF
# check would answer any other method 403 before require_GET could answer 405.
@csrf_exempt
@require_GET
async def ask(request):
    if limited := await throttled(request):
        return limited
    data, invalid = _validated(AskQuerySerializer, request.GET)
    if invalid:
        return invalid
    events = services.answer_events(question=data["question"], scope=await caller_scope(request))
    sse = request.get_preferred_type([PLAIN, SSE]) == SSE
    # The first event (a tool call or text) is awaited before anything is sent, so a provider
    # that fails outright gets a proper status code (502/503/504) rather than a 200 with an
    # empty body.
    try:
        first = await anext(events, None) if sse else await _first_text(events)
    except AiError as exc:
        return _ai_error(exc)
    if sse:
        response = StreamingHttpResponse(_sse_events(request, first, events), content_type=SSE)
    else:
        response = StreamingHttpResponse(
            _plain_text(request, first, events), content_type=f"{PLAIN}; charset=utf-8"
        )
    response["Cache-Control"] = "no-cache"
    # nginx and similar proxies buffer responses unless told not to, which would undo streaming.
    response["X-Accel-Buffering"] = "no"
    return response


async def _throttled_json_input(request, serializer_class) -> tuple[dict | None, JsonResponse | None]:
    """A JSON POST's validated body, or the response refusing it (throttled, unparsable, invalid)."""
    if limited := await throttled(request):
        return None, limited
    body, invalid = _json_body(request)
    if invalid:
        return None, invalid
    return _validated(serializer_class, body)


@csrf_exempt  # JSON for anonymous clients: no session, so nothing for a forged request to ride on
@require_POST
async def summary(request):
    data, refused = await _throttled_json_input(request, SummaryRequestSerializer)
    if refused:
        return refused
    try:
        result = await services.film_summary(film_id=data["film_id"])
    except Film.DoesNotExist:
        return error_response(404, f"No film has film_id {data['film_id']}.", "not_found")
    except AiError as exc:
        return _ai_error(exc)
    return JsonResponse(result)


@csrf_exempt  # as summary
@require_POST
async def handoff(request):
    data, refused = await _throttled_json_input(request, HandoffRequestSerializer)
    if refused:
        return refused
    try:
        result = await services.handoff_answer(question=data["question"], scope=await caller_scope(request))
    except AiError as exc:
        return _ai_error(exc)
    return JsonResponse(result)
