"""The dashboard's history figures, read from the summaries the triggers keep, are the live
aggregates over rentals and payments: on Pagila's data, for the chain and for a clerk's stores,
and again after renting, paying and returning through the services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Count, F, Max, Sum
from django.db.models.functions import TruncDate

from customers.scope import EVERY_STORE, Scope
from pagila_site.backoffice import dashboard
from pagila_site.testsupport.data import sql_one
from rentals.models import Payment, Rental
from rentals.services import payment_create, rental_create, rental_return

pytestmark = [pytest.mark.django_db, pytest.mark.full_data]

CLERK = Scope(store_ids=frozenset({1, 25}), staff_id=1)
# A store of Pagila's 500 that holds no copies and no customers.
EMPTY = Scope(store_ids=frozenset({3}), staff_id=4)


def live_rentals_per_day(scope, days=30):
    rentals = Rental.objects.in_scope(scope)
    newest = rentals.aggregate(newest=Max("rental_date"))["newest"]
    if newest is None:
        return []
    start = newest.date() - timedelta(days=days - 1)
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


def live_revenue_by_category(scope):
    return list(
        Payment.objects.in_scope(scope)
        .values(category=F("rental__inventory__film__categories__name"))
        .annotate(total=Sum("amount"))
        .order_by("-total", "category")
        .values_list("category", "total")
    )


def live_top_films(scope, limit):
    return list(
        Rental.objects.in_scope(scope)
        .values_list("inventory__film_id")
        .annotate(rentals=Count("pk"))
        .order_by("-rentals", "inventory__film_id")
        .values_list("inventory__film__title", "rentals")[:limit]
    )


def assert_figures_are_live(scope):
    assert dashboard.rentals_per_day(scope) == live_rentals_per_day(scope)
    assert dashboard.revenue_by_category(scope) == live_revenue_by_category(scope)
    # Every film, not the top ten only: the whole summary is compared.
    assert dashboard.top_films(scope, limit=1000) == live_top_films(scope, limit=1000)


@pytest.mark.parametrize("scope", [EVERY_STORE, CLERK, EMPTY], ids=["chain", "clerk", "empty store"])
def test_the_history_figures_are_the_live_aggregates(scope):
    assert_figures_are_live(scope)


def test_they_stay_so_after_renting_paying_and_returning_through_the_services():
    customer = sql_one("SELECT min(customer_id) FROM customer WHERE store_id = 1 AND active = 1")[0]
    copy = sql_one(
        "SELECT min(inventory_id) FROM inventory i WHERE store_id = 1 AND NOT EXISTS ("
        "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL)"
    )[0]
    before = dashboard.revenue_by_category(EVERY_STORE)

    rental = rental_create(scope=CLERK, customer_id=customer, inventory_id=copy)
    payment_create(scope=CLERK, rental_id=rental.pk, amount=Decimal("0.50"))
    rental_return(scope=CLERK, rental_id=rental.pk, pay=True)

    # Today is the newest day now: one rental on it, in the chain's and the clerk's figures.
    assert dashboard.rentals_per_day(EVERY_STORE)[-1][1] == 1
    assert dashboard.revenue_by_category(EVERY_STORE) != before
    for scope in (EVERY_STORE, CLERK, EMPTY):
        assert_figures_are_live(scope)
