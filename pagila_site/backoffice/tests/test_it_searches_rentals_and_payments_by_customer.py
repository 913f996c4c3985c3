"""The rental and payment changelists' search (``IdOrCustomerSearch``) finds exactly what Django's
own search over the same ``search_fields`` found, for the chain and for a clerk: a row by its
id, or by its customer's last name or email, word by word. A clerk finds by name or email only
their own stores' customers: a row of another store's customer (in scope by its copy) is found by
its id only, since its customer shows as "#id" and a search must not tell who they are."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from customers.scope import scope_of
from pagila_site.backoffice.admin_filters import is_pagila_id
from rentals.models import PaymentLedgerEntry, Rental

pytestmark = [pytest.mark.django_db, pytest.mark.full_data]

TERMS = [
    "smith",
    "SMITH",
    "mary smith",
    '"mary.smith"',
    "@sakilacustomer.org smith",
    "16049",  # a rental's id
    "16050",  # a payment's id
    "016049",  # not an id as text
    "1",  # an id, and a digit in no name or email
    "16049 smith",
    "xyz",
    "a",
]


def _results(model, user, term, *, djangos):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = user
    queryset = model_admin.get_queryset(request)
    if djangos:
        found, _duplicates = admin.ModelAdmin.get_search_results(model_admin, request, queryset, term)
    else:
        found, _duplicates = model_admin.get_search_results(request, queryset, term)
    return set(found.values_list("pk", flat=True))


def _djangos_for(model, user, term):
    """Django's result, less what a name match alone found among other stores' customers."""
    found = _results(model, user, term, djangos=True)
    scope = scope_of(user)
    if scope.every_store or all(is_pagila_id(word) for word in term.split()):
        return found
    yours = model.objects.filter(pk__in=found, customer__store_id__in=sorted(scope.store_ids))
    return set(yours.values_list("pk", flat=True))


@pytest.mark.parametrize("model", [Rental, PaymentLedgerEntry], ids=["rentals", "payments"])
@pytest.mark.parametrize("term", TERMS)
def test_it_finds_what_djangos_search_found(model, term, django_user_model, clerk):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-password")
    for user in (boss, clerk):
        ours = _results(model, user, term, djangos=False)
        assert ours == _djangos_for(model, user, term), (term, user)
        if term == "smith":
            assert ours


def test_the_changelist_searches_through_it(superuser_client):
    response = superuser_client.get("/admin/rentals/rental/", {"q": "mary smith"})
    rentals = response.context["cl"].result_list
    assert rentals
    assert {rental.customer.email for rental in rentals} == {"MARY.SMITH@sakilacustomer.org"}
