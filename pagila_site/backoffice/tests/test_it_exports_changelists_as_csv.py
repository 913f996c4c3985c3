"""The rental, payment, customer and inventory changelists export every row their filters match
as a streamed CSV, scoped like the changelist. Expectations from plain SQL on Pagila's data, and
from what the export wrote before PostgreSQL wrote it: csv.writer over the changelist's
``values_list()``, ``csv_cell()`` per value (below), byte for byte.

The export reads on a connection of its own, so it sees only committed rows: tests that change
rows commit them (``transaction=True``) and put them back."""

import asyncio
import csv
import datetime
import io
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib import admin
from django.db.models import Value
from django.db.models.sql import Query
from django.test import RequestFactory

from customers.models import Customer
from pagila_site.backoffice.csv_export import CsvCell
from pagila_site.testsupport.data import sql_one
from rentals.models import Rental

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    assert response.status_code == 200
    assert response.streaming
    assert response.is_async

    async def read():
        return b"".join([part async for part in response])

    return asyncio.run(read())


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_body(response).decode(), newline="")))


# What the export wrote before PostgreSQL wrote it, kept as its specification.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str | int:
    match value:
        case None:
            return ""
        case bool():
            return "true" if value else "false"
        case datetime.date():
            return value.isoformat()
        case int() | Decimal():
            return str(value)
        case str() if value.startswith(FORMULA_STARTS):
            return f"'{value}"
    return str(value)


def written_by_python(url: str, user) -> bytes:
    """The export of ``url`` for ``user`` as csv.writer wrote it, on the test's own connection."""
    parts = urlsplit(url)
    request = RequestFactory().get(url)
    request.user = user
    app_label, model_name = parts.path.split("/")[2:4]
    model_admin = admin.site.get_model_admin(apps.get_model(app_label, model_name))
    rows = model_admin.csv_queryset(request).values_list(*(lookup for _h, lookup in model_admin.csv_columns))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([header for header, _lookup in model_admin.csv_columns])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode()


EXPORTS = [
    "/admin/rentals/rental/export-csv/",
    "/admin/rentals/rental/export-csv/?status=open",
    "/admin/rentals/rental/export-csv/?q=smith&status=returned",
    "/admin/rentals/rental/export-csv/?o=2.-1",
    "/admin/rentals/paymentledgerentry/export-csv/",
    "/admin/rentals/paymentledgerentry/export-csv/?payment_date__year=2022&payment_date__month=3",
    "/admin/rentals/paymentledgerentry/export-csv/?customer_id=1&o=-6.1",
    "/admin/customers/customer/export-csv/",
    "/admin/customers/customer/export-csv/?active=0&q=a",
    "/admin/customers/customer/export-csv/?o=-7",
    "/admin/rentals/inventory/export-csv/",
    "/admin/rentals/inventory/export-csv/?in_stock=no&store_id=2",
]


@pytest.mark.parametrize("url", EXPORTS)
def test_it_writes_what_csv_writer_wrote(superuser_client, django_user_model, url):
    expected = written_by_python(url, django_user_model.objects.get(username="boss"))
    assert _body(superuser_client.get(url)) == expected


@pytest.mark.parametrize("url", [url for url in EXPORTS if "?" not in url])
def test_a_clerks_export_is_what_csv_writer_wrote(clerk_admin, clerk, url):
    assert _body(clerk_admin.get(url)) == written_by_python(url, clerk)


@pytest.mark.parametrize(
    ("path", "sql"),
    [
        (
            "/admin/rentals/rental/export-csv/?status=open",
            "SELECT count(*) FROM rental WHERE return_date IS NULL",
        ),
        (
            "/admin/rentals/rental/export-csv/?q=smith&status=returned",
            "SELECT count(*) FROM rental r JOIN customer c USING (customer_id) "
            "WHERE r.return_date IS NOT NULL "
            "AND (c.last_name ILIKE '%%smith%%' OR c.email ILIKE '%%smith%%')",
        ),
        (
            "/admin/rentals/paymentledgerentry/export-csv/?payment_date__year=2022&payment_date__month=3",
            "SELECT count(*) FROM payment WHERE payment_date >= '2022-03-01' AND payment_date < '2022-04-01'",
        ),
        ("/admin/customers/customer/export-csv/?active=0", "SELECT count(*) FROM customer WHERE active <> 1"),
        (
            "/admin/rentals/inventory/export-csv/?in_stock=no&store_id=2",
            "SELECT count(*) FROM inventory i WHERE store_id = 2 AND EXISTS ("
            "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL)",
        ),
    ],
)
def test_it_exports_every_row_the_filters_match(superuser_client, path, sql):
    rows = _rows(superuser_client.get(path))
    assert len(rows) - 1 == sql_one(sql)[0]


