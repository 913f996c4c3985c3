"""``manage.py staff_account USERNAME --staff STAFF_ID [--password P] [--manager]``: a desk clerk's
(or a store manager's) account."""

import argparse

from django.core.management.base import BaseCommand, CommandError

from customers.services import StaffAccountError, staff_account_set


class Command(BaseCommand):
    help = (
        "Create or update a back-office user linked to a Pagila staff member (active, staff, in the "
        "Clerk group). Then `manage.py issue_token USERNAME` gives it an API token."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--staff", type=int, required=True, dest="staff_id", help="Pagila staff_id")
        parser.add_argument(
            "--password",
            help="Sets the password, checked by the password validators (without it, it is made unusable)",
        )
        parser.add_argument(
            "--manager",
            action=argparse.BooleanOptionalAction,
            help="Also in the Manager group (may change prices); --no-manager takes it out",
        )

    def handle(self, *args, username, staff_id, password, manager, **options):
        try:
            user, created = staff_account_set(
                username=username, staff_id=staff_id, password=password, manager=manager
            )
        except StaffAccountError as exc:
            raise CommandError(str(exc)) from exc
        verb = "Created" if created else "Updated"
        groups = " and ".join(user.groups.order_by("name").values_list("name", flat=True))
        self.stdout.write(f"{verb} {user.username!r}, linked to staff member {staff_id}, in {groups}.")
