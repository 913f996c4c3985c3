"""``manage.py archive_changes --before DATE --to FILE``: change records older than DATE copied to
a gzipped CSV file, then removed, in one transaction (the file is complete before anything goes)."""

import gzip
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.dateparse import parse_date

COLUMNS = (
    "change_id, at, table_name, object_id, action, changes, username, token, request_id, "
    "idempotency_key, reason, source, store_ids"
)


class Command(BaseCommand):
    help = "Copy change records older than --before to a gzipped CSV file (--to), then remove them."

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="a date (YYYY-MM-DD): records before it go")
        parser.add_argument("--to", required=True, help="the .csv.gz file to write (must not exist)")

    def handle(self, *args, before, to, **options):
        day = parse_date(before)
        if day is None:
            raise CommandError(f"--before: expected a date such as 2025-01-01, got {before!r}")
        target = Path(to)
        if target.exists():
            raise CommandError(f"--to: {target} exists; archives are never overwritten")
        with transaction.atomic(), connection.cursor() as cursor:
            # Nothing else may add records older than the bound while this runs: the rows to copy
            # are the rows removed.
            cursor.execute("LOCK TABLE change_record IN SHARE ROW EXCLUSIVE MODE")
            query = (
                f"COPY (SELECT {COLUMNS} FROM change_record WHERE at < %s ORDER BY change_id) "  # noqa: S608 - our columns
                "TO STDOUT (FORMAT csv, HEADER)"
            )
            with gzip.open(target, "wb") as archive, cursor.connection.cursor().copy(query, [day]) as copy:
                for block in copy:
                    archive.write(block)
            cursor.execute("SET LOCAL pagila.change_record_archiving = 'on'")
            cursor.execute("DELETE FROM change_record WHERE at < %s", [day])
            copied = cursor.rowcount
        self.stdout.write(f"{copied:,} change records before {day} archived to {target}")