def test_it_exports_past_the_first_page(superuser_client):
    rows = _rows(superuser_client.get("/admin/rentals/paymentledgerentry/export-csv/"))
    assert len(rows) - 1 == sql_one("SELECT count(*) FROM payment")[0] == 16049


@pytest.mark.parametrize(
    ("path", "sql"),
    [
        (
            "/admin/rentals/rental/export-csv/",
            "SELECT count(*) FROM rental r JOIN inventory i USING (inventory_id) "
            "JOIN customer c ON c.customer_id = r.customer_id "
            "WHERE i.store_id IN (1, 25) OR c.store_id IN (1, 25)",
        ),
        (
            "/admin/rentals/paymentledgerentry/export-csv/",
            # The rental's copy or customer, or the payment's own customer (five of Pagila's
            # payments name another customer than their rental's).
            "SELECT count(*) FROM payment p JOIN rental r USING (rental_id) "
            "JOIN inventory i USING (inventory_id) JOIN customer c ON c.customer_id = r.customer_id "
            "JOIN customer payer ON payer.customer_id = p.customer_id "
            "WHERE i.store_id IN (1, 25) OR c.store_id IN (1, 25) OR payer.store_id IN (1, 25)",
        ),
        ("/admin/customers/customer/export-csv/", "SELECT count(*) FROM customer WHERE store_id IN (1, 25)"),
        ("/admin/rentals/inventory/export-csv/", "SELECT count(*) FROM inventory WHERE store_id IN (1, 25)"),
    ],
)
def test_a_clerks_export_holds_only_its_stores_rows(clerk_admin, path, sql):
    rows = _rows(clerk_admin.get(path))
    assert len(rows) - 1 == sql_one(sql)[0]


def test_a_clerks_customer_export_has_no_customer_of_store_2(clerk_admin):
    rows = _rows(clerk_admin.get("/admin/customers/customer/export-csv/"))
    store = rows[0].index("store_id")
    assert {row[store] for row in rows[1:]} == {"1"}


def test_it_streams_an_attachment(superuser_client):
    response = superuser_client.get("/admin/rentals/rental/export-csv/?status=open")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="rentals.csv"'


def test_it_writes_ids_names_and_iso_dates(superuser_client):
    rows = _rows(superuser_client.get("/admin/rentals/paymentledgerentry/export-csv/?customer_id=1&o=1"))
    assert rows[0] == [
        "payment_id", "payment_date", "amount", "customer_id", "customer_first_name", "customer_last_name",
        "rental_id", "staff_id",
    ]  # fmt: skip
    payment_id, payment_date, amount, rental_id, staff_id = sql_one(
        "SELECT payment_id, payment_date, amount, rental_id, staff_id FROM payment "
        # o=1 is the payment_date column; the admin breaks its ties by -pk.
        "WHERE customer_id = 1 ORDER BY payment_date, payment_id DESC LIMIT 1"
    )
    assert rows[1] == [
        str(payment_id), payment_date.isoformat(), str(amount), "1", "MARY", "SMITH", str(rental_id),
        str(staff_id),
    ]  # fmt: skip


def test_it_writes_a_rental_with_its_due_date_and_overdue_flag(superuser_client):
    customer_id, first_name, last_name = sql_one(
        "SELECT customer_id, first_name, last_name FROM customer WHERE customer_id = ("
        "  SELECT min(customer_id) FROM rental WHERE return_date IS NULL)"
    )
    url = f"/admin/rentals/rental/export-csv/?status=open&customer_id={customer_id}"
    rows = _rows(superuser_client.get(url))
    expected = sql_one(
        "SELECT r.rental_id, r.rental_date, r.rental_date + f.rental_duration * interval '1 day', "
        "r.inventory_id, i.store_id, f.film_id, f.title, r.staff_id FROM rental r "
        "JOIN inventory i USING (inventory_id) JOIN film f USING (film_id) "
        "WHERE r.customer_id = %s AND r.return_date IS NULL ORDER BY r.rental_date DESC, r.rental_id DESC",
        [customer_id],
    )
    rental_id, rented, due, inventory_id, store_id, film_id, title, staff_id = expected
    # Pagila's open rentals date from 2022: long overdue.
    assert rows[1] == [
        str(rental_id), rented.isoformat(), due.isoformat(), "", "true", str(customer_id), first_name,
        last_name, str(inventory_id), str(store_id), str(film_id), title, str(staff_id),
    ]  # fmt: skip


