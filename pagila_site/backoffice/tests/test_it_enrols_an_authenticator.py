"""/admin/two-factor/: enrolling an authenticator (secret and QR code shown once, confirmed by a
code, recovery codes shown once), then new recovery codes or its removal, each for a current code."""

import re
from base64 import b32encode

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pagila_site.backoffice import two_factor
from pagila_site.testsupport.two_factor import Authenticator, enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-password")


@pytest.fixture
def boss_client(client, boss):
    client.force_login(boss)
    return client


def _secret(page: str) -> str:
    return re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', page).group(1)


def _codes(page: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)


def test_the_page_shows_a_new_secret_and_its_qr_code(boss_client, boss):
    page = boss_client.get("/admin/two-factor/").content.decode()
    [device] = TOTPDevice.objects.filter(user=boss)
    assert not device.confirmed
    assert _secret(page).replace(" ", "") == b32encode(device.bin_key).decode()
    assert '<svg width="' in page
    assert 'class="qr-code"' in page
    assert "<img" not in page.split('id="content"')[1]


def test_showing_the_page_again_shows_another_secret(boss_client, boss):
    first = _secret(boss_client.get("/admin/two-factor/").content.decode())
    second = _secret(boss_client.get("/admin/two-factor/").content.decode())
    assert first != second
    assert TOTPDevice.objects.filter(user=boss).count() == 1


def test_a_wrong_code_enrols_nothing(boss_client, boss):
    phone = Authenticator.from_secret(_secret(boss_client.get("/admin/two-factor/").content.decode()))
    response = boss_client.post("/admin/two-factor/", {"otp_token": phone.wrong_code()})
    assert response.status_code == 200
    assert "Wrong code, or a code already used." in response.content.decode()
    assert not two_factor.is_enrolled(boss)
    assert not StaticDevice.objects.filter(user=boss).exists()
    # The same secret, to try again with the app already set up.
    assert Authenticator.from_secret(_secret(response.content.decode())).key == phone.key


def test_a_recovery_code_left_from_an_earlier_authenticator_enrols_nothing(boss_client, boss):
    # A superuser deleted the boss's lost phone in the admin; its recovery codes stayed.
    _phone, codes = enrol(boss)
    TOTPDevice.objects.filter(user=boss).delete()
    boss_client.get("/admin/two-factor/")
    response = boss_client.post("/admin/two-factor/", {"otp_token": codes[0]})
    assert "Wrong code, or a code already used." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=boss, confirmed=True).exists()


def test_the_right_code_enrols_and_shows_ten_recovery_codes_once(boss_client, boss):
    phone = Authenticator.from_secret(_secret(boss_client.get("/admin/two-factor/").content.decode()))
    response = boss_client.post("/admin/two-factor/?next=/admin/counter/", {"otp_token": phone.code()})
    assert response.status_code == 200
    page = response.content.decode()
    codes = _codes(page)
    assert len(codes) == 10
    assert 'href="/admin/counter/" id="two-factor-continue"' in page
    assert _recovery_codes(boss) == sorted(codes)
    assert two_factor.is_enrolled(boss)
    # This session gave the code: it stays in, verified.
    assert boss_client.session["otp_device_id"] == two_factor.authenticator(boss).persistent_id
    assert boss_client.get("/admin/").status_code == 200
    # Neither the secret nor the codes are shown again.
    again = boss_client.get("/admin/two-factor/").content.decode()
    assert 'id="two-factor-secret"' not in again
    assert 'class="qr-code"' not in again
    assert not any(code in again for code in codes)
    assert "You have <strong>10</strong> unused recovery codes." in again


def test_the_page_is_for_signed_in_staff(client):
    response = client.get("/admin/two-factor/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/two-factor/"


def test_the_user_tools_link_to_it(boss_client):
    page = boss_client.get("/admin/").content.decode()
    assert '<a href="/admin/two-factor/">Two-factor authentication</a>' in page


def _recovery_codes(user) -> list[str]:
    return sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))


@pytest.fixture
def enrolment(boss):
    return enrol(boss)


@pytest.fixture
def phone(enrolment):
    return enrolment[0]


@pytest.fixture
def codes(enrolment):
    return enrolment[1]


@pytest.fixture
def verified(client, boss, phone):
    """The test client, signed in as the boss with a code."""
    client.post("/admin/login/", {"username": "boss", "password": "boss-password"})
    assert client.post("/admin/login/", {"otp_token": phone.code()}).status_code == 302
    return client


def test_new_recovery_codes_need_a_current_code(verified, boss, phone, codes):
    wrong = phone.wrong_code()
    response = verified.post("/admin/two-factor/recovery-codes/", {"regenerate-otp_token": wrong})
    assert "Wrong code, or a code already used." in response.content.decode()
    assert _recovery_codes(boss) == sorted(codes)


def test_new_recovery_codes_replace_the_old_ones(verified, boss, phone, codes):
    response = verified.post("/admin/two-factor/recovery-codes/", {"regenerate-otp_token": phone.code()})
    new_codes = _codes(response.content.decode())
    assert len(new_codes) == 10
    assert not set(new_codes) & set(codes)
    assert _recovery_codes(boss) == sorted(new_codes)


def test_removing_the_authenticator_needs_a_current_code(verified, boss, phone):
    wrong = phone.wrong_code()
    response = verified.post("/admin/two-factor/remove/", {"remove-otp_token": f"{wrong[:3]} {wrong[3:]}"})
    assert "Wrong code, or a code already used." in response.content.decode()
    assert two_factor.is_enrolled(boss)


def test_a_recovery_code_removes_the_authenticator(verified, boss, codes):
    response = verified.post("/admin/two-factor/remove/", {"remove-otp_token": codes[3]})
    assert response.status_code == 302
    assert response["Location"] == "/admin/two-factor/"
    assert not TOTPDevice.objects.filter(user=boss).exists()
    assert not StaticDevice.objects.filter(user=boss).exists()
    # Still signed in (the policy is optional), and the next sign-in wants the password alone.
    assert verified.get("/admin/").status_code == 200
    verified.logout()
    response = verified.post("/admin/login/", {"username": "boss", "password": "boss-password"})
    assert response.status_code == 302


def test_the_actions_answer_only_posts(verified):
    assert verified.get("/admin/two-factor/remove/").status_code == 405
