"""The AI endpoints in the OpenAPI schema.

drf-spectacular only describes DRF views, and the AI views are async Django views. Each URL's
view is therefore paired with a DRF class below that carries its documentation only:
:func:`documented` hangs the class on the view function the way ``APIView.as_view()`` does, which
is what the schema generator looks for. Requests never reach these classes.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from ai.serializers import (
    QUESTION_MAX_LENGTH,
    HandoffRequestSerializer,
    HandoffSerializer,
    SummaryRequestSerializer,
    SummarySerializer,
)
from ai.services import MAX_TOOL_CALLS_PER_ROUND, MAX_TOOL_ROUNDS
from pagila_site.api.schema import TOKEN_ERRORS, error_responses


def _error(status: int, description: str) -> OpenApiResponse:
    return OpenApiResponse(error_responses(status)[status].response, description=description)


# The AI endpoints' own failures, more precisely than the generic descriptions. A token is never
# required, but one that is sent is checked as the API checks it.
AI_ERRORS = {
    401: _error(401, TOKEN_ERRORS[401]),
    429: _error(
        429,
        "`throttled`: over `AI_RATE_LIMIT`, or too many wrong tokens came from this address; "
        "`Retry-After` says how many seconds to wait.",
    ),
    502: _error(502, "`upstream_error`: the model provider failed or answered something unusable."),
    503: _error(503, "`ai_not_configured`: no `OPENAI_API_KEY` is set."),
    504: _error(504, "`upstream_timeout`: the model provider did not answer within `OPENAI_TIMEOUT`."),
}
# Answers returned whole also have a deadline for all of it.
WHOLE_ANSWER_ERRORS = {
    **AI_ERRORS,
    504: _error(
        504,
        "`upstream_timeout`: the model provider did not answer within `OPENAI_TIMEOUT`, or did not "
        "finish the whole answer within `AI_ANSWER_TIMEOUT` (default 60 s; the upstream call is "
        "then closed).",
    ),
}
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description="Seconds until the next request is allowed.",
)


# An event stream's schema describes one event, as OpenAPI 3.2 does with itemSchema (and as
# tools such as Schemathesis read `schema` before 3.2): the stream is a sequence of these.
SSE_EVENT = {
    "type": "object",
    "description": (
        "One Server-Sent Event; the stream is `tool` and `token` events, then `done` (or `error`). "
        '`data` is JSON: `{"name", "arguments"}` for `tool` (a tool the model called, with the '
        "arguments object it sent), "
        '`{"text": "<chunk>"}` for `token`, `{}` for `done`, `{"detail", "code"}` for `error`. '
        "Lines starting with `:` are keep-alive comments."
    ),
    "properties": {
        "event": {"type": "string", "enum": ["tool", "token", "done", "error"]},
        "data": {"type": "string", "description": "The event's JSON payload, on one line."},
    },
    "required": ["event", "data"],
}


def documented(view, docs: type[APIView]):
    """``view``, described in the schema by the DRF class ``docs``."""
    view.cls = docs
    view.initkwargs = {}
    return view


class _AiDocs(APIView):
    # Public: a token is never required (a staff token gets its own rate limit and its scope);
    # a wrong one is 401 (AI_ERRORS), never the session's scope or anonymous.
    authentication_classes = []
    permission_classes = [AllowAny]


class AskDocs(_AiDocs):
    @extend_schema(
        operation_id="ai_ask",
        summary="Ask the model; its answer is streamed as it is generated",
        description=(
            "The answer is relayed chunk by chunk as the model produces it, never buffered whole; "
            "every model call asks for at most `AI_MAX_TOKENS` tokens (default 1024). "
            "The model may first look things up with the AI tools (`search_films`, `get_film`, "
            "`film_availability`, `customer_rentals`, `customer_holds`: customers only of the stores of "
            f"the caller's token or staff session), in at most {MAX_TOOL_ROUNDS} rounds of at most "
            f"{MAX_TOOL_CALLS_PER_ROUND} calls each (the rest get an error result).\n\n"
            "- Default: `text/plain; charset=utf-8`, the raw text in order, whitespace preserved. "
            "A failure after the first byte ends the body early (a complete chunked response).\n"
            "- With `Accept: text/event-stream`: Server-Sent Events. Each chunk is `event: token` with "
            '`data: {"text": "<chunk>"}`, then `event: done` with `data: {}`. A failure after the '
            'stream started is `event: error` with `data: {"detail", "code"}` (`upstream_error`, '
            "`upstream_timeout`).\n\n"
            "Failures before the first byte are JSON errors: 503 `ai_not_configured`, 502 "
            "`upstream_error`, 504 `upstream_timeout`. Hanging up cancels the model's work."
        ),
        parameters=[
            OpenApiParameter(
                "question",
                {"type": "string", "minLength": 1, "maxLength": QUESTION_MAX_LENGTH},
                OpenApiParameter.QUERY,
                required=True,
                description="What to ask, 1 to 2000 characters.",
            ),
            RETRY_AFTER,
            OpenApiParameter(
                "Cache-Control",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200],
                description="`no-cache`: every answer is new.",
            ),
            OpenApiParameter(
                "X-Accel-Buffering",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200],
                description="`no`: proxies such as nginx must pass chunks on as they come.",
            ),
        ],
        responses={
            (200, "text/plain"): OpenApiResponse(
                OpenApiTypes.STR, description="The answer's text, streamed."
            ),
            (200, "text/event-stream"): OpenApiResponse(
                SSE_EVENT,
                description="`token` events, then `done` (or `error`).",
                examples=[
                    OpenApiExample(
                        "A two-chunk answer",
                        value='event: token\ndata: {"text": "Hello"}\n\nevent: token\ndata: {"text": '
                        '" there"}\n\nevent: done\ndata: {}\n\n',
                        media_type="text/event-stream",
                    )
                ],
            ),
            **error_responses(400),
            **AI_ERRORS,
        },
    )
    def get(self, request):
        raise NotImplementedError("served by ai.views.ask")


class SummaryDocs(_AiDocs):
    @extend_schema(
        operation_id="ai_summary",
        summary="A film's summary, with the store's recommendation",
        description=(
            "The film's facts are sent to the model with a structured-output (JSON) request; a "
            "provider that refuses `json_schema` (400, 422, or a 500 naming `response_format`) is "
            "asked in `json_object` mode, then without `response_format`. "
            "`title` and `rating` are the catalogue's; `recommended` is true exactly when the rating "
            "is R or NC-17 and the rental rate is below 3.00, whatever the model said."
        ),
        request=SummaryRequestSerializer,
        parameters=[RETRY_AFTER],
        responses={
            200: SummarySerializer,
            **error_responses(400, 404),
            **WHOLE_ANSWER_ERRORS,
        },
    )
    def post(self, request):
        raise NotImplementedError("served by ai.views.summary")


class HandoffDocs(_AiDocs):
    @extend_schema(
        operation_id="ai_handoff",
        summary="Answer a question by SearchAgent (the catalogue) or LLMAgent (the model)",
        description=(
            'A question that says "film" or "movie" and names a word of a catalogue title is '
            "answered by SearchAgent from the database, without the model: the film matching the "
            "most title words (the words film and movie don't count; ties: lowest `film_id`), its "
            "categories (sorted) and rental rate. Anything else goes to LLMAgent, the model."
        ),
        request=HandoffRequestSerializer,
        parameters=[RETRY_AFTER],
        responses={
            200: OpenApiResponse(
                HandoffSerializer,
                examples=[
                    OpenApiExample(
                        "SearchAgent",
                        value={
                            "agent": "SearchAgent",
                            "answer": "ALIEN CENTER (Children, Comedy, New) rents for $2.99.",
                        },
                    )
                ],
            ),
            **error_responses(400),
            **WHOLE_ANSWER_ERRORS,
        },
        examples=[
            OpenApiExample(
                "A catalogue question",
                value={"question": "What is the rental rate for the film Alien?"},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        raise NotImplementedError("served by ai.views.handoff")