@pytest.fixture
def committed_customers():
    """Sets customers' columns for the test, committed, and puts Pagila's values back afterwards."""
    originals = {}

    def change(customer_id: int, **values):
        for column, value in values.items():
            if (customer_id, column) not in originals:
                query = f"SELECT {column} FROM customer WHERE customer_id = %s"  # noqa: S608 - a test's column
                originals[customer_id, column] = sql_one(query, [customer_id])[0]
            query = f"UPDATE customer SET {column} = %s WHERE customer_id = %s RETURNING 1"  # noqa: S608
            sql_one(query, [value, customer_id])

    yield change
    for (customer_id, column), value in originals.items():
        sql_one(f"UPDATE customer SET {column} = %s WHERE customer_id = %s RETURNING 1", [value, customer_id])  # noqa: S608


@pytest.mark.django_db(transaction=True)
def test_it_neutralises_spreadsheet_formulas(superuser_client, committed_customers):
    with_formulas = {1: '=HYPERLINK("http://evil.example")', 2: "+1+1", 3: "-2", 4: "@SUM(A1)"}
    for customer_id, name in with_formulas.items():
        committed_customers(customer_id, first_name=name)
    rows = _rows(superuser_client.get("/admin/customers/customer/export-csv/?o=1"))
    first_names = {int(row[0]): row[1] for row in rows[1:5]}
    assert first_names == {
        1: '\'=HYPERLINK("http://evil.example")',
        2: "'+1+1",
        3: "'-2",
        4: "'@SUM(A1)",
    }


@pytest.mark.django_db(transaction=True)
def test_it_quotes_text_as_csv_writer_did(superuser_client, django_user_model, committed_customers):
    texts = [
        'say "hi", then go', "two\nlines", "a\rreturn inside", "crlf\r\ninside", "", " spaced ", "\\.",
        '"', "ünïcødé ☃", "\ttab first", "\rreturn first", "'quoted already", "a,b", "-", '=1+"2"\n3',
        "end\n", "\n", ",", "x\"y\"\"z",
    ]  # fmt: skip
    for customer_id, text in enumerate(texts, start=1):
        committed_customers(customer_id, first_name=text, email=None if customer_id % 2 else text)
    url = "/admin/customers/customer/export-csv/?o=1"
    assert _body(superuser_client.get(url)) == written_by_python(
        url, django_user_model.objects.get(username="boss")
    )


def test_it_has_no_csv_form_for_a_column_type_it_does_not_know():
    rows = Customer.objects.values_list(CsvCell(Value(1.5)))
    with pytest.raises(TypeError, match="no CSV form for a FloatField column"):
        str(rows.query)


def test_it_reads_a_foreign_keys_values_type_through_target_field():
    # The private Django API CsvCell uses (see csv_export's module docstring).
    field = Rental._meta.get_field("customer")
    assert getattr(field, "target_field", None) is Customer._meta.pk, "ForeignKey.target_field is gone"


def test_it_reads_a_querysets_sql_through_query_sql_with_params():
    # The private Django API csv_export.copy_statement() uses (see its module docstring).
    assert callable(getattr(Query, "sql_with_params", None)), "Query.sql_with_params() is gone"
    sql, params = Customer.objects.filter(customer_id=7).values_list("first_name").query.sql_with_params()
    assert sql.startswith("SELECT ")
    assert list(params) == [7]


def test_the_changelist_links_the_export_with_its_filters(superuser_client):
    response = superuser_client.get("/admin/rentals/rental/?status=open&q=smith")
    assert (
        '<a href="/admin/rentals/rental/export-csv/?q=smith&amp;status=open" id="export-csv"'
        in response.content.decode()
    )


def test_a_staff_user_without_view_permission_cannot_export(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", is_staff=True)
    client.force_login(user)
    assert client.get("/admin/customers/customer/export-csv/").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/admin/rentals/rental/export-csv/?customer_id=abc",
        "/admin/changes/change/export-csv/?object_id=abc",
        "/admin/changes/change/export-csv/?object_id=99999999999999999999",
    ],
)
def test_a_filter_that_can_match_nothing_exports_the_header_alone(superuser_client, path):
    response = superuser_client.get(path)
    assert response.status_code == 200
    assert len(_rows(response)) == 1
