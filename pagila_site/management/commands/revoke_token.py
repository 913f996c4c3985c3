"""``manage.py revoke_token PREFIX``: revoke the token that starts with PREFIX (its first 8
characters, as the admin and the request log show them)."""

from django.core.management.base import BaseCommand, CommandError

from pagila_site.services import TokenError, tokens_revoke_by_prefix


class Command(BaseCommand):
    help = "Revoke the API token whose first 8 characters are PREFIX; it is refused from now on."

    def add_arguments(self, parser):
        parser.add_argument("prefix")

    def handle(self, *args, prefix, **options):
        try:
            revoked = tokens_revoke_by_prefix(prefix)
        except TokenError as exc:
            raise CommandError(str(exc)) from exc
        if not revoked:
            raise CommandError(f"No unrevoked token starts with {prefix!r}.")
        self.stdout.write(f"Revoked {revoked} token(s) starting with {prefix!r}.")
