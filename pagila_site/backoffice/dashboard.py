"""The figures and series behind the admin dashboard: a handful of aggregate queries."""

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Max
from django.db.models.functions import TruncDate

from customers.models import Customer
from films.models import Film
from rentals.models import Rental


def key_figures() -> dict[str, int]:
    return {
        "open_rentals": Rental.objects.open().count(),
        "overdue_rentals": Rental.objects.overdue().count(),
        "active_customers": Customer.objects.active().count(),
        "films_streaming": Film.objects.streaming().count(),
    }


def rentals_per_day(days: int = 30) -> list[tuple[str, int]]:
    """Rentals per day over the last ``days`` days that have any activity.

    Pagila's history ends in 2022, so "the last 30 days of the calendar" would be empty: the
    window ends at the newest rental instead, and days without rentals show as zero.
    """
    newest = Rental.objects.aggregate(newest=Max("rental_date"))["newest"]
    if newest is None:
        return []
    end = newest.date()
    start = end - timedelta(days=days - 1)
    counts = dict(
        Rental.objects.filter(rental_date__date__gte=start)
        .annotate(day=TruncDate("rental_date"))
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return [
        ((start + timedelta(d)).strftime("%b %d"), counts.get(start + timedelta(d), 0)) for d in range(days)
    ]


def revenue_by_category() -> list[tuple[str, Decimal]]:
    """Pagila's own ``sales_by_film_category`` view, largest first."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT category, total_sales FROM sales_by_film_category ORDER BY total_sales DESC")
        return list(cursor.fetchall())


def top_films(limit: int = 10) -> list[tuple[str, int]]:
    return list(
        Film.objects.annotate(rentals=Count("inventory__rentals"))
        .order_by("-rentals", "film_id")
        .values_list("title", "rentals")[:limit]
    )
