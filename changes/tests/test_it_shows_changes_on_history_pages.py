"""Each tracked object's History page in the back office shows its change records: when, what
changed (before and after per column), who, from where, the request and the reason."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory

from changes.models import TRACKED, Change
from customers.models import Customer, StreamingSubscription
from customers.services import CLERK_GROUP
from pagila_site.backoffice import change_history
from pagila_site.change_context import writing_as
from pagila_site.testsupport.data import sql_one

pytestmark = pytest.mark.django_db

MARY = "/admin/customers/customer/1/history/"


def _write(statement: str, params=()) -> None:
    sql_one(f"{statement} RETURNING 1", params)


def test_it_shows_an_update_before_and_after(superuser_client):
    _write("UPDATE customer SET email = 'mary@example.com' WHERE customer_id = 1")
    response = superuser_client.get(MARY)
    assert response.status_code == 200
    [record] = response.context["change_records"]
    assert (record.action, record.changes) == (
        "update",
        {"email": ["MARY.SMITH@sakilacustomer.org", "mary@example.com"]},
    )
    page = response.content.decode()
    assert (
        '<span class="column">email</span> <span class="before">MARY.SMITH@sakilacustomer.org</span>'
        ' → <span class="after">mary@example.com</span>'
    ) in page
    assert '<td class="change-source">SQL</td>' in page


def test_it_shows_who_from_where_the_request_and_the_reason(superuser_client):
    facts = {"request_id": "req-0001", "idempotency_key": "till-7-0001", "reason": "Moved house"}
    with writing_as(user="clerk1", token="abcd1234", source="counter", **facts):
        _write("UPDATE customer SET address_id = 6 WHERE customer_id = 1")
    page = superuser_client.get(MARY).content.decode()
    assert '<td>clerk1 <span class="token">token abcd1234…</span></td>' in page
    assert '<td class="change-source">counter</td>' in page
    assert 'req-0001<br><span class="help">key till-7-0001</span>' in page
    assert "<td>Moved house</td>" in page


def test_an_insert_shows_what_it_wrote(superuser_client):
    subscription = StreamingSubscription.objects.create(
        customer_id=1, plan_name="premium", start_date=datetime.date(2024, 5, 1)
    )
    response = superuser_client.get(f"/admin/customers/streamingsubscription/{subscription.pk}/history/")
    [record] = response.context["change_records"]
    assert record.action == "insert"
    page = response.content.decode()
    assert '<span class="column">plan_name</span> <span class="after">premium</span>' in page
    assert (
        '<span class="column">end_date</span> <span class="after empty" title="empty (null)">—</span>' in page
    )


def test_it_shows_the_newest_first_up_to_its_limit_and_links_to_the_rest(superuser_client, monkeypatch):
    monkeypatch.setattr(change_history, "HISTORY_LIMIT", 2)
    for n in range(3):
        _write("UPDATE customer SET email = %s WHERE customer_id = 1", [f"mary{n}@example.com"])
    response = superuser_client.get(MARY)
    newest = list(Change.objects.of("customer", 1).order_by("-change_id").values_list("pk", flat=True))
    assert [record.pk for record in response.context["change_records"]] == newest[:2]
    page = response.content.decode()
    assert "The last 2 change records, newest first." in page
    assert (
        '<a href="/admin/changes/change/?table=customer&amp;object_id=1">All of them in the change log</a>'
        in page
    )


@pytest.mark.parametrize(
    ("admin_path", "table", "statement"),
    [
        ("films/film", "film", "UPDATE film SET length = 100 WHERE film_id = {}"),
        ("customers/customer", "customer", "UPDATE customer SET active = 0 WHERE customer_id = {}"),
        ("rentals/inventory", "inventory", "UPDATE inventory SET film_id = 2 WHERE inventory_id = {}"),
        (
            "rentals/rental",
            "rental",
            "UPDATE rental SET staff_id = CASE staff_id WHEN 1 THEN 2 ELSE 1 END WHERE rental_id = {}",
        ),
        ("rentals/paymentledgerentry", "payment", "UPDATE payment SET amount = 1.23 WHERE payment_id = {}"),
    ],
)
def test_every_tracked_tables_history_page_shows_its_records(superuser_client, admin_path, table, statement):
    key = TRACKED[table]
    object_id = sql_one(f"SELECT min({key}) FROM {table}")[0]  # noqa: S608 - the test's own names
    _write(statement.format(object_id))
    response = superuser_client.get(f"/admin/{admin_path}/{object_id}/history/")
    assert response.status_code == 200
    assert [(r.table, r.object_id) for r in response.context["change_records"]] == [(table, object_id)]


def test_a_page_without_records_says_so(superuser_client):
    page = superuser_client.get(MARY).content.decode()
    assert "No change records" in page


def test_djangos_admin_log_is_shown_below_when_it_has_entries(superuser_client, django_user_model):
    request = RequestFactory().get(MARY)
    request.user = django_user_model.objects.get(username="boss")
    admin.site.get_model_admin(Customer).log_change(request, Customer.objects.get(pk=1), "Changed email.")
    page = superuser_client.get(MARY).content.decode()
    assert "Admin log" in page
    assert "Changed email." in page


def test_without_the_change_log_permission_the_page_is_djangos(clerk_admin):
    Group.objects.get(name=CLERK_GROUP).permissions.remove(Permission.objects.get(codename="view_change"))
    _write("UPDATE customer SET email = 'mary@example.com' WHERE customer_id = 1")
    response = clerk_admin.get(MARY)
    assert response.status_code == 200
    assert "change_records" not in response.context
    assert "mary@example.com" not in response.content.decode()
    assert clerk_admin.get("/admin/changes/change/").status_code == 403
