"""``manage.py expire_holds [--every SECONDS]``: pass expired holds' copies on.

Once, or with ``--every`` forever, as the hold worker ``make run`` starts beside the server (and
the tests that depend on it start for real). Several workers may run at once: each hold is
expired under its shelf's lock, and the second finds it done.
"""

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from rentals.holds import expire_due_holds

log = logging.getLogger("pagila.holds")


class Command(BaseCommand):
    help = (
        "Expire ready holds past their expires_at: each copy goes to the film's next waiting hold "
        "at its store, or back on the shelf. With --every, repeat forever (the hold worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            nargs="?",
            const=settings.HOLD_EXPIRY_INTERVAL,
            help=f"Repeat every SECONDS (default {settings.HOLD_EXPIRY_INTERVAL:g}: HOLD_EXPIRY_INTERVAL) "
            "until stopped by SIGTERM or SIGINT",
        )

    def handle(self, *args, every, **options):
        if every is None:
            self.stdout.write(f"{expire_due_holds()} holds expired.")
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        log.info("Hold worker started: expired holds are passed on every %g s", every)
        while not stop.is_set():
            # A connection the database dropped (a restart) is replaced rather than failing forever.
            close_old_connections()
            try:
                expired = expire_due_holds(should_stop=stop.is_set)
            except Exception:
                log.exception("Expiring holds failed; trying again in %g s", every)
            else:
                if expired:
                    log.info("%d holds expired", expired)
            stop.wait(every)
        log.info("Hold worker stopped")
