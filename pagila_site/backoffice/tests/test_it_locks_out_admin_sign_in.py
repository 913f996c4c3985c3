"""Admin sign-in: 5 failures for a username, or 20 from an address, lock it out for 15 minutes.

The contract's "Staff access": the right password is refused too while the lock-out lasts, the
login page says what is locked, and failures and lock-outs are logged with username and address.
Time is moved by ageing the recorded failures (axes' ``attempt_time``), as 15 minutes passing would.
The same across two workers, through HTTP: ``test_it_locks_out_across_workers.py``.
"""

import io
import json
import logging

import pytest
from django.core.management import call_command
from django.db import connection

from pagila_site.backoffice.lockouts import client_address
from pagila_site.serving.logging import JsonFormatter

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "Please enter the correct username and password"
USERNAME_LOCKED = "Too many failed sign-ins for this username: it is locked out for 15 minutes."
ADDRESS_LOCKED = "Too many failed sign-ins from your address: it is locked out for 15 minutes."
ADDRESS = "192.0.2.10"


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-password")


def _sign_in(client, username, password, address=ADDRESS, **extra):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def _fail(client, times, username="boss", address=ADDRESS):
    for attempt in range(times):
        response = _sign_in(client, username, f"wrong-{attempt}", address)
        assert response.status_code == 200
        assert WRONG_PASSWORD in response.text


def _locked_page(response, message) -> bool:
    """The admin's login page, with its form, saying ``message`` (and nothing of a wrong password)."""
    return (
        response.status_code == 429
        and "admin/login.html" in [template.name for template in response.templates]
        and message in response.text
        and WRONG_PASSWORD not in response.text
        and 'name="password"' in response.text
    )


