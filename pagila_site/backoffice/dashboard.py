"""The figures and series behind the admin dashboard, each over what the signed-in user's
``scope`` covers (a clerk sees its stores' figures, a superuser the chain's); the catalogue's
figure (films streaming) is the same for everyone.

The history's figures (rentals per day, revenue by category, top films) are read from the
summaries that triggers keep current as rentals and payments are written
(``rentals/summaries.py``): a few thousand rows, however long the history. The key figures are
counted live: open rentals are a small share of the history, read by their partial index
(``rental_open_newest_first``), and customers a few thousand rows.
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import F, Max, Sum

from customers.models import Customer
from customers.scope import Scope
from films.models import Film
from rentals.models import DaySummary, FilmSummary, Rental


def key_figures(scope: Scope) -> dict[str, int]:
    rentals = Rental.objects.in_scope(scope)
    return {
        "open_rentals": rentals.open().count(),
        "overdue_rentals": rentals.overdue().count(),
        "active_customers": Customer.objects.in_scope(scope).active().count(),
        "films_streaming": Film.objects.streaming().count(),
    }


def rentals_per_day(scope: Scope, days: int = 30) -> list[tuple[str, int]]:
    """Rentals per day over the last ``days`` days that have any activity.

    Pagila's history ends in 2022, so "the last 30 days of the calendar" would be empty: the
    window ends at the newest rental instead, and days without rentals show as zero.
    """
    summaries = DaySummary.objects.in_scope(scope).filter(rentals__gt=0)
    end = summaries.aggregate(newest=Max("day"))["newest"]
    if end is None:
        return []
    start = end - timedelta(days=days - 1)
    counts = dict(
        summaries.filter(day__gte=start).values_list("day").annotate(n=Sum("rentals")).values_list("day", "n")
    )
    return [
        ((start + timedelta(d)).strftime("%b %d"), counts.get(start + timedelta(d), 0)) for d in range(days)
    ]


def revenue_by_category(scope: Scope) -> list[tuple[str, Decimal]]:
    """Payments by their film's category, largest first: Pagila's ``sales_by_film_category``
    view, over the payments in scope (a film in two categories counts in both, as there)."""
    return list(
        FilmSummary.objects.in_scope(scope)
        .filter(payments__gt=0)
        .values(category=F("film__categories__name"))
        .annotate(total=Sum("revenue"))
        .order_by("-total", "category")
        .values_list("category", "total")
    )


def top_films(scope: Scope, limit: int = 10) -> list[tuple[str, int]]:
    """The films rented most often, by rentals in scope."""
    return list(
        FilmSummary.objects.in_scope(scope)
        .filter(rentals__gt=0)
        .values_list("film_id")
        .annotate(n=Sum("rentals"))
        .order_by("-n", "film_id")
        .values_list("film__title", "n")[:limit]
    )
