"""``manage.py staff_account``: a back-office user linked to a Pagila staff member."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
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
