"""Tokens that end: ``issue_token --expires-in``, expiry as 401 ``token_expired``,
``revoke_token PREFIX``, ``token_expires_at`` in ``/me/``, and no access for an inactive user or
Pagila staff member, by token or by admin session."""

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from customers.models import Staff
from pagila_site.models import ApiToken

pytestmark = pytest.mark.django_db


def _issue(*args) -> str:
    out = StringIO()
    call_command("issue_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue().splitlines()[-1]


def _me(api_client, token):
    return api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_token_lasts_90_days_unless_told(api_client, staff_user):
    before = timezone.now()
    token = _issue("staff")
    expires = ApiToken.objects.get().expires_at
    assert before + timedelta(days=90) <= expires <= timezone.now() + timedelta(days=90)
    assert datetime.fromisoformat(_me(api_client, token).json()["token_expires_at"]) == expires


@pytest.mark.parametrize(("days", "hours"), [("0.5", 12), ("2", 48)])
def test_a_token_lasts_the_days_asked_decimals_included(staff_user, days, hours):
    before = timezone.now()
    _issue("staff", "--expires-in", days)
    lasts = ApiToken.objects.get().expires_at - before
    assert timedelta(hours=hours) <= lasts < timedelta(hours=hours, minutes=1)


def test_zero_days_never_expires(api_client, staff_user):
    token = _issue("staff", "--expires-in", "0")
    assert ApiToken.objects.get().expires_at is None
    assert _me(api_client, token).json()["token_expires_at"] is None


@pytest.mark.parametrize("days", ["-1", "abc", "nan", "inf"])
def test_a_lifetime_that_is_not_days_is_refused(staff_user, days):
    with pytest.raises(CommandError, match="expires-in"):
        _issue("staff", "--expires-in", days)
    assert not ApiToken.objects.exists()


def test_an_expired_token_is_401_token_expired(api_client, staff_user):
    token = _issue("staff", "--expires-in", "1")
    assert _me(api_client, token).status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _me(api_client, token)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert response["WWW-Authenticate"] == "Bearer"
    assert api_client.get("/api/v1/customers/1/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_revoke_token_by_its_prefix(api_client, staff_user):
    token, other = _issue("staff"), _issue("staff")
    out = StringIO()
    call_command("revoke_token", token[:8], stdout=out)
    assert "Revoked 1 token" in out.getvalue()
    response = _me(api_client, token)
    assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")
    assert _me(api_client, other).status_code == 200
    with pytest.raises(CommandError, match="No unrevoked token"):
        call_command("revoke_token", token[:8])
    with pytest.raises(CommandError, match="first 8 characters"):
        call_command("revoke_token", token[:5])


def test_no_token_starts_like_an_option(monkeypatch, staff_user):
    # Drawn again when it would: "revoke_token -SwhD-XQ" is argparse's unknown option -S.
    draws = iter(["-SwhD-XQ" + "a" * 35, "SwhD-XQa" + "a" * 35])
    monkeypatch.setattr("secrets.token_urlsafe", lambda nbytes: next(draws))
    token = _issue("staff")
    assert token == "SwhD-XQa" + "a" * 35
    call_command("revoke_token", token[:8], stdout=StringIO())


def test_an_inactive_staff_member_loses_every_access(api_client, client, clerk):
    token = _issue("clerk1")
    client.force_login(clerk)
    assert _me(api_client, token).status_code == 200
    assert api_client.get("/api/v1/customers/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert client.get("/admin/").status_code == 200

    Staff.objects.filter(pk=1).update(active=False)

    for path in ("/api/v1/me/", "/api/v1/customers/", "/api/v1/customers/1/"):
        response = api_client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert (response.status_code, response.json()["code"]) == (401, "authentication_failed"), path
    # The open admin session ends: the next page asks to sign in again, and so does the password.
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/counter/").status_code == 302
    signing_in = client.post("/admin/login/", {"username": "clerk1", "password": "clerk-password"})
    assert signing_in.status_code == 200  # the form again, not a redirect into the admin
    assert client.get("/admin/").status_code == 302


def test_an_inactive_user_loses_every_access(api_client, client, clerk):
    token = _issue("clerk1")
    client.force_login(clerk)
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    assert _me(api_client, token).status_code == 401
    assert client.get("/admin/").status_code == 302
