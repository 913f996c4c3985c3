"""The change log's changelist exports the records its filters match as CSV, scoped like the list.

The export reads on a connection of its own, so it sees only committed rows: these tests commit
their changes (``transaction=True``) and put the rows back; the records stay (nothing deletes one)
until the test's flush empties the table."""

import asyncio
import csv
import io
import json

import pytest

from changes.models import Change
from pagila_site.testsupport.data import sql_one

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = [
    "change_id", "at", "table", "object_id", "action", "changes", "user", "token", "source", "request_id",
    "idempotency_key", "reason",
]  # fmt: skip


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200

    async def read():
        return b"".join([part async for part in response])

    return list(csv.reader(io.StringIO(asyncio.run(read()).decode(), newline="")))


@pytest.fixture
def other_customer() -> int:
    """A customer of store 2: not the store-1 clerk's."""
    return sql_one("SELECT min(customer_id) FROM customer WHERE store_id = 2")[0]


@pytest.fixture
def changed_emails(other_customer):
    """Customer 1's email and a store-2 customer's, changed by plain SQL and committed; put back
    afterwards."""
    emails = {}
    for customer_id in (1, other_customer):
        emails[customer_id] = sql_one("SELECT email FROM customer WHERE customer_id = %s", [customer_id])[0]
        sql_one(
            "UPDATE customer SET email = %s WHERE customer_id = %s RETURNING 1",
            [f"new{customer_id}@example.com", customer_id],
        )
    yield emails
    for customer_id, email in emails.items():
        sql_one("UPDATE customer SET email = %s WHERE customer_id = %s RETURNING 1", [email, customer_id])


def test_it_exports_the_records_the_filters_match(superuser_client, changed_emails):
    rows = _rows(superuser_client.get("/admin/changes/change/export-csv/?table=customer&object_id=1"))
    record = Change.objects.of("customer", 1).get()
    assert rows[0] == HEADER
    assert rows[1:] == [
        [
            str(record.pk),
            record.at.isoformat(),
            "customer",
            "1",
            "update",
            rows[1][5],
            "",
            "",
            "sql",
            "",
            "",
            "",
        ]
    ]
    assert json.loads(rows[1][5]) == {"email": [changed_emails[1], "new1@example.com"]}


def test_it_exports_every_record_newest_first(superuser_client, changed_emails):
    rows = _rows(superuser_client.get("/admin/changes/change/export-csv/"))
    assert [int(row[0]) for row in rows[1:]] == list(
        Change.objects.order_by("-pk").values_list("pk", flat=True)
    )
    assert len(rows) == 3


def test_a_clerks_export_holds_only_their_stores_records(clerk_admin, changed_emails):
    rows = _rows(clerk_admin.get("/admin/changes/change/export-csv/"))
    assert [(row[2], row[3]) for row in rows[1:]] == [("customer", "1")]
