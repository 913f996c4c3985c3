"""Sign-in and token lock-outs hold for the whole server, not per worker process.

The server is the production one (``scripts/serve``: gunicorn, two workers, as ``make run``
starts it) on a private database; every test talks to both workers over connections each of them
holds (``testsupport/workers.py``), alternating, and sends its own client address through
``X-Forwarded-For`` from a trusted proxy (``DJANGO_TRUSTED_PROXIES``), so tests don't share counts.
The clock is moved by ageing the recorded failures in the database, not by waiting 15 minutes.
"""

import json
import re
import time
import urllib.parse

import psycopg
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from pagila_site.management.commands.ensure_dev_access import DEV_TOKEN
from pagila_site.testsupport import live, workers

WRONG_PASSWORD = "Please enter the correct username and password"
USERNAME_LOCKED = "Too many failed sign-ins for this username: it is locked out for 15 minutes."
ADDRESS_LOCKED = "Too many failed sign-ins from your address: it is locked out for 15 minutes."


# The server's own hasher: the tests' settings hash with a fast one the server doesn't know.
_HASHER = PBKDF2PasswordHasher()


@pytest.fixture(scope="module")
def served(django_db_setup, django_db_blocker):
    # DEBUG on only because tests don't collect static files, which the admin's pages name.
    env = {"DJANGO_DEBUG": "true", "DJANGO_TRUSTED_PROXIES": "127.0.0.1", **workers.HOLD_CONNECTIONS}
    with live.private_database("test_lockouts", django_db_blocker) as database_url:
        live.ensure_dev_access(database_url, env)
        with live.serve(database_url, env=env, production=True) as server:
            yield server, database_url


@pytest.fixture
def server(served):
    return served[0]


@pytest.fixture
def database(served):
    with psycopg.connect(served[1], autocommit=True) as conn:
        yield conn


@pytest.fixture
def user(database, request):
    """A superuser of its own for each test (password ``right``): a locked username stays locked."""
    username = request.node.name[:150]
    database.execute(
        "INSERT INTO auth_user (username, password, is_superuser, is_staff, is_active, first_name,"
        " last_name, email, date_joined) VALUES (%s, %s, true, true, true, '', '', '', now())",
        [username, _HASHER.encode("right", _HASHER.salt())],
    )
    return username


@pytest.fixture
def both(server):
    with workers.one_per_worker(server) as connections:
        yield connections


def _sign_in(worker, client: str, username: str, password: str) -> workers.Answer:
    page = worker.request("GET", "/admin/login/", headers={"X-Forwarded-For": client})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)[1]
    cookie = re.search(r"csrftoken=([^;]+)", page.headers["Set-Cookie"])[1]
    form = {"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/admin/"}
    return worker.request(
        "POST",
        "/admin/login/",
        body=urllib.parse.urlencode(form).encode(),
        headers={
            "X-Forwarded-For": client,
            "Cookie": f"csrftoken={cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )


def _refused(answer: workers.Answer, message: str) -> bool:
    return answer.status == 429 and message in answer.body and 'name="password"' in answer.body


def _signed_in(answer: workers.Answer) -> bool:
    return (answer.status, answer.headers["Location"]) == (302, "/admin/")


def _age_failures(database, minutes: int) -> None:
    database.execute(
        "UPDATE axes_accessattempt SET attempt_time = attempt_time - make_interval(mins => %s)", [minutes]
    )


def test_five_wrong_passwords_lock_the_username_out_in_both_workers(both, user):
    client = "198.51.100.1"
    for attempt in range(4):
        answer = _sign_in(both[attempt % 2], client, user, "wrong")
        assert (answer.status, WRONG_PASSWORD in answer.body) == (200, True)
    assert _refused(_sign_in(both[0], client, user, "wrong"), USERNAME_LOCKED)
    for worker in both:
        assert _refused(_sign_in(worker, client, user, "right"), USERNAME_LOCKED)
    # The username, from any address.
    assert _refused(_sign_in(both[1], "198.51.100.99", user, "right"), USERNAME_LOCKED)


def test_twenty_failures_from_one_address_lock_it_out_in_both_workers(both, user):
    client = "198.51.100.2"
    for attempt in range(19):
        answer = _sign_in(both[attempt % 2], client, f"guess-{attempt}", "wrong")
        assert (answer.status, WRONG_PASSWORD in answer.body) == (200, True)
    assert _refused(_sign_in(both[1], client, "guess-19", "wrong"), ADDRESS_LOCKED)
    for worker in both:
        assert _refused(_sign_in(worker, client, user, "right"), ADDRESS_LOCKED)
    # The same user from another address signs in as ever.
    assert _signed_in(_sign_in(both[0], "198.51.100.3", user, "right"))


def test_the_lock_out_ends_after_15_minutes(both, user, database):
    client = "198.51.100.4"
    for attempt in range(4):
        _sign_in(both[attempt % 2], client, user, "wrong")
    assert _refused(_sign_in(both[0], client, user, "wrong"), USERNAME_LOCKED)
    _age_failures(database, 14)
    for worker in both:
        assert _refused(_sign_in(worker, client, user, "right"), USERNAME_LOCKED)
    _age_failures(database, 1)
    assert _signed_in(_sign_in(both[1], client, user, "right"))


def test_failures_and_lock_outs_are_logged_with_username_and_address(server, both, user):
    client = "198.51.100.5"
    for attempt in range(5):
        _sign_in(both[attempt % 2], client, user, "wrong")
    _sign_in(both[0], client, user, "right")

    lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    mine = [line for line in lines if line["logger"] == "pagila.auth" and line.get("client") == client]
    assert [(line["message"], line["username"], line["failures"]) for line in mine] == [
        ("admin sign-in failed", user, {"username": 1, "address": 1}),
        ("admin sign-in failed", user, {"username": 2, "address": 2}),
        ("admin sign-in failed", user, {"username": 3, "address": 3}),
        ("admin sign-in failed", user, {"username": 4, "address": 4}),
        ("admin sign-in locked out", user, {"username": 5, "address": 5}),
        ("admin sign-in refused: locked out", user, {"username": 5, "address": 5}),
    ]
    assert [line.get("locked") for line in mine][-2:] == [["username"], ["username"]]
    assert {line["level"] for line in mine} == {"WARNING"}
    assert not any("wrong" in json.dumps(line) or "right" in json.dumps(line) for line in mine)


@pytest.fixture
def early_in_a_minute():
    # AUTH_FAILURE_RATE's default, 10/min, counts per clock minute: the test must stay in one.
    # (Before the connections are opened: an idle one is closed after a few seconds.)
    second = time.time() % 60
    if second > 45:
        time.sleep(60.5 - second)


def test_ten_wrong_tokens_lock_an_address_out_in_both_workers(early_in_a_minute, both):
    client = "198.51.100.6"
    for attempt in range(10):
        answer = both[attempt % 2].request(
            "GET",
            "/api/v1/me/",
            headers={"Authorization": f"Bearer wrong-{attempt}", "X-Forwarded-For": client},
        )
        assert answer.status == 401, answer.body
    for worker in both:
        answer = worker.request(
            "GET", "/api/v1/me/", headers={"Authorization": f"Bearer {DEV_TOKEN}", "X-Forwarded-For": client}
        )
        assert answer.status == 429, answer.body
        assert json.loads(answer.body)["code"] == "throttled"
    # Another address's right token is served.
    answer = both[0].request(
        "GET",
        "/api/v1/me/",
        headers={"Authorization": f"Bearer {DEV_TOKEN}", "X-Forwarded-For": "198.51.100.7"},
    )
    assert answer.status == 200
