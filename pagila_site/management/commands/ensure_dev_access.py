"""``manage.py ensure_dev_access``: the development set-up's superuser and ``dvd_admin`` token.

Used by ``make run``/``make dev`` only; the production image never runs it. Idempotent.
"""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from pagila_site.models import ApiToken, token_digest
from pagila_site.services import token_issue

DEV_TOKEN = "dvd_admin"  # noqa: S105 - the documented development token, never in production
DEFAULTS = {
    "DJANGO_SUPERUSER_USERNAME": "admin",
    "DJANGO_SUPERUSER_PASSWORD": "admin",
    "DJANGO_SUPERUSER_EMAIL": "admin@example.com",
}


class Command(BaseCommand):
    help = "Ensure the development superuser and the well-known dvd_admin API token exist."

    def handle(self, *args, **options):
        values = {key: os.environ.get(key) or default for key, default in DEFAULTS.items()}
        username = values["DJANGO_SUPERUSER_USERNAME"]
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            User.objects.create_superuser(
                username, values["DJANGO_SUPERUSER_EMAIL"], values["DJANGO_SUPERUSER_PASSWORD"]
            )
            user = User.objects.get(username=username)
            self.stdout.write(f"Created superuser {username!r}.")
        if not ApiToken.objects.current().filter(digest=token_digest(DEV_TOKEN)).exists():
            ApiToken.objects.filter(digest=token_digest(DEV_TOKEN)).delete()
            # The development token is documented and fixed: it never expires (no production has it).
            token_issue(user=user, name="development token", raw=DEV_TOKEN, days=0)
        shown_password = (
            "(from DJANGO_SUPERUSER_PASSWORD)" if os.environ.get("DJANGO_SUPERUSER_PASSWORD") else "admin"
        )
        self.stdout.write(
            f"Admin login: {username} / {shown_password}   API token: Authorization: Bearer {DEV_TOKEN}"
        )
