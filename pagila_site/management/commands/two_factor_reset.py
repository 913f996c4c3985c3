"""``manage.py two_factor_reset USERNAME``: remove a staff user's authenticator and recovery codes,
for someone who lost their phone (and their recovery codes) and can no longer sign in."""

import logging

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from pagila_site.backoffice import two_factor

logger = logging.getLogger("pagila.auth")


class Command(BaseCommand):
    help = (
        "Remove USERNAME's two-factor authenticator and recovery codes. Their password alone signs "
        "them in again, or with DJANGO_ADMIN_2FA=required takes them to enrol a new authenticator."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        if not two_factor.two_factor_remove(user=user):
            raise CommandError(f"{username!r} has no authenticator or recovery codes.")
        logger.warning("two-factor authenticator removed by an operator", extra={"username": username})
        then = "enrol a new authenticator" if two_factor.must_enrol(user) else "give the password alone"
        self.stdout.write(f"Removed {username!r}'s authenticator and recovery codes; at sign-in they {then}.")
