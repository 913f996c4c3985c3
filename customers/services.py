"""Staff accounts: the one place a Django user is linked to a Pagila staff member.

``manage.py staff_account`` calls :func:`staff_account_set`; the admin's staff-account page
edits the same rows. The ``Clerk`` group holds what a desk clerk needs and nothing that deletes:
history (rentals, payments, customers) is never removed from the back office.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from customers.models import Staff, StaffAccount

CLERK_GROUP = "Clerk"
MANAGER_GROUP = "Manager"
# Look things up everywhere, rent, return, take payments, place and cancel holds, send and
# receive copies, look after customers and their subscriptions, switch a film's streaming flag:
# what the desk needs, as the API allows a token.
# Prices, the catalogue, stores and staff are not the desk's to change.
CLERK_PERMISSIONS = [
    "films.view_film",
    "films.change_film_streaming",
    "films.view_category",
    "films.view_actor",
    "films.view_language",
    "customers.view_customer",
    "customers.add_customer",
    "customers.change_customer",
    "customers.view_streamingsubscription",
    "customers.add_streamingsubscription",
    "customers.change_streamingsubscription",
    "customers.view_address",
    "customers.add_address",
    "customers.change_address",
    "customers.view_staff",
    "customers.view_store",
    "rentals.view_rental",
    "rentals.add_rental",
    "rentals.change_rental",
    "rentals.view_inventory",
    # A copy's condition (damaged, lost, withdrawn) is marked at the desk, through the service
    # (not change_inventory: the admin's form would let a clerk move a copy to another store).
    "rentals.set_copy_condition",
    "rentals.view_paymentledgerentry",
    # Holds and transfers are written at the counter (and by the API); the admin lists them only.
    "rentals.view_hold",
    "rentals.add_hold",
    "rentals.change_hold",
    "rentals.view_transfer",
    "rentals.add_transfer",
    "rentals.change_transfer",
    # Who changed what, in the clerk's stores and the catalogue (the change log's scope).
    "changes.view_change",
]
# What a store manager may do beyond the desk (managers are in both groups): change a film's
# prices and details, and the categories; rent to a blocked customer, giving a reason.
MANAGER_PERMISSIONS = [
    "films.change_film",
    "films.add_category",
    "films.change_category",
    "rentals.override_block",
]


class StaffAccountError(Exception):
    pass


def _group_ensure(name: str, permissions: list[str]) -> Group:
    """The group ``name`` with exactly ``permissions`` ("app_label.codename"), idempotent."""
    group, _ = Group.objects.get_or_create(name=name)
    wanted = [tuple(permission.split(".")) for permission in permissions]
    found = {
        (permission.content_type.app_label, permission.codename): permission
        for permission in Permission.objects.filter(
            codename__in=[codename for _, codename in wanted]
        ).select_related("content_type")
    }
    # One query for them all; a missing one is still an error (migrations create them all).
    missing = [".".join(one) for one in wanted if one not in found]
    if missing:
        raise Permission.DoesNotExist(f"No permission {', '.join(missing)}: run migrate first.")
    group.permissions.set([found[one] for one in wanted])
    return group


def clerk_group_ensure() -> Group:
    return _group_ensure(CLERK_GROUP, CLERK_PERMISSIONS)


def manager_group_ensure() -> Group:
    return _group_ensure(MANAGER_GROUP, MANAGER_PERMISSIONS)


def groups_ensure(**kwargs) -> None:
    """``post_migrate`` receiver: the groups get exactly the permissions above after every
    migrate, so a deployment that narrows them (clerks lost ``films.change_film``) takes effect
    without anyone re-running ``staff_account``. The signal comes once per app, and each app's
    permissions are created by its own: until the last has come, some are missing, and the
    groups wait."""
    try:
        clerk_group_ensure()
        manager_group_ensure()
    except Permission.DoesNotExist:
        pass


@transaction.atomic
def staff_account_set(
    *, username: str, staff_id: int, password: str | None = None, manager: bool | None = None
):
    """Create or update ``username`` as the active back-office account of staff member
    ``staff_id``, in the Clerk group; returns ``(user, created)``. ``manager`` True puts it in
    the Manager group too, False takes it out, None leaves that as it was.

    Without ``password`` (or with an empty one) the user's password becomes unusable, as the
    contract says: the account signs in with a token until a superuser sets one (an old password
    of a re-linked user must not open another member's desk). A password goes through Django's
    validators (``AUTH_PASSWORD_VALIDATORS``). Raises ``StaffAccountError`` for an unknown staff
    member, one already linked to another user, or a password the validators refuse; nothing is
    stored then.
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
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise StaffAccountError("Password refused: " + " ".join(exc.messages)) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    StaffAccount.objects.update_or_create(user=user, defaults={"staff": staff})
    user.groups.add(clerk_group_ensure())
    if manager is not None:
        (user.groups.add if manager else user.groups.remove)(manager_group_ensure())
    return user, created
