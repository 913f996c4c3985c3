"""``manage.py purge_idempotency_keys``: delete the idempotency keys older than 24 hours.

Expired keys are already ignored (a repeat runs again), so this only keeps the table small;
``make run`` runs it at start, and a scheduler may run it as often as it likes.
"""

from django.core.management.base import BaseCommand

from pagila_site.models import IdempotencyKey


class Command(BaseCommand):
    help = "Delete the idempotency keys of writing POSTs that are older than 24 hours."

    def handle(self, *args, **options):
        deleted, _by_model = IdempotencyKey.objects.expired().delete()
        self.stdout.write(f"Deleted {deleted} expired idempotency key{'' if deleted == 1 else 's'}.")
