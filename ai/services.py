"""What the AI endpoints do: the prompts, the summary's business rule and the two-agent handoff.

Every call to the model goes through :mod:`ai.client`; these functions decide what to ask, what
to trust in the reply, and when the database can answer without the model at all.
"""

import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict

from asgiref.sync import sync_to_async

from ai import client, tools
from customers.scope import Scope
from films.models import Film, MpaaRating

logger = logging.getLogger("pagila.ai")

ASSISTANT_PROMPT = (
    "You are the assistant of a DVD rental store's back office. Answer the staff member's "
    "question briefly and plainly. Use the tools to look up films, stock and customers' rentals "
    "rather than guessing; say so when a tool finds nothing or refuses."
)

# Rounds in which the model may call tools; one more round, without tools, then must answer.
MAX_TOOL_ROUNDS = 4
# Calls run in one round; a reply asking for more gets an error result for each of the rest, as
# the protocol wants an answer to every call (a model can ask for hundreds in one reply).
MAX_TOOL_CALLS_PER_ROUND = 8
TOO_MANY_CALLS = json.dumps(
    {"error": f"Not run: at most {MAX_TOOL_CALLS_PER_ROUND} tool calls run per round; call it again."}
)


@dataclass(frozen=True)
class ToolUse:
    """A tool the model called, announced before it runs (SSE's ``event: tool``)."""

    name: str
    arguments: str


# What :func:`_round` yields first when the provider refused the tools and was asked without.
_TOOLS_REJECTED = object()


async def _round(messages: client.Messages, offer: list[dict] | None):
    """One streamed round; a provider rejecting ``tools`` (400) is asked again without them."""
    try:
        async for item in client.stream_chat(messages, tools=offer):
            yield item
        return
    except client.UpstreamRejected:
        # Only the request itself is answered 400, so nothing was yielded before it.
        if offer is None:
            raise
        logger.warning("ai provider rejected tools; asking again without them")
    yield _TOOLS_REJECTED
    async for item in client.stream_chat(messages):
        yield item


async def answer_events(*, question: str, scope: Scope) -> AsyncIterator[str | ToolUse]:
    """The model's answer to ``question``: text chunks as generated, and each tool it calls.

    Every round is a streamed request offering the tools; the calls a reply asks for are
    announced (:class:`ToolUse`), run with the caller's ``scope`` and their results sent back in
    the next round; past :data:`MAX_TOOL_CALLS_PER_ROUND`, a call is neither announced nor run,
    and its result is :data:`TOO_MANY_CALLS`. After :data:`MAX_TOOL_ROUNDS` the model is asked
    once more without tools, and whatever calls it still makes are not run. Raises
    :class:`ai.client.AiError`.
    """
    messages: client.Messages = [
        {"role": "system", "content": ASSISTANT_PROMPT},
        {"role": "user", "content": question},
    ]
    offered: list[dict] | None = tools.SCHEMAS
    for round_number in range(1, MAX_TOOL_ROUNDS + 2):
        if round_number > MAX_TOOL_ROUNDS:
            offered = None
        text: list[str] = []
        calls: list[client.ToolCall] = []
        async for item in _round(messages, offered):
            if item is _TOOLS_REJECTED:
                offered = None
            elif isinstance(item, str):
                text.append(item)
                yield item
            else:
                calls = item
        if not calls:
            return
        if offered is None:
            # A model may call tools it was not offered (or that its provider refused): not run.
            logger.info("ai tool calls not run: no tools offered", extra={"round": round_number})
            return
        messages.append(
            {
                "role": "assistant",
                "content": "".join(text) or None,
                "tool_calls": [
                    {
                        "id": call.id,
                        "type": "function",
                        "function": {"name": call.name, "arguments": call.arguments},
                    }
                    for call in calls
                ],
            }
        )
        for call in calls[:MAX_TOOL_CALLS_PER_ROUND]:
            yield ToolUse(name=call.name, arguments=call.arguments)
            result = await sync_to_async(tools.run)(call.name, call.arguments, scope)
            logger.info("ai tool called", extra={"tool": call.name, "round": round_number})
            messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
        if refused := calls[MAX_TOOL_CALLS_PER_ROUND:]:
            logger.warning(
                "ai tool calls not run: over the per-round limit",
                extra={"round": round_number, "asked": len(calls), "not_run": len(refused)},
            )
            messages += [
                {"role": "tool", "tool_call_id": call.id, "content": TOO_MANY_CALLS} for call in refused
            ]


async def answer_text(*, question: str, scope: Scope) -> str:
    """The whole answer of :func:`answer_events`, for callers that don't stream, within
    ``AI_ANSWER_TIMEOUT`` (:func:`ai.client.answer_deadline`)."""
    async with (
        client.answer_deadline("answer"),
        contextlib.aclosing(answer_events(question=question, scope=scope)) as events,
    ):
        answer = "".join([item async for item in events if isinstance(item, str)])
    if not answer:
        raise client.UpstreamError("The AI provider returned no text.")
    return answer


# --- Film summary ---------------------------------------------------------------------------------

RECOMMENDED_RATINGS = {MpaaRating.R, MpaaRating.NC_17}
RECOMMENDED_BELOW_RATE = Decimal("3.00")

SUMMARY_SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "rating": {"type": "string"},
        "recommended": {"type": "boolean"},
    },
    "required": ["title", "rating", "recommended"],
    "additionalProperties": False,
}

