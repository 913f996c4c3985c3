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
            # No lock (writers keep adding records meanwhile): what is copied and what is removed
            # are the records before the bound up to the newest of them seen now. One committed
            # later with an older time (a transaction that started before the bound) waits for the
            # next archive.
            cursor.execute("SELECT max(change_id) FROM change_record WHERE at < %s", [day])
            last = cursor.fetchone()[0] or 0
            query = (
                f"COPY (SELECT {COLUMNS} FROM change_record WHERE at < %s AND change_id <= %s "  # noqa: S608 - our columns
                "ORDER BY change_id) TO STDOUT (FORMAT csv, HEADER)"
            )
            with (
                gzip.open(target, "wb") as archive,
                cursor.connection.cursor().copy(query, [day, last]) as copy,
            ):
                for block in copy:
                    archive.write(block)
            cursor.execute("SET LOCAL pagila.change_record_archiving = 'on'")
            cursor.execute("DELETE FROM change_record WHERE at < %s AND change_id <= %s", [day, last])
            copied = cursor.rowcount
        self.stdout.write(f"{copied:,} change records before {day} archived to {target}")
