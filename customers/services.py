"""Staff accounts: the one place a Django user is linked to a Pagila staff member.

``manage.py staff_account`` calls :func:`staff_account_set`; the admin's staff-account page
edits the same rows. The ``Clerk`` group holds what a desk clerk needs and nothing that deletes:
history (rentals, payments, customers) is never removed from the back office.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from customers.models import Staff, StaffAccount

CLERK_GROUP = "Clerk"
# (app label, model, actions): look things up everywhere, rent, return, take payments, look after
# customers and their subscriptions, switch a film's streaming flag.
CLERK_PERMISSIONS = [
    ("films", "film", ["view", "change"]),
    ("films", "category", ["view"]),
    ("films", "actor", ["view"]),
    ("films", "language", ["view"]),
    ("customers", "customer", ["view", "add", "change"]),
    ("customers", "streamingsubscription", ["view", "add", "change"]),
    ("customers", "address", ["view", "add", "change"]),
    ("customers", "staff", ["view"]),
    ("customers", "store", ["view"]),
    ("rentals", "rental", ["view", "add", "change"]),
    ("rentals", "inventory", ["view"]),
    ("rentals", "paymentledgerentry", ["view"]),
]


class StaffAccountError(Exception):
    pass


def clerk_group_ensure() -> Group:
    """The ``Clerk`` group with exactly :data:`CLERK_PERMISSIONS` (idempotent)."""
    group, _ = Group.objects.get_or_create(name=CLERK_GROUP)
    wanted = [
        (app_label, f"{action}_{model}")
        for app_label, model, actions in CLERK_PERMISSIONS
        for action in actions
    ]
    found = {
        (permission.content_type.app_label, permission.codename): permission
        for permission in Permission.objects.filter(
            codename__in=[codename for _, codename in wanted]
        ).select_related("content_type")
    }
    # One query for them all; a missing one is still an error (migrations create them all).
    missing = [codename for wanted_one in wanted if wanted_one not in found for codename in wanted_one[1:]]
    if missing:
        raise Permission.DoesNotExist(f"No permission {', '.join(missing)}: run migrate first.")
    group.permissions.set([found[wanted_one] for wanted_one in wanted])
    return group


@transaction.atomic
def staff_account_set(*, username: str, staff_id: int, password: str | None = None):
    """Create or update ``username`` as the active back-office account of staff member
    ``staff_id``, in the Clerk group; returns ``(user, created)``.

    Without ``password`` (or with an empty one) the user's password becomes unusable, as the
    contract says: the account signs in with a token until a superuser sets one (an old password
    of a re-linked user must not open another member's desk). Raises ``StaffAccountError`` for an
    unknown staff member or one already linked to another user.
    """
    staff = Staff.objects.filter(pk=staff_id).first()
    if staff is None:
        raise StaffAccountError(f"No staff member with id {staff_id}.")
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    other = StaffAccount.objects.filter(staff=staff).exclude(user=user).select_related("user").first()
    if other is not None:
        raise StaffAccountError(f"Staff member {staff_id} is already linked to user {other.user.username!r}.")
    user.is_active = True
    user.is_staff = True
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    StaffAccount.objects.update_or_create(user=user, defaults={"staff": staff})
    user.groups.add(clerk_group_ensure())
    return user, created
