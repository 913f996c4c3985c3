"""The test database holds the real Pagila data set, with its types, enums and triggers."""

import pytest
from django.db import connection

from customers.models import Customer
from films.models import Film, Language
from rentals.models import Payment, Rental

pytestmark = [pytest.mark.django_db, pytest.mark.full_data]

EXPECTED_ROWS = {
    "film": 1000,
    "category": 16,
    "film_category": 2367,
    "actor": 200,
    "film_actor": 5462,
    "language": 6,
    "inventory": 4581,
    "store": 500,
    "staff": 1500,
    "customer": 599,
    "address": 603,
    "city": 600,
    "country": 109,
    "rental": 16044,
    "payment": 16049,
}


@pytest.mark.parametrize(("table", "rows"), EXPECTED_ROWS.items())
def test_it_has_every_pagila_row(table, rows):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
        assert cursor.fetchone()[0] == rows


def test_it_reads_pagila_types_as_python_values():
    film = Film.objects.get(pk=1)
    assert film.title == "ACADEMY DINOSAUR"
    assert film.rating == "PG"
    assert film.special_features == ["Deleted Scenes", "Behind the Scenes"]
    assert str(film.rental_rate) == "0.99"
    assert film.streaming_available is False
    assert film.language.name == "English"  # character(20), trimmed


def test_it_counts_inactive_customers_and_open_rentals():
    assert Customer.objects.exclude(active=1).count() == 15
    assert Rental.objects.filter(return_date__isnull=True).count() == 183


def test_it_reads_the_partitioned_payment_table_by_composite_key():
    payment = Payment.objects.order_by("payment_date", "payment_id").first()
    assert payment.pk == (payment.payment_date, payment.payment_id)
    assert Payment.objects.filter(pk=payment.pk).count() == 1


def test_it_trims_every_language_name():
    assert list(Language.objects.values_list("name", flat=True)) == [
        "English",
        "Italian",
        "Japanese",
        "Mandarin",
        "French",
        "German",
    ]


def test_pagila_trigger_keeps_fulltext_up_to_date():
    Film.objects.filter(pk=1).update(description="A tale of a wombat")
    assert Film.objects.filter(pk=1, fulltext="wombat").exists()
