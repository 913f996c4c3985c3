"""``manage.py load_pagila``: load the Pagila sample database into the configured database."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from pagila_site.db import conninfo
from pagila_site.devdb import pagila


class Command(BaseCommand):
    help = (
        "Load Pagila (schema and data) into the database. Reads PAGILA_DIR when set, otherwise "
        "downloads the pinned upstream files; both are checked against their SHA-256."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pagila-dir", help="Folder with pagila-schema.sql and pagila-data.sql")
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--if-absent", action="store_true", help="Do nothing (successfully) when Pagila is already loaded"
        )
        group.add_argument(
            "--replace", action="store_true", help="Drop the public schema and load Pagila again"
        )

    def handle(self, *args, pagila_dir=None, if_absent=False, replace=False, **options):
        log = self.stdout.write
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('public.film') IS NOT NULL")
            loaded = cursor.fetchone()[0]
        connection.close()
        if loaded and if_absent:
            log("Pagila is already loaded.")
            return
        try:
            files = pagila.locate(pagila_dir or settings.PAGILA_DIR, log=log)
            pagila.load(conninfo(), files, replace=replace, log=log)
        except pagila.PagilaError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("Done. Run `manage.py migrate` next."))
