"""The API's read serializers are represented by their class's plan (pagila_site/api/serializers.py),
and the plan gives exactly what DRF's own walk over the declared fields gives, on real rows."""

import json

import pytest
from django.db.models import Q
from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder

from customers.models import Customer
from customers.serializers import CustomerSerializer
from films.models import Category, Film
from films.serializers import CategorySerializer, FilmDetailSerializer, FilmSerializer
from films.views import FilmViewSet
from pagila_site.api import serializers as planning
from pagila_site.api.serializers import PlannedSerializer, _serializer_plan
from rentals.models import Payment
from rentals.serializers import PaymentSerializer, RentalPaidSerializer, RentalSerializer
from rentals.views import payments_newest_first, rentals_newest_first

pytestmark = pytest.mark.django_db


def _bytes(data) -> str:
    return json.dumps(data, cls=JSONEncoder)


def _cases():
    films = Film.objects.with_language_name().with_category_names().defer("fulltext")
    # Open and returned rentals, paid and unpaid, a historical overpayment (negative balance).
    overpaid = Payment.objects.filter(amount__gt=5).values("rental_id")
    some_rentals = rentals_newest_first().filter(
        Q(return_date__isnull=True) | Q(customer_id__in=[1, 148]) | Q(rental_id__in=overpaid[:40])
    )[:150]
    return [
        (FilmSerializer, films.order_by("film_id")[:200]),
        (FilmDetailSerializer, FilmViewSet.detail_queryset.filter(film_id__in=[1, 2, 257, 803, 1000])),
        (CategorySerializer, Category.objects.with_film_count()),
        (CustomerSerializer, Customer.objects.filter(Q(active=0) | Q(customer_id__lte=50))),
        (RentalSerializer, some_rentals),
        (PaymentSerializer, payments_newest_first()[:200]),
    ]


def test_the_api_read_serializers_have_a_plan():
    for serializer_class in (
        FilmSerializer,
        FilmDetailSerializer,
        CategorySerializer,
        CustomerSerializer,
        RentalSerializer,
        RentalPaidSerializer,
        PaymentSerializer,
    ):
        assert _serializer_plan(serializer_class) is not None, serializer_class.__name__


@pytest.mark.parametrize("case", range(6))
def test_the_plan_gives_what_drf_gives(case, monkeypatch):
    serializer_class, queryset = _cases()[case]
    instances = list(queryset)
    assert len(instances) >= 5
    planned = _bytes(serializer_class(instances, many=True).data)
    # Without plans, every PlannedSerializer, nested ones too, is DRF's walk over its fields.
    monkeypatch.setattr(planning, "_serializer_plan", lambda serializer_class: None)
    walked = _bytes(serializer_class(instances, many=True).data)
    assert planned == walked


def test_an_inactive_customer_is_represented_inactive():
    # `active` reads Customer.is_active, a property over Pagila's integer column.
    inactive = Customer.objects.filter(active=0).first()
    assert CustomerSerializer(inactive).data["active"] is False


def test_a_serializer_with_a_dotted_source_keeps_drfs_walk():
    class Address(PlannedSerializer):
        city = serializers.CharField(source="city.city")

    customer = Customer.objects.select_related("address__city").get(customer_id=1)
    assert _serializer_plan(Address) is None
    assert Address(customer.address).data == {"city": customer.address.city.city}


def test_a_missing_attribute_is_left_to_drf(monkeypatch):
    # `payment` allows null: without the attribute, DRF answers None.
    rental = rentals_newest_first().get(pk=1)
    planned = RentalPaidSerializer(rental).data
    monkeypatch.setattr(planning, "_serializer_plan", lambda serializer_class: None)
    assert planned == RentalPaidSerializer(rental).data
    assert planned["payment"] is None


def test_a_nested_list_over_a_related_manager_is_what_drf_gives(monkeypatch):
    class CustomerRentals(PlannedSerializer):
        customer_id = serializers.IntegerField()
        rentals = RentalDates(many=True)

    customer = Customer.objects.get(pk=1)
    planned = CustomerRentals(customer).data
    monkeypatch.setattr(planning, "_serializer_plan", lambda serializer_class: None)
    assert planned == CustomerRentals(customer).data
    assert len(planned["rentals"]) == 32


def test_a_nested_serializer_of_its_own_represents_itself():
    class Shouting(serializers.Serializer):
        def to_representation(self, instance):
            return instance.title.upper()

    class FilmWithShout(PlannedSerializer):
        film_id = serializers.IntegerField()
        shout = Shouting(source="*")

    film = Film.objects.get(pk=1)
    assert _serializer_plan(FilmWithShout) is None
    assert FilmWithShout(film).data == {"film_id": 1, "shout": film.title.upper()}


class RentalDates(PlannedSerializer):
    rental_id = serializers.IntegerField()
    rental_date = serializers.DateTimeField()


def test_a_serializer_without_a_plan_says_which_field(caplog):
    class WithMethod(PlannedSerializer):
        film_id = serializers.IntegerField()
        shout = serializers.SerializerMethodField()

        def get_shout(self, film):
            return film.title.upper()

    film = Film.objects.get(pk=1)
    with caplog.at_level("WARNING", logger="pagila.serializers"):
        assert WithMethod(film).data == {"film_id": 1, "shout": film.title.upper()}
    (record,) = caplog.records
    assert record.levelname == "WARNING"
    assert "WithMethod" in record.getMessage()
    assert "'shout'" in record.getMessage()
    assert "SerializerMethodField" in record.getMessage()


def test_a_field_the_plan_cannot_read_is_logged_once(caplog):
    class Titled(PlannedSerializer):
        film_id = serializers.IntegerField()
        subtitle = serializers.CharField(required=False)

    film = Film.objects.get(pk=1)
    with caplog.at_level("WARNING", logger="pagila.serializers"):
        # DRF leaves out a field that is not required and has no value.
        assert Titled([film, film], many=True).data == [{"film_id": 1}, {"film_id": 1}]
    (record,) = caplog.records
    assert "Titled" in record.getMessage()
    assert "'subtitle'" in record.getMessage()
    assert "AttributeError" in record.getMessage()


def test_a_typo_in_a_source_is_drfs_error_not_a_silent_default():
    class Typo(PlannedSerializer):
        titel = serializers.CharField()

    with pytest.raises(AttributeError, match="titel"):
        Typo(Film.objects.get(pk=1)).data  # noqa: B018


def test_an_error_inside_a_conversion_is_raised_as_it_is():
    # Only reading a value falls back to DRF: an AttributeError from a conversion is a bug.
    def broken(value):
        raise AttributeError("a bug in a conversion")

    represent = planning._represent_by((("title", "title", broken),))
    with pytest.raises(AttributeError, match="a bug in a conversion"):
        represent(Film.objects.get(pk=1))
