"""A clerk's change log and History pages hold changes to rows of their stores and the catalogue,
never another store's."""

import pytest

from changes.models import Change
from pagila_site.testsupport.data import sql_one

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_customer() -> int:
    """A customer of store 2: not the store-1 clerk's."""
    return sql_one("SELECT min(customer_id) FROM customer WHERE store_id = 2")[0]


@pytest.fixture
def changed(other_customer):
    for customer_id in (1, other_customer):
        sql_one(
            "UPDATE customer SET email = 'x@example.com' WHERE customer_id = %s RETURNING 1", [customer_id]
        )
    sql_one("UPDATE film SET length = 100 WHERE film_id = 10 RETURNING 1")
    return {(c.table, c.object_id): c for c in Change.objects.all()}


def test_a_clerks_change_log_has_their_stores_and_the_catalogues_records(
    clerk_admin, changed, other_customer
):
    response = clerk_admin.get("/admin/changes/change/")
    assert response.status_code == 200
    listed = [(c.table, c.object_id) for c in response.context["cl"].result_list]
    assert listed == [("film", 10), ("customer", 1)]
    assert f"customer {other_customer}" not in response.content.decode()


def test_a_clerk_gets_no_page_for_another_stores_record(clerk_admin, changed, other_customer):
    record = changed["customer", other_customer]
    assert clerk_admin.get(f"/admin/changes/change/{record.pk}/change/").status_code == 302


def test_a_clerk_filtering_for_another_stores_customer_finds_nothing(clerk_admin, changed, other_customer):
    response = clerk_admin.get("/admin/changes/change/", {"table": "customer", "object_id": other_customer})
    assert list(response.context["cl"].result_list) == []


def test_a_clerk_gets_no_history_page_for_another_stores_customer(clerk_admin, changed, other_customer):
    # The admin's answer to an object outside get_queryset(): back to the index with a message.
    assert clerk_admin.get(f"/admin/customers/customer/{other_customer}/history/").status_code == 302


def test_a_clerk_sees_their_customers_history(clerk_admin, changed):
    response = clerk_admin.get("/admin/customers/customer/1/history/")
    assert response.status_code == 200
    assert [record.pk for record in response.context["change_records"]] == [changed["customer", 1].pk]
