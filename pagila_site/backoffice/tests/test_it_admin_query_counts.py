"""Every back-office changelist runs a fixed number of queries, whatever the page holds.

Each changelist is fetched at two page sizes: a missing ``list_select_related`` or a per-row
lookup makes the count grow with the page size and fails here; the count itself is pinned in
``query_counts.json``.
"""

import pytest
from django.contrib import admin

from pagila_site.testsupport.queries import queries

pytestmark = [pytest.mark.django_db, pytest.mark.full_data]

CHANGELISTS = [
    "films/film",
    "films/category",
    "films/actor",
    "films/language",
    "customers/customer",
    "customers/staff",
    "customers/store",
    "customers/address",
    "customers/streamingsubscription",
    "rentals/rental",
    "rentals/inventory",
    "rentals/paymentledgerentry",
    "pagila_site/apitoken",
    "changes/change",
]


@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_it_runs_the_same_number_of_queries_for_5_and_100_rows(
    superuser_client, query_baseline, changelist, monkeypatch
):
    app_label, model_name = changelist.split("/")
    model_admin = next(
        ma for m, ma in admin.site._registry.items() if m._meta.label_lower == f"{app_label}.{model_name}"
    )
    url = f"/admin/{changelist}/"
    monkeypatch.setattr(model_admin, "list_per_page", 5)
    small = queries(superuser_client, url)
    monkeypatch.setattr(model_admin, "list_per_page", 100)
    large = queries(superuser_client, url)
    assert small == large, f"{changelist}: {small} queries for 5 rows, {large} for 100"
    query_baseline(large)
