"""``manage.py archive_changes``: old records copied to a gzipped CSV, then removed; nothing else."""

import csv
import gzip
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from changes.models import Change

pytestmark = pytest.mark.django_db


def _update(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def test_it_copies_records_before_the_date_then_removes_them(tmp_path):
    _update("UPDATE film SET length = 101 WHERE film_id = 12")
    _update("UPDATE film SET length = 102 WHERE film_id = 12")
    kept = Change.objects.count()
    target = tmp_path / "changes.csv.gz"
    out = io.StringIO()
    call_command("archive_changes", "--before", "2000-01-01", "--to", str(target), stdout=out)
    assert Change.objects.count() == kept  # none was that old
    call_command(
        "archive_changes", "--before", "2999-01-01", "--to", str(tmp_path / "all.csv.gz"), stdout=out
    )
    assert Change.objects.count() == 0
    rows = list(csv.DictReader(io.StringIO(gzip.decompress((tmp_path / "all.csv.gz").read_bytes()).decode())))
    assert [(r["table_name"], r["object_id"], r["changes"]) for r in rows] == [
        ("film", "12", '{"length": [136, 101]}'),
        ("film", "12", '{"length": [101, 102]}'),
    ]
    assert "2 change records before 2999-01-01 archived" in out.getvalue()


def test_it_refuses_a_bad_date_and_an_existing_file(tmp_path):
    with pytest.raises(CommandError, match="--before"):
        call_command("archive_changes", "--before", "soon", "--to", str(tmp_path / "x.csv.gz"))
    (tmp_path / "x.csv.gz").write_bytes(b"")
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("archive_changes", "--before", "2999-01-01", "--to", str(tmp_path / "x.csv.gz"))
