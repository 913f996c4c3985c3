"""``manage.py issue_token``: prints a new token once; only its hash (and lookup prefix) is stored."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pagila_site.models import ApiToken

pytestmark = pytest.mark.django_db


def _issue(*args):
    out, err = StringIO(), StringIO()
    call_command("issue_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_the_token_once_and_only_on_stdout(staff_user):
    out, err = _issue("staff", "--name", "POS terminal 3")
    token = out.strip()
    assert out == f"{token}\n"
    assert len(token) >= 40
    assert token not in err
    assert "cannot be shown again" in err


def test_it_stores_only_the_tokens_hash(staff_user):
    token = _issue("staff")[0].strip()
    row = ApiToken.objects.values().get()
    assert row["digest"] == hashlib.sha256(token.encode()).hexdigest()
    assert row["prefix"] == token[:8]
    assert row["user_id"] == staff_user.pk
    assert not any(token in str(value) for value in row.values())


def test_it_issues_a_token_that_authenticates(api_client, staff_user):
    token = _issue("staff")[0].strip()
    response = api_client.get("/api/v1/customers/1/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


def test_it_issues_a_different_token_every_time(staff_user):
    assert _issue("staff")[0] != _issue("staff")[0]
    assert ApiToken.objects.count() == 2


def test_it_refuses_a_user_who_is_not_staff(django_user_model):
    django_user_model.objects.create_user("clerk", "clerk@example.com", "pw")
    with pytest.raises(CommandError, match="not a staff user"):
        _issue("clerk")
    assert not ApiToken.objects.exists()


def test_it_refuses_an_unknown_user():
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        _issue("nobody")
