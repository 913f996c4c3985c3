"""Every write of a tracked table leaves a change record, in its transaction, saying who made it."""

import pytest
from django.db import connection, transaction

from changes.models import Change
from customers.models import StreamingSubscription
from pagila_site import change_context
from pagila_site.change_context import writing_as
from pagila_site.testsupport.data import sql_all, sql_one
from pagila_site.testsupport.rentals import rent

pytestmark = pytest.mark.django_db


def _copy_in_stock(store_id: int = 1) -> int:
    return sql_one(
        "SELECT inventory_id FROM inventory i WHERE store_id = %s AND NOT EXISTS ("
        "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL"
        ") ORDER BY inventory_id LIMIT 1",
        [store_id],
    )[0]


def _records(table: str, object_id: int) -> list[Change]:
    return list(Change.objects.of(table, object_id).order_by("change_id"))


def test_a_rental_through_the_api_records_who_from_where(auth_client, staff_token):
    copy = _copy_in_stock()
    response = rent(auth_client, 1, copy, idempotency_key="till-7-0001")
    assert response.status_code == 201
    [record] = _records("rental", response.json()["rental_id"])
    assert record.action == "insert"
    assert record.user == "staff"
    assert record.token == staff_token[:8]
    assert record.request_id == response["X-Request-ID"]
    assert record.idempotency_key == "till-7-0001"
    assert record.source == "api"
    assert record.changes["inventory_id"] == [None, copy]
    assert record.changes["customer_id"] == [None, 1]
    assert "last_update" not in record.changes
    assert record.store_ids == [1]


def test_a_return_with_payment_records_both_in_one_request(auth_client):
    rental_id = rent(auth_client, 1, _copy_in_stock()).json()["rental_id"]
    response = auth_client.post(
        f"/api/v1/rentals/{rental_id}/return/",
        {"pay": True, "staff_id": 1},
        format="json",
        HTTP_X_REQUEST_ID="return-of-the-day",
    )
    assert response.status_code == 200, response.json()
    _insert, update = _records("rental", rental_id)
    assert update.action == "update"
    assert list(update.changes) == ["return_date"]
    assert update.changes["return_date"][0] is None
    payment_id = response.json()["payment"]["payment_id"]
    [payment] = _records("payment", payment_id)
    assert payment.action == "insert"
    assert update.request_id == payment.request_id == "return-of-the-day"
    assert payment.user == "staff"
    assert payment.changes["rental_id"] == [None, rental_id]


def test_a_subscription_patch_records_the_columns_it_changed(auth_client):
    subscription = StreamingSubscription.objects.create(
        customer_id=1, plan_name="Basic", start_date="2025-01-01"
    )
    response = auth_client.patch(
        f"/api/v1/subscriptions/{subscription.pk}/", {"plan_name": "Gold"}, format="json"
    )
    assert response.status_code == 200
    insert, update = _records("streaming_subscription", subscription.pk)
    assert insert.action == "insert"
    assert insert.user is None  # created by the test itself, outside any request
    assert update.changes == {"plan_name": ["Basic", "Gold"]}
    assert update.user == "staff"


def _form_data(page) -> dict:
    """What a browser would post back from an admin change page, as it stands."""
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False:
                data[form.add_prefix(name)] = value
    return data


def test_an_admin_edit_records_the_signed_in_user(superuser_client):
    url = "/admin/customers/customer/5/change/"
    data = _form_data(superuser_client.get(url))
    data["first_name"] = "Elizabeth"
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    [record] = _records("customer", 5)
    assert record.changes == {"first_name": ["ELIZABETH", "Elizabeth"]}
    assert record.user == "boss"
    assert record.source == "admin"
    assert record.token is None
    assert record.request_id


def test_plain_sql_is_recorded_with_no_user():
    with connection.cursor() as cursor:
        cursor.execute("UPDATE film SET rental_rate = 1.99 WHERE film_id = 7")
    [record] = _records("film", 7)
    assert record.changes == {"rental_rate": [4.99, 1.99]}
    assert record.user is None
    assert record.source is None
    assert record.store_ids is None  # the catalogue: every store's


def test_a_change_of_last_update_alone_is_no_change():
    with connection.cursor() as cursor:
        cursor.execute("UPDATE customer SET last_update = now() - interval '1 day' WHERE customer_id = 3")
        cursor.execute("UPDATE film SET last_update = now() - interval '1 day' WHERE film_id = 3")
    assert _records("customer", 3) == []
    assert _records("film", 3) == []


def _write(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def _write_then_fail(statement: str) -> None:
    with transaction.atomic():
        _write(statement)
        raise RuntimeError


def test_a_rolled_back_write_leaves_no_record():
    with pytest.raises(RuntimeError):
        _write_then_fail("UPDATE customer SET email = 'x@example.com' WHERE customer_id = 4")
    assert _records("customer", 4) == []


def test_a_command_tells_who_it_is_and_why():
    with writing_as(source="command:tidy", reason="a duplicate address"), transaction.atomic():
        _write("UPDATE customer SET address_id = 6 WHERE customer_id = 6")
    [record] = _records("customer", 6)
    assert (record.source, record.reason, record.user) == ("command:tidy", "a duplicate address", None)


def test_a_savepoint_rolled_back_does_not_take_the_context_with_it():
    with writing_as(user="someone"), transaction.atomic():
        with pytest.raises(RuntimeError):
            _write_then_fail("UPDATE customer SET email = 'a@example.com' WHERE customer_id = 8")
        _write("UPDATE customer SET email = 'b@example.com' WHERE customer_id = 8")
    [record] = _records("customer", 8)
    assert record.user == "someone"


def test_it_sends_the_context_once_per_writing_transaction_and_never_for_reads(monkeypatch):
    # Each time the context is sent, PostgreSQL counts it in a sequence of this session.
    _write("CREATE TEMPORARY SEQUENCE context_sent")
    monkeypatch.setattr(change_context, "_SET", f"{change_context._SET}, nextval('context_sent')")
    with writing_as(user="someone"):
        with transaction.atomic():
            sql_one("SELECT count(*) FROM customer")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE customer SET email = 'c@example.com' WHERE customer_id = 9")
            cursor.execute("UPDATE customer SET email = 'd@example.com' WHERE customer_id = 9")
    assert sql_one("SELECT last_value, is_called FROM context_sent") == (1, True)
    assert [r.user for r in _records("customer", 9)] == ["someone", "someone"]
    # A write to a table no trigger records (a session saved) sends none.
    with writing_as(user="someone else"):
        _write("UPDATE django_session SET expire_date = now() WHERE false")
    assert sql_one("SELECT last_value FROM context_sent") == (1,)


def test_records_cannot_be_altered_or_deleted():
    with connection.cursor() as cursor:
        cursor.execute("UPDATE film SET length = 99 WHERE film_id = 9")
    for statement in ("UPDATE change_record SET username = 'nobody'", "DELETE FROM change_record"):
        with pytest.raises(Exception, match="cannot be altered or deleted"), transaction.atomic():
            sql_all(statement)
    assert len(_records("film", 9)) == 1
