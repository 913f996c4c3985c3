"""DJANGO_ADMIN_2FA=required: staff without an authenticator are sent from the password to
enrolment, and see no other admin page until their new authenticator's first code is right."""

import pytest

from pagila_site.backoffice import two_factor
from pagila_site.testsupport.commands import manage_check
from pagila_site.testsupport.two_factor import Authenticator, enrol

pytestmark = pytest.mark.django_db

ENROLMENT = "/admin/two-factor/?next=%2Fadmin%2Fcounter%2F"


@pytest.fixture(autouse=True)
def _required(settings):
    settings.ADMIN_TWO_FACTOR = "required"


@pytest.fixture
def newcomer(clerk):
    """The desk clerk of store 1, with no authenticator yet."""
    return clerk


def _password(client):
    credentials = {"username": "clerk1", "password": "clerk-password"}
    return client.post("/admin/login/?next=/admin/counter/", credentials)


def _secret(page: str) -> str:
    return page.split('id="two-factor-secret">')[1].split("<")[0]


def test_the_password_sends_a_newcomer_to_enrolment_signed_in_to_nothing(client, newcomer):
    response = _password(client)
    assert response.status_code == 302
    assert response["Location"] == ENROLMENT
    assert "_auth_user_id" not in client.session
    for page in ["/admin/", "/admin/counter/", "/admin/ask-ai/", "/admin/rentals/rental/"]:
        assert client.get(page)["Location"].startswith("/admin/login/"), page


def test_enrolment_signs_the_newcomer_in(client, newcomer):
    _password(client)
    page = client.get(ENROLMENT).content.decode()
    assert "Set yours up to continue." in " ".join(page.split())
    response = client.post(ENROLMENT, {"otp_token": Authenticator.from_secret(_secret(page)).code()})
    assert response.status_code == 200
    assert 'href="/admin/counter/" id="two-factor-continue"' in response.content.decode()
    assert client.session["_auth_user_id"] == str(newcomer.pk)
    assert client.session["otp_device_id"] == two_factor.authenticator(newcomer).persistent_id
    assert client.get("/admin/counter/").status_code == 200


def test_a_wrong_code_at_enrolment_signs_nobody_in(client, newcomer):
    _password(client)
    phone = Authenticator.from_secret(_secret(client.get(ENROLMENT).content.decode()))
    response = client.post(ENROLMENT, {"otp_token": phone.wrong_code()})
    assert "Wrong code, or a code already used." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not two_factor.is_enrolled(newcomer)


def test_a_session_signed_in_without_an_authenticator_is_sent_to_enrolment(client, newcomer):
    client.force_login(newcomer)
    response = client.get("/admin/counter/")
    assert response["Location"] == "/admin/login/?next=/admin/counter/"
    assert client.get(response["Location"])["Location"] == ENROLMENT
    assert client.get(ENROLMENT).status_code == 200


def test_the_enrolment_page_is_no_way_around_an_enrolled_users_code(client, newcomer):
    enrol(newcomer)
    _password(client)
    response = client.get("/admin/two-factor/")
    assert response["Location"].startswith("/admin/login/")


def test_enrolled_staff_sign_in_with_the_password_and_a_code(client, newcomer):
    phone, _codes = enrol(newcomer)
    _password(client)
    assert client.post("/admin/login/", {"otp_token": phone.code()})["Location"] == "/admin/counter/"
    assert client.get("/admin/counter/").status_code == 200


@pytest.mark.parametrize("value", ["optional", "required", "REQUIRED", ""])
def test_the_setting_takes_optional_or_required(value):
    assert manage_check(DJANGO_ADMIN_2FA=value).returncode == 0


def test_any_other_value_stops_start_up():
    result = manage_check(DJANGO_ADMIN_2FA="always")
    assert result.returncode == 1
    assert (
        "Configuration error: Environment variable DJANGO_ADMIN_2FA is malformed: "
        "expected optional or required, got 'always'"
    ) in result.stderr
