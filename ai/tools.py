"""What the model may look up before it answers: five read-only functions over the querysets.

Each tool is a function of the caller's :class:`~customers.scope.Scope` and the arguments the
model chose, described to the model by a JSON schema (:data:`SCHEMAS`, OpenAI's function-calling
format). :func:`run` is the only entry point: it parses and validates the arguments with a DRF
serializer, runs the tool in a read-only transaction and returns JSON text for the ``tool``
message. Nothing the model sends can make it raise: a bad argument, an unknown tool or an
out-of-scope customer is a JSON ``{"error": ...}`` the model reads and can act on.
"""

import json
import logging
from collections import Counter

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from rest_framework import serializers

from customers.models import Customer
from customers.scope import Scope
from films.filters import SearchTextField
from films.models import Category, Film, MpaaRating
from films.serializers import FilmDetailSerializer
from pagila_site.api.filters import INT_MAX
from rentals.models import Hold, Inventory, film_details, shown_holds, shown_rentals
from rentals.serializers import HoldSerializer, RentalSerializer

logger = logging.getLogger("pagila.ai")

# Enough for the model to choose from; more would only fill its context.
MAX_FILMS = 10
MAX_RENTALS = 10
MAX_HOLDS = 10
# film_availability's counts per store, in the order the model reads them.
STORE_COUNTS = ("copies", "in_stock", "set_aside", "in_transit")
NOT_ALLOWED = {"error": "not allowed"}


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only: the model's ``"7"`` or ``7.5`` is answered, not guessed at."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


def _id_field() -> StrictIntegerField:
    return StrictIntegerField(min_value=1, max_value=INT_MAX)


class SearchFilmsArguments(serializers.Serializer):
    # The film list's own search field: its bounds keep websearch_to_tsquery from failing.
    query = serializers.CharField(max_length=200)
    category = serializers.CharField(max_length=25, required=False)
    rating = serializers.ChoiceField(MpaaRating.values, required=False)

    def validate_query(self, value):
        return SearchTextField().clean(value)


class FilmIdArguments(serializers.Serializer):
    film_id = _id_field()


class CustomerIdArguments(serializers.Serializer):
    customer_id = _id_field()


def search_films(scope: Scope, *, query: str, category: str | None = None, rating: str | None = None):
    """Films whose title contains ``query`` or whose title and description match it as full text.

    Title matches come first (someone naming a film wants that film, not the ten lowest ids that
    mention the word in a description), then full-text matches by rank, then by id.
    """
    text = SearchQuery(query, search_type="websearch", config="english")
    films = Film.objects.search(query) | Film.objects.filter(title__icontains=query)
    if category is not None:
        films = films.in_categories(Category.objects.named(category).values("pk"))
    if rating is not None:
        films = films.filter(rating=rating)
    films = (
        films.with_category_names()
        .annotate(
            title_match=ExpressionWrapper(Q(title__icontains=query), output_field=BooleanField()),
            rank=SearchRank(F("fulltext"), text),
        )
        .order_by("-title_match", "-rank", "film_id")[:MAX_FILMS]
    )
    return [
        {
            "film_id": film.film_id,
            "title": film.title,
            "categories": film.category_names,
            "rating": film.rating,
            "rental_rate": str(film.rental_rate),
        }
        for film in films.only("film_id", "title", "rating", "rental_rate")
    ]


def get_film(scope: Scope, *, film_id: int):
    """The film's detail object, as ``GET /api/v1/films/{film_id}/`` shows it."""
    film = film_details().filter(pk=film_id).first()
    if film is None:
        return {"error": f"No film has film_id {film_id}."}
    return FilmDetailSerializer(film).data


def film_availability(scope: Scope, *, film_id: int):
    """Each store's copies of the film, how many are in stock (on the shelf for anyone:
    ``InventoryQuerySet.in_stock()``), and of the others how many are ``set_aside`` for a hold and
    how many ``in_transit`` (counted at the store sending them, which holds them until received).

    Counts, not copies: the catalogue is public and the film detail already shows these totals,
    so every caller sees every store's, as a customer phoning any store would be told.
    """
    film = Film.objects.filter(pk=film_id).only("film_id", "title").first()
    if film is None:
        return {"error": f"No film has film_id {film_id}."}
    counts: dict[int, Counter] = {}
    copies = Inventory.objects.filter(film=film).with_in_stock().with_shelf_state()
    for store_id, in_stock, held_for, in_transit in copies.values_list(
        "store_id", "in_stock", "held_for", "in_transit"
    ):
        store = counts.setdefault(store_id, Counter())
        store["copies"] += 1
        store["in_stock"] += in_stock
        store["set_aside"] += held_for is not None
        store["in_transit"] += in_transit
    return {
        "film_id": film.film_id,
        "title": film.title,
        "stores": [
            {"store_id": store_id, **{key: counts[store_id][key] for key in STORE_COUNTS}}
            for store_id in sorted(counts)
        ],
    }


