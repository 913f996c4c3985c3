"""Signing in to the back office as a user with an authenticator: the password, then a code.

The password step is the admin's own form at /admin/login/; the right password answers with the
code step on the same URL and signs nobody in. Every admin page (the counter and Ask AI too)
stays closed until the code is right.
"""

import logging
from datetime import timedelta

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pagila_site.backoffice import two_factor
from pagila_site.testsupport.two_factor import enrol

pytestmark = pytest.mark.django_db

PAGES = ["/admin/", "/admin/counter/", "/admin/ask-ai/", "/admin/films/film/", "/admin/two-factor/"]


@pytest.fixture
def manager(clerk):
    """The desk clerk of store 1 (who may use the counter and Ask AI), as ``manager``."""
    clerk.username = "manager"
    clerk.set_password("manager-password")
    clerk.save()
    return clerk


@pytest.fixture
def enrolment(manager):
    return enrol(manager)


@pytest.fixture
def phone(enrolment):
    return enrolment[0]


@pytest.fixture
def recovery_codes(enrolment):
    return enrolment[1]


def _password(client, password: str = "manager-password"):  # noqa: S107 - the fixture's
    return client.post("/admin/login/?next=/admin/counter/", {"username": "manager", "password": password})


def _code(client, code):
    return client.post("/admin/login/?next=/admin/counter/", {"otp_token": code})


def test_the_right_password_asks_for_a_code_and_signs_nobody_in(client, phone):
    response = _password(client)
    assert response.status_code == 200
    assert response.templates[0].name == "admin/two_factor/code.html"
    assert 'name="otp_token"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_password_step_gives_the_session_a_new_key(client, phone):
    planted = client.session.session_key
    _password(client)
    assert client.cookies["sessionid"].value != planted


@pytest.mark.parametrize("page", PAGES)
def test_the_password_alone_opens_no_admin_page(client, phone, page):
    _password(client)
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_right_code_signs_in_a_verified_session(client, manager, phone):
    _password(client)
    response = _code(client, phone.code())
    assert response.status_code == 302
    assert response["Location"] == "/admin/counter/"
    assert client.session["_auth_user_id"] == str(manager.pk)
    assert client.session["otp_device_id"] == two_factor.authenticator(manager).persistent_id
    for page in PAGES:
        assert client.get(page).status_code == 200, page


def test_a_wrong_password_never_reaches_the_code_step(client, phone):
    response = _password(client, password="not-it")
    assert "Please enter the correct username and password" in response.content.decode()
    assert "two_factor_pending" not in client.session


def test_a_code_without_the_password_first_signs_nobody_in(client, phone):
    response = _code(client, phone.code())
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/counter/"
    assert "_auth_user_id" not in client.session


def test_a_wrong_code_is_refused_and_counted_by_the_device(client, manager, phone):
    _password(client)
    response = _code(client, phone.wrong_code())
    assert response.status_code == 200
    assert "Wrong code, or a code already used." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert two_factor.authenticator(manager).throttling_failure_count == 1


def test_after_a_wrong_code_even_the_right_one_waits(client, manager, phone):
    _password(client)
    _code(client, phone.wrong_code())
    response = _code(client, phone.code())
    assert "Too many wrong codes in a row: try again in 1 s." in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The wait is over: the device takes the right code and forgets the failures.
    TOTPDevice.objects.filter(user=manager).update(
        throttling_failure_timestamp=two_factor.authenticator(manager).throttling_failure_timestamp
        - timedelta(seconds=2)
    )
    assert _code(client, phone.code()).status_code == 302
    assert two_factor.authenticator(manager).throttling_failure_count == 0


def test_the_waits_double_with_each_wrong_code(client, manager, phone):
    _password(client)
    for failures in range(1, 5):
        TOTPDevice.objects.filter(user=manager).update(throttling_failure_timestamp=None)
        _code(client, phone.wrong_code())
        assert two_factor.authenticator(manager).throttling_failure_count == failures
    response = _code(client, phone.code())
    assert "try again in 8 s." in response.content.decode()


def test_a_code_is_taken_once(client, manager, phone):
    code = phone.code()
    _password(client)
    _code(client, code)
    client.logout()
    _password(client)
    response = _code(client, code)
    assert "Wrong code, or a code already used." in response.content.decode()


def test_a_recovery_code_signs_in_once(client, manager, recovery_codes):
    _password(client)
    assert _code(client, recovery_codes[0].upper()).status_code == 302
    assert client.get("/admin/counter/").status_code == 200
    assert StaticToken.objects.filter(device__user=manager).count() == 9
    client.logout()
    _password(client)
    response = _code(client, recovery_codes[0])
    assert "Wrong code, or a code already used." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_code_step_ends_when_the_password_changes(client, manager, phone):
    _password(client)
    manager.set_password("a-new-password-1")
    manager.save()
    response = _code(client, phone.code())
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_code_step_ends_after_five_minutes(client, phone, monkeypatch):
    _password(client)
    session = client.session
    session["two_factor_pending"]["since"] -= 301
    session.save()
    response = _code(client, phone.code())
    assert response.status_code == 302
    assert "timed out" in client.get(response["Location"]).content.decode()


def test_a_session_signed_in_before_enrolling_elsewhere_is_closed(client, manager):
    client.force_login(manager)
    assert client.get("/admin/").status_code == 200
    enrol(manager)
    assert client.get("/admin/").status_code == 302


def test_wrong_codes_are_logged_with_username_and_address(client, phone, caplog):
    _password(client)
    with caplog.at_level(logging.WARNING, logger="pagila.auth"):
        _code(client, phone.wrong_code())
    [record] = [r for r in caplog.records if r.getMessage() == "wrong two-factor code"]
    assert (record.username, record.client, record.step) == ("manager", "127.0.0.1", "sign-in")


def test_staff_without_an_authenticator_sign_in_with_the_password_alone(client, manager):
    response = _password(client)
    assert response.status_code == 302
    assert client.get("/admin/counter/").status_code == 200


def test_another_users_sign_in_ends_a_half_done_one(client, django_user_model, manager, phone):
    _password(client)  # the manager's password given, their code not yet
    django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-password")
    assert client.post("/admin/login/", {"username": "boss", "password": "boss-password"}).status_code == 302
    # The manager's code, typed into the boss's session, signs nobody in as the manager.
    _code(client, phone.code())
    assert client.get("/admin/").wsgi_request.user.username == "boss"
