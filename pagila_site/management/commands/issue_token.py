"""``manage.py issue_token USERNAME [--name NAME] [--expires-in DAYS]``: issue an API token and
print it once, alone on the last line of standard output (scripts read it from there)."""

import math

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from pagila_site.models import DEFAULT_LIFETIME_DAYS
from pagila_site.services import TokenError, token_issue


def _days(value: str) -> float:
    try:
        days = float(value)
    except ValueError:
        days = math.nan
    if not math.isfinite(days) or days < 0:
        raise ValueError(value)
    return days


class Command(BaseCommand):
    help = "Issue an API token to a staff user. The token is printed once and stored only hashed."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="issued from the command line", help="What the token is for")
        parser.add_argument(
            "--expires-in",
            type=_days,
            default=DEFAULT_LIFETIME_DAYS,
            metavar="DAYS",
            help=f"Days the token lasts, decimals allowed (default {DEFAULT_LIFETIME_DAYS}; 0: never)",
        )

    def handle(self, *args, username, name, expires_in, **options):
        try:
            user = get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        try:
            token, raw = token_issue(user=user, name=name, days=expires_in)
        except TokenError as exc:
            raise CommandError(str(exc)) from exc
        expiry = "never expires" if token.expires_at is None else f"expires at {token.expires_at.isoformat()}"
        self.stderr.write(f"Store this token now; it cannot be shown again ({expiry}):")
        self.stdout.write(raw)