def customer_rentals(scope: Scope, *, customer_id: int):
    """The open rentals of a customer in the caller's scope, newest first.

    An unknown customer is refused exactly like another store's, so the answer never tells an
    outsider which customer ids exist.
    """
    if not Customer.objects.in_scope(scope).filter(pk=customer_id).exists():
        return NOT_ALLOWED
    return RentalSerializer(
        shown_rentals().open().filter(customer_id=customer_id)[:MAX_RENTALS], many=True
    ).data


def customer_holds(scope: Scope, *, customer_id: int):
    """The waiting and ready holds of a customer in the caller's scope, newest first, as the
    API's hold objects; refused as ``customer_rentals`` refuses.

    Waiting and ready as shown: a ready hold past ``expires_at`` reads ``expired`` (its copy is
    about to be passed on), so it is no longer one the customer can collect.
    """
    if not Customer.objects.in_scope(scope).filter(pk=customer_id).exists():
        return NOT_ALLOWED
    holds = shown_holds().filter(customer_id=customer_id, shown_status__in=Hold.OPEN)
    return HoldSerializer(holds[:MAX_HOLDS], many=True).data


TOOLS = {
    "search_films": (search_films, SearchFilmsArguments),
    "get_film": (get_film, FilmIdArguments),
    "film_availability": (film_availability, FilmIdArguments),
    "customer_rentals": (customer_rentals, CustomerIdArguments),
    "customer_holds": (customer_holds, CustomerIdArguments),
}

_ID = {"type": "integer", "minimum": 1}


def _function(name: str, description: str, properties: dict, required: list[str]) -> dict:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": False,
            },
        },
    }


SCHEMAS = [
    _function(
        "search_films",
        f"Find films of the catalogue by title words or full text (title and description); at most "
        f"{MAX_FILMS}, each with film_id, title, categories, rating and rental_rate.",
        {
            "query": {"type": "string", "description": "Title words or search words."},
            "category": {"type": "string", "description": "A category name, e.g. Comedy."},
            "rating": {"type": "string", "enum": MpaaRating.values},
        },
        ["query"],
    ),
    _function(
        "get_film",
        "A film's details: description, language, length, rates, categories, actors, copies.",
        {"film_id": _ID},
        ["film_id"],
    ),
    _function(
        "film_availability",
        "How many copies of a film each store holds, how many are in stock now, and of the rest how "
        "many are set aside for a customer's hold and how many are in transit to another store.",
        {"film_id": _ID},
        ["film_id"],
    ),
    _function(
        "customer_rentals",
        f"A customer's open rentals (at most {MAX_RENTALS}, newest first), with due dates and "
        "balances. Only for customers of the caller's stores.",
        {"customer_id": _ID},
        ["customer_id"],
    ),
    _function(
        "customer_holds",
        f"A customer's waiting and ready holds (at most {MAX_HOLDS}, newest first): film, store, "
        "status, place in the queue while waiting, the copy set aside and until when once ready. "
        "Only for customers of the caller's stores.",
        {"customer_id": _ID},
        ["customer_id"],
    ),
]


def _result(name: str, arguments: str, scope: Scope):
    if name not in TOOLS:
        return {"error": f"There is no tool named {name!r}."}
    function, arguments_serializer = TOOLS[name]
    try:
        parsed = json.loads(arguments or "{}")
    except ValueError:
        return {"error": "The arguments are not valid JSON."}
    if not isinstance(parsed, dict):
        return {"error": "The arguments must be a JSON object."}
    unknown = sorted(set(parsed) - set(arguments_serializer().fields))
    if unknown:
        return {"error": f"Unknown arguments: {', '.join(unknown)}."}
    checked = arguments_serializer(data=parsed)
    if not checked.is_valid():
        return {"error": "Invalid arguments.", "errors": checked.errors}
    # Read-only whatever a tool's code might do: PostgreSQL refuses any write in this transaction.
    # Its statements have the AI tools' time limit, not a page's (AI_TOOL_STATEMENT_TIMEOUT).
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
            limit = f"{round(settings.AI_TOOL_STATEMENT_TIMEOUT * 1000)}ms"
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [limit])
        return function(scope, **checked.validated_data)


def run(name: str, arguments: str, scope: Scope) -> str:
    """The tool ``name``'s result for ``arguments`` (JSON text from the model), as JSON text."""
    try:
        result = _result(name, arguments, scope)
    except Exception:
        # A bug or a database failure: the model hears that the tool failed, the log says why,
        # and the answer goes on rather than breaking the visitor's stream.
        logger.exception("ai tool failed", extra={"tool": name})
        result = {"error": "The tool failed."}
    finally:
        # Back to the pool now, not when the stream ends: an answer streams for seconds after its
        # tools ran, and streams holding connections would leave sync views and other tools none.
        # (Not inside a caller's transaction, a test's for one: closing would end it.)
        if not connection.in_atomic_block:
            connection.close()
    return json.dumps(result, cls=DjangoJSONEncoder, ensure_ascii=False)
