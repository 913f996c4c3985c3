"""``manage.py two_factor_reset USERNAME``: what an operator runs for staff who lost their phone."""

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from pagila_site.testsupport.two_factor import enrol

pytestmark = pytest.mark.django_db


def test_it_removes_the_authenticator_and_recovery_codes(clerk, client, capsys):
    phone, _codes = enrol(clerk)
    credentials = {"username": "clerk1", "password": "clerk-password"}
    client.post("/admin/login/", credentials)
    client.post("/admin/login/", {"otp_token": phone.code()})
    call_command("two_factor_reset", "clerk1")
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert not StaticDevice.objects.filter(user=clerk).exists()
    assert "Removed 'clerk1''s authenticator and recovery codes" in capsys.readouterr().out
    # The password alone signs in again.
    client.logout()
    assert client.post("/admin/login/", credentials).status_code == 302


def test_it_says_when_there_is_nothing_to_remove(clerk):
    with pytest.raises(CommandError, match="'clerk1' has no authenticator or recovery codes"):
        call_command("two_factor_reset", "clerk1")


def test_it_names_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user is called 'nobody'"):
        call_command("two_factor_reset", "nobody")
