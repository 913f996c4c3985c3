"""``manage.py staff_account``: a back-office user linked to a Pagila staff member."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command

from customers.models import StaffAccount
from customers.services import CLERK_GROUP

pytestmark = pytest.mark.django_db


def test_it_creates_an_active_staff_user_in_the_clerk_group():
    call_command("staff_account", "desk2", "--staff", "2", "--password", "pw-of-desk2")
    user = get_user_model().objects.get(username="desk2")
    assert (user.is_active, user.is_staff, user.is_superuser) == (True, True, False)
    assert user.check_password("pw-of-desk2")
    assert list(user.groups.values_list("name", flat=True)) == [CLERK_GROUP]
    assert StaffAccount.objects.get(user=user).staff_id == 2


def test_without_a_password_a_new_user_has_none_usable():
    call_command("staff_account", "desk3", "--staff", "3")
    assert not get_user_model().objects.get(username="desk3").has_usable_password()


def test_it_relinks_an_existing_user_and_makes_its_old_password_unusable(django_user_model):
    user = django_user_model.objects.create_user("old", password="old-password", is_active=False)
    call_command("staff_account", "old", "--staff", "4")
    user.refresh_from_db()
    assert (user.is_active, user.is_staff) == (True, True)
    assert not user.has_usable_password()
    call_command("staff_account", "old", "--staff", "5", "--password", "new-password")
    user.refresh_from_db()
    assert user.check_password("new-password")
    assert StaffAccount.objects.get(user=user).staff_id == 5


def test_it_refuses_an_unknown_staff_member():
    with pytest.raises(CommandError, match="No staff member with id 99999"):
        call_command("staff_account", "ghost", "--staff", "99999")
    assert not get_user_model().objects.filter(username="ghost").exists()


def test_it_refuses_a_staff_member_linked_to_someone_else():
    call_command("staff_account", "first", "--staff", "6")
    with pytest.raises(CommandError, match="already linked to user 'first'"):
        call_command("staff_account", "second", "--staff", "6")
    assert not get_user_model().objects.filter(username="second").exists()


def test_the_clerk_group_may_not_delete_anything():
    call_command("staff_account", "desk7", "--staff", "7")
    codenames = get_user_model().objects.get(username="desk7").get_all_permissions()
    assert codenames
    assert not [c for c in codenames if ".delete_" in c]
    assert {"rentals.add_rental", "rentals.view_inventory", "customers.change_customer"} <= codenames


def test_a_linked_users_token_sees_its_stores(client):
    call_command("staff_account", "desk1", "--staff", "1")
    out = StringIO()
    call_command("issue_token", "desk1", stdout=out, stderr=StringIO())
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")
    assert response.json()["store_ids"] == [1, 25]


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("1", "too short"),
        ("password1", "too common"),
        ("83920174", "entirely numeric"),
        ("weakdesk8", "similar"),
    ],
)
def test_a_password_the_validators_refuse_exits_non_zero_and_stores_nothing(password, problem):
    with pytest.raises(CommandError, match=f"Password refused: .*{problem}"):
        call_command("staff_account", "weakdesk8", "--staff", "8", "--password", password)
    assert not get_user_model().objects.filter(username="weakdesk8").exists()
    assert not StaffAccount.objects.filter(staff_id=8).exists()


def test_a_refused_password_leaves_an_existing_account_as_it_was():
    call_command("staff_account", "desk9", "--staff", "9", "--password", "a-good-long-one")
    with pytest.raises(CommandError, match="Password refused"):
        call_command("staff_account", "desk9", "--staff", "10", "--password", "1")
    user = get_user_model().objects.get(username="desk9")
    assert user.check_password("a-good-long-one")
    assert StaffAccount.objects.get(user=user).staff_id == 9


def test_manager_puts_the_account_in_both_groups_and_no_manager_takes_it_out():
    out = StringIO()
    call_command("staff_account", "boss1", "--staff", "1", "--manager", stdout=out)
    user = get_user_model().objects.get(username="boss1")
    assert "in Clerk and Manager" in out.getvalue()
    assert user.has_perm("films.change_film")
    call_command("staff_account", "boss1", "--staff", "1")  # neither flag: as it was
    assert get_user_model().objects.get(username="boss1").has_perm("films.change_film")
    call_command("staff_account", "boss1", "--staff", "1", "--no-manager")
    user = get_user_model().objects.get(username="boss1")
    assert list(user.groups.values_list("name", flat=True)) == [CLERK_GROUP]
    assert not user.has_perm("films.change_film")
    assert user.has_perm("films.change_film_streaming")


def test_a_clerk_changes_no_prices_stores_staff_or_categories():
    call_command("staff_account", "desk11", "--staff", "11")
    perms = get_user_model().objects.get(username="desk11").get_all_permissions()
    assert "films.change_film_streaming" in perms
    changes = {p for p in perms if p.split(".")[1].startswith(("change_", "add_"))}
    assert not changes & {
        "films.change_film",
        "films.change_category",
        "films.add_category",
        "customers.change_store",
        "customers.change_staff",
        "customers.change_staffaccount",
    }


def test_every_migrate_gives_the_groups_exactly_their_permissions():
    """A Clerk group created before the permissions narrowed (it held films.change_film) loses
    what it no longer has at the next migrate."""
    call_command("staff_account", "desk12", "--staff", "12")
    clerks = Group.objects.get(name=CLERK_GROUP)
    clerks.permissions.add(Permission.objects.get(codename="change_film"))
    call_command("migrate", verbosity=0)
    assert not clerks.permissions.filter(codename="change_film").exists()
    assert clerks.permissions.filter(codename="change_film_streaming").exists()