SUMMARY_PROMPT = (
    "You review films for a DVD rental store. Given a film's facts as JSON, reply with a JSON "
    'object {"title": string, "rating": string, "recommended": boolean}: the film\'s title, its '
    "MPAA rating, and whether the store should recommend it."
)


class Summary(TypedDict):
    title: str
    rating: str
    recommended: bool


def film_is_recommended(film: Film) -> bool:
    """The store's rule, which the model's opinion never overrides: cheap films for adults."""
    return film.rating in RECOMMENDED_RATINGS and film.rental_rate < RECOMMENDED_BELOW_RATE


def _film_facts(film: Film) -> dict:
    return {
        "title": film.title,
        "description": film.description,
        "release_year": film.release_year,
        "rating": film.rating,
        "rental_rate": str(film.rental_rate),
        "rental_duration_days": film.rental_duration,
        "length_minutes": film.length,
        "replacement_cost": str(film.replacement_cost),
        "special_features": film.special_features or [],
        "categories": sorted(category.name for category in film.categories.all()),
    }


def _model_recommendation(reply: str) -> bool | None:
    """The reply's ``recommended``, or None when the reply is not the JSON object asked for."""
    try:
        data = json.loads(reply)
    except ValueError:
        return None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("title"), str)
        or not isinstance(data.get("rating"), str)
        or not isinstance(data.get("recommended"), bool)
    ):
        return None
    return data["recommended"]


async def _model_summary(messages: client.Messages, film_id: int) -> bool:
    """The model's ``recommended``, asked twice at most for the JSON object it should reply."""
    for attempt in (1, 2):
        reply = await client.complete_json(messages, name="film_summary", schema=SUMMARY_SCHEMA)
        model_says = _model_recommendation(reply)
        if model_says is not None:
            return model_says
        logger.warning(
            "ai summary reply is not the JSON asked for",
            # Its start says what the model did instead (prose, fences, another shape).
            extra={"film_id": film_id, "attempt": attempt, "reply": reply[:300]},
        )
    raise client.UpstreamError("The AI provider twice returned an invalid summary.")


async def film_summary(*, film_id: int) -> Summary:
    """The film's title and rating from the database, and the store's recommendation.

    Raises ``Film.DoesNotExist`` for an unknown film and :class:`ai.client.AiError` when the model
    fails, twice returns something other than the JSON object asked for, or takes longer than
    ``AI_ANSWER_TIMEOUT`` over both.
    """
    film = await Film.objects.prefetch_related("categories").aget(pk=film_id)
    messages = [
        {"role": "system", "content": SUMMARY_PROMPT},
        {"role": "user", "content": json.dumps(_film_facts(film))},
    ]
    async with client.answer_deadline("film_summary"):
        model_says = await _model_summary(messages, film_id)

    recommended = film_is_recommended(film)
    if model_says != recommended:
        logger.info(
            "ai summary recommendation overridden",
            extra={
                "film_id": film.film_id,
                "rating": film.rating,
                "rental_rate": str(film.rental_rate),
                "model_recommended": model_says,
                "recommended": recommended,
            },
        )
    return {"title": film.title, "rating": film.rating, "recommended": recommended}


# --- Two-agent handoff ----------------------------------------------------------------------------

SEARCH_AGENT = "SearchAgent"
LLM_AGENT = "LLMAgent"
KEYWORDS = {"FILM", "MOVIE"}
_WORD = re.compile(r"[^\W_]+")

# The film whose title shares the most distinct words with the question; ties go to the lowest id.
# Titles are split the way questions are (runs of letters and digits), compared in upper case.
_BEST_TITLE_MATCH = """
    SELECT film.*
    FROM film
    CROSS JOIN LATERAL (
        SELECT count(DISTINCT word) AS matched
        FROM regexp_split_to_table(upper(film.title), '[^[:alnum:]]+') AS word
        WHERE word = ANY(%s)
    ) AS title_words
    WHERE title_words.matched > 0
    ORDER BY title_words.matched DESC, film.film_id
    LIMIT 1
"""


class Handoff(TypedDict):
    agent: str
    answer: str


def _words(text: str) -> set[str]:
    return {word.upper() for word in _WORD.findall(text)}


def _search_agent_answer(words: set[str]) -> str | None:
    """SearchAgent's answer from the catalogue, or None when no title has any of ``words``."""
    film = next(
        iter(Film.objects.raw(_BEST_TITLE_MATCH, [sorted(words)]).prefetch_related("categories")), None
    )
    if film is None:
        return None
    categories = sorted(category.name for category in film.categories.all())
    listed = f" ({', '.join(categories)})" if categories else ""
    return f"{film.title}{listed} rents for ${film.rental_rate}."


async def handoff_answer(*, question: str, scope: Scope) -> Handoff:
    """Route ``question`` to SearchAgent (the catalogue) or LLMAgent (the model).

    A question that says "film" or "movie" and names a word of some title is the catalogue's; the
    keywords themselves never count as title words. Everything else is the model's, which may
    use the tools with the caller's ``scope``.
    """
    words = _words(question)
    if words & KEYWORDS and (title_words := words - KEYWORDS):
        answer = await sync_to_async(_search_agent_answer)(title_words)
        if answer is not None:
            return {"agent": SEARCH_AGENT, "answer": answer}
    return {"agent": LLM_AGENT, "answer": await answer_text(question=question, scope=scope)}
