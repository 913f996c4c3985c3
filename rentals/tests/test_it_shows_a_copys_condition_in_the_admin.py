"""A copy's condition in the inventory admin: a column, a filter and a CSV column; read-only in
the change form (a bare edit would skip the note, the hold queue and a lost copy's rental), marked
instead by the "Mark condition…" action, which asks for a note and calls copy_condition_set."""

import asyncio
import csv
import io

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission

from changes.models import Change
from customers.scope import EVERY_STORE
from pagila_site.testsupport.data import sql_all, sql_one
from rentals.copies import copy_condition_set

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/rentals/inventory/"


def _store_1_copies(count: int) -> list[int]:
    rows = sql_all(
        "SELECT inventory_id FROM inventory i WHERE store_id = 1 AND NOT EXISTS ("
        "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL"
        ") ORDER BY inventory_id LIMIT %s",
        [count],
    )
    return [row[0] for row in rows]


def _condition(inventory_id: int) -> str:
    return sql_one("SELECT condition FROM inventory WHERE inventory_id = %s", [inventory_id])[0]


def _csv(response) -> list[list[str]]:
    """The export's rows: it streams from the event loop (``csv_stream.py``)."""
    assert response.status_code == 200

    async def read():
        return b"".join([part async for part in response])

    return list(csv.reader(io.StringIO(asyncio.run(read()).decode(), newline="")))


def _damaged(copies: list[int]) -> None:
    for copy in copies:
        copy_condition_set(scope=EVERY_STORE, inventory_id=copy, condition="damaged", note="test")


def test_the_changelist_filters_and_shows_the_condition(superuser_client):
    copies = _store_1_copies(2)
    _damaged(copies)
    page = superuser_client.get(CHANGELIST, {"condition__exact": "damaged"})
    assert page.status_code == 200
    assert [copy.pk for copy in page.context["cl"].result_list] == copies
    assert '<td class="field-condition">Damaged</td>' in page.content.decode()
    assert "?condition__exact=lost" in page.content.decode()


@pytest.fixture
def committed_damaged_copy(transactional_db):
    """A copy of store 1 marked damaged and committed, as the export (on a connection of its own)
    needs; made good again afterwards by plain SQL, Pagila's inventory being no table the test's
    flush empties."""
    [copy] = _store_1_copies(1)
    _damaged([copy])
    yield copy
    sql_one("UPDATE inventory SET condition = 'good' WHERE inventory_id = %s RETURNING 1", [copy])


@pytest.mark.django_db(transaction=True)
def test_the_csv_export_has_the_condition_and_its_filter(committed_damaged_copy, superuser_client):
    copy = committed_damaged_copy
    rows = _csv(superuser_client.get(f"{CHANGELIST}export-csv/", {"condition__exact": "damaged"}))
    assert rows[0] == ["inventory_id", "film_id", "film_title", "store_id", "condition", "in_stock"]
    assert [(row[0], row[4], row[5]) for row in rows[1:]] == [(str(copy), "damaged", "false")]


def test_the_condition_is_read_only_in_the_change_form(superuser_client):
    [copy] = _store_1_copies(1)
    page = superuser_client.get(f"{CHANGELIST}{copy}/change/")
    html = page.content.decode()
    assert 'name="condition"' not in html
    assert '<div class="readonly">Good</div>' in html


def test_the_action_asks_for_a_note_then_marks_through_the_service(superuser_client):
    copies = _store_1_copies(2)
    chosen = {"action": "mark_condition", helpers.ACTION_CHECKBOX_NAME: copies}
    asked = superuser_client.post(CHANGELIST, chosen)
    assert asked.status_code == 200
    assert asked.template_name == "admin/rentals/inventory/mark_condition.html"
    assert asked.context["copy_ids"] == copies
    assert [_condition(copy) for copy in copies] == ["good", "good"]

    without_note = superuser_client.post(CHANGELIST, {**chosen, "apply": "Mark", "condition": "withdrawn"})
    assert without_note.status_code == 200
    assert without_note.context["form"].errors == {"note": ["This field is required."]}

    done = superuser_client.post(
        CHANGELIST, {**chosen, "apply": "Mark", "condition": "withdrawn", "note": "Water damage"}, follow=True
    )
    assert [str(m) for m in done.context["messages"]] == [f"Marked withdrawn: {copies[0]}, {copies[1]}."]
    assert [_condition(copy) for copy in copies] == ["withdrawn", "withdrawn"]
    for copy in copies:
        [change] = Change.objects.of("inventory", copy)
        assert (change.reason, change.user, change.source) == ("Water damage", "boss", "admin")


def test_a_clerk_marks_only_their_stores_copies(clerk_admin):
    [mine] = _store_1_copies(1)
    theirs = sql_one("SELECT min(inventory_id) FROM inventory WHERE store_id = 2")[0]
    clerk_admin.post(
        CHANGELIST,
        {
            "action": "mark_condition",
            helpers.ACTION_CHECKBOX_NAME: [mine, theirs],
            "apply": "Mark",
            "condition": "damaged",
            "note": "Cracked",
        },
    )
    # The changelist is the clerk's stores': another store's copy is not among the selected.
    assert (_condition(mine), _condition(theirs)) == ("damaged", "good")


def test_without_the_permission_there_is_no_action(clerk_admin, clerk):
    clerk.groups.clear()
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_inventory"]))
    page = clerk_admin.get(CHANGELIST)
    assert page.status_code == 200
    assert "mark_condition" not in page.content.decode()
    [copy] = _store_1_copies(1)
    clerk_admin.post(
        CHANGELIST,
        {
            "action": "mark_condition",
            helpers.ACTION_CHECKBOX_NAME: [copy],
            "apply": "Mark",
            "condition": "damaged",
            "note": "x",
        },
    )
    assert _condition(copy) == "good"


def test_more_than_a_hundred_copies_at_once_are_refused(superuser_client):
    copies = _store_1_copies(101)
    done = superuser_client.post(
        CHANGELIST,
        {"action": "mark_condition", helpers.ACTION_CHECKBOX_NAME: copies},
        follow=True,
    )
    assert [str(m) for m in done.context["messages"]] == ["Mark at most 100 copies at a time."]
