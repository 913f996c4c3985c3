"""``manage.py grow_pagila --factor N [--seed S] [--until DATE] [--force]``: N times Pagila's history."""

from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from pagila_site.db import conninfo
from rentals import growth


def _until(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Grow a Pagila database holding exactly the sample's history to N times it (customers, "
        "rentals, payments; the catalogue and copies stay), for benchmarks. Deterministic: the "
        "same --seed, --factor and --until give the same rows (rentals/growth.py says how)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--factor", type=int, required=True, help="N: 1 leaves the sample as it is")
        parser.add_argument("--seed", type=int, default=growth.DEFAULT_SEED)
        parser.add_argument(
            "--until", type=_until, help="End of the history (ISO 8601; default: today, 00:00 UTC)"
        )
        parser.add_argument(
            "--force", action="store_true", help="Grow a database that is not the sample (or grown already)"
        )

    def handle(self, *args, factor, seed, until, force, **options):
        try:
            growth.grow(conninfo(), factor=factor, seed=seed, until=until, force=force, log=self.stdout.write)
        except growth.GrowthRefused as exc:
            raise CommandError(str(exc)) from exc