def _signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def _manage(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _age_failures(minutes: int) -> None:
    with connection.cursor() as cursor:
        for table in ("axes_accessattempt", "axes_accessfailurelog"):
            cursor.execute(
                f"UPDATE {table} SET attempt_time = attempt_time - make_interval(mins => %s)",  # noqa: S608 - ours
                [minutes],
            )


def test_the_fifth_wrong_password_locks_the_username_out_the_right_one_included(client, boss):
    _fail(client, 4)
    response = _sign_in(client, "boss", "wrong-4")
    assert _locked_page(response, USERNAME_LOCKED)
    assert response["Retry-After"] == "900"
    assert _locked_page(_sign_in(client, "boss", "boss-password"), USERNAME_LOCKED)
    assert client.get("/admin/").status_code == 302  # not signed in


def test_a_locked_username_is_locked_from_every_address(client, boss):
    _fail(client, 5 - 1, address="192.0.2.11")
    _sign_in(client, "boss", "wrong", address="192.0.2.12")
    assert _locked_page(_sign_in(client, "boss", "boss-password", address="198.51.100.1"), USERNAME_LOCKED)


def test_twenty_failures_from_one_address_lock_the_address_out(client, boss):
    for attempt in range(19):
        _fail(client, 1, username=f"guess-{attempt}")
    assert _locked_page(_sign_in(client, "guess-19", "wrong"), ADDRESS_LOCKED)
    assert _locked_page(_sign_in(client, "boss", "boss-password"), ADDRESS_LOCKED)
    # Neither the usernames tried nor boss are locked elsewhere.
    assert _signed_in(_sign_in(client, "boss", "boss-password", address="192.0.2.99"))


def test_four_failures_per_username_add_up_for_the_address(client, boss):
    for username in ("ann", "bob", "cat", "dan"):
        _fail(client, 4, username=username)
    _fail(client, 3, username="eve")
    assert _locked_page(_sign_in(client, "eve", "wrong"), ADDRESS_LOCKED)


def test_a_success_does_not_clear_the_addresss_failures_for_other_usernames(client, boss):
    for attempt in range(19):
        _fail(client, 1, username=f"guess-{attempt}")
    assert _signed_in(_sign_in(client, "boss", "boss-password"))
    client.logout()
    assert _locked_page(_sign_in(client, "guess-19", "wrong"), ADDRESS_LOCKED)


def test_the_lock_out_ends_15_minutes_after_the_failure_that_locked_it(client, boss):
    _fail(client, 4)
    assert _locked_page(_sign_in(client, "boss", "wrong-4"), USERNAME_LOCKED)
    _age_failures(10)
    # Attempts while locked out neither count nor prolong the lock-out.
    assert _locked_page(_sign_in(client, "boss", "wrong-5"), USERNAME_LOCKED)
    assert _locked_page(_sign_in(client, "boss", "boss-password"), USERNAME_LOCKED)
    _age_failures(4)
    assert _locked_page(_sign_in(client, "boss", "boss-password"), USERNAME_LOCKED)
    _age_failures(1)
    assert _signed_in(_sign_in(client, "boss", "boss-password"))


def test_failures_more_than_15_minutes_apart_do_not_add_up(client, boss):
    _fail(client, 4)
    _age_failures(15)
    _fail(client, 4)
    assert _signed_in(_sign_in(client, "boss", "boss-password"))


def test_failures_count_only_within_15_minutes_of_one_another(client, boss):
    # Five failures in 20 minutes, each within 15 minutes of the one before: axes alone would add
    # them all up.
    _fail(client, 2)
    _age_failures(10)
    _fail(client, 2)
    _age_failures(10)
    _fail(client, 1)
    assert _signed_in(_sign_in(client, "boss", "boss-password"))
    client.logout()
    _fail(client, 1)
    # With the 3 of the last 15 minutes, the fifth.
    assert _locked_page(_sign_in(client, "boss", "wrong-5"), USERNAME_LOCKED)
    assert _locked_page(_sign_in(client, "boss", "boss-password"), USERNAME_LOCKED)


def test_an_operator_unlocks_a_username_or_an_address(client, boss):
    _fail(client, 4)
    _sign_in(client, "boss", "wrong")
    assert _manage("axes_reset_username", "boss").endswith(" attempts removed.\n")
    assert _signed_in(_sign_in(client, "boss", "boss-password"))
    client.logout()

    for attempt in range(20):
        _sign_in(client, f"guess-{attempt}", "wrong")
    assert _locked_page(_sign_in(client, "boss", "boss-password"), ADDRESS_LOCKED)
    assert _manage("axes_reset_ip", ADDRESS).endswith(" attempts removed.\n")
    assert _signed_in(_sign_in(client, "boss", "boss-password"))


def test_it_logs_failures_and_lock_outs_with_username_and_address(client, boss, caplog):
    with caplog.at_level(logging.WARNING, logger="pagila.auth"):
        for attempt in range(18):
            _sign_in(client, f"guess-{attempt}", "a-wrong-password")
        _sign_in(client, "boss", "a-wrong-password")
        _sign_in(client, "guess-19", "a-wrong-password")
        _sign_in(client, "boss", "boss-password")
    lines = [
        json.loads(JsonFormatter().format(record))
        for record in caplog.records
        if record.name == "pagila.auth"
    ]
    assert [line["message"] for line in lines] == ["admin sign-in failed"] * 19 + [
        "admin sign-in locked out",
        "admin sign-in refused: locked out",
    ]
    assert {line["client"] for line in lines} == {ADDRESS}
    assert {line["level"] for line in lines} == {"WARNING"}
    assert lines[18]["username"] == "boss"
    assert lines[18]["failures"] == {"username": 1, "address": 19}
    assert {key: lines[19][key] for key in ("username", "failures", "locked")} == {
        "username": "guess-19",
        "failures": {"username": 1, "address": 20},
        "locked": ["address"],
    }
    assert {key: lines[20][key] for key in ("username", "locked")} == {
        "username": "boss",
        "locked": ["address"],
    }
    assert not any("password" in json.dumps(line) for line in lines)


def test_it_counts_the_client_behind_trusted_proxies(client, boss, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for attempt in range(20):
        _sign_in(
            client, f"guess-{attempt}", "wrong", address="10.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}"
        )
    # Twenty clients behind the proxy, one failure each: none of them, and not the proxy, is locked.
    assert _signed_in(
        _sign_in(client, "boss", "boss-password", address="10.0.0.1", HTTP_X_FORWARDED_FOR=ADDRESS)
    )


def test_it_counts_an_ipv6_client_by_its_64_bit_prefix(client, boss, rf):
    assert client_address(rf.get("/", REMOTE_ADDR="2001:db8:1:2::1")) == "2001:db8:1:2::"
    assert client_address(rf.get("/", REMOTE_ADDR="::ffff:192.0.2.7")) == "192.0.2.7"
    for attempt in range(20):
        _sign_in(client, f"guess-{attempt}", "wrong", address=f"2001:db8:1:2::{attempt + 1:x}")
    assert _locked_page(
        _sign_in(client, "boss", "boss-password", address="2001:db8:1:2:ffff::9"), ADDRESS_LOCKED
    )
    assert _signed_in(_sign_in(client, "boss", "boss-password", address="2001:db8:1:3::1"))
