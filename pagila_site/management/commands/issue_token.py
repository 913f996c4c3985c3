"""``manage.py issue_token USERNAME --name NAME``: issue an API token and print it once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from pagila_site.services import TokenError, token_issue


class Command(BaseCommand):
    help = "Issue an API token to a staff user. The token is printed once and stored only hashed."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="issued from the command line", help="What the token is for")

    def handle(self, *args, username, name, **options):
        try:
            user = get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        try:
            _token, raw = token_issue(user=user, name=name)
        except TokenError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write("Store this token now; it cannot be shown again:")
        self.stdout.write(raw)
