"""The figures and series behind the admin dashboard: a handful of aggregate queries, each over
what the signed-in user's ``scope`` covers (a clerk sees its stores' figures, a superuser the
chain's); the catalogue's figure (films streaming) is the same for everyone."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, F, Max, Sum
from django.db.models.functions import TruncDate

from customers.models import Customer
from customers.scope import Scope
from films.models import Film
from rentals.models import Payment, Rental


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
    rentals = Rental.objects.in_scope(scope)
    newest = rentals.aggregate(newest=Max("rental_date"))["newest"]
    if newest is None:
        return []
    end = newest.date()
    start = end - timedelta(days=days - 1)
    counts = dict(
        rentals.filter(rental_date__date__gte=start)
        .annotate(day=TruncDate("rental_date"))
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return [
        ((start + timedelta(d)).strftime("%b %d"), counts.get(start + timedelta(d), 0)) for d in range(days)
    ]


def revenue_by_category(scope: Scope) -> list[tuple[str, Decimal]]:
    """Payments by their film's category, largest first: Pagila's ``sales_by_film_category``
    view, over the payments in scope (a film in two categories counts in both, as there)."""
    return list(
        Payment.objects.in_scope(scope)
        .values(category=F("rental__inventory__film__categories__name"))
        .annotate(total=Sum("amount"))
        .order_by("-total", "category")
        .values_list("category", "total")
    )


def top_films(scope: Scope, limit: int = 10) -> list[tuple[str, int]]:
    """The films rented most often, by rentals in scope."""
    return list(
        Rental.objects.in_scope(scope)
        .values_list("inventory__film_id")
        .annotate(rentals=Count("pk"))
        .order_by("-rentals", "inventory__film_id")
        .values_list("inventory__film__title", "rentals")[:limit]
    )
