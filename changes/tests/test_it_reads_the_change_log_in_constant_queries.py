"""The change log's changelist and a History page run as many queries for many records as for
one: nothing is looked up per record."""

import pytest
from django.contrib import admin

from changes.models import Change
from pagila_site.backoffice import change_history
from pagila_site.testsupport.data import sql_one
from pagila_site.testsupport.queries import queries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def changed():
    for n in range(3):
        sql_one("UPDATE customer SET email = %s WHERE customer_id = 1 RETURNING 1", [f"mary{n}@example.com"])
    sql_one("UPDATE film SET length = 100 WHERE film_id = 10 RETURNING 1")


def test_the_changelist(superuser_client, monkeypatch):
    model_admin = admin.site.get_model_admin(Change)
    monkeypatch.setattr(model_admin, "list_per_page", 1)
    one = queries(superuser_client, "/admin/changes/change/")
    monkeypatch.setattr(model_admin, "list_per_page", 4)
    assert queries(superuser_client, "/admin/changes/change/") == one


def test_a_history_page(superuser_client, monkeypatch):
    # The first page also reads the content type of Django's admin log, which is cached after.
    queries(superuser_client, "/admin/customers/customer/1/history/")
    monkeypatch.setattr(change_history, "HISTORY_LIMIT", 1)
    one = queries(superuser_client, "/admin/customers/customer/1/history/")
    monkeypatch.setattr(change_history, "HISTORY_LIMIT", 3)
    assert queries(superuser_client, "/admin/customers/customer/1/history/") == one
