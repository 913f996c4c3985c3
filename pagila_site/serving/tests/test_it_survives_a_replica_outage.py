"""A real streaming standby as the replica: the catalogue reads there, and no client notices it fail.

The app is served (gunicorn, two workers, as ``make run``) on a private copy of Pagila with
``DATABASE_REPLICA_URL`` a hot standby of the same server (``testsupport/standby.py``). Its
catalogue reads are counted on the standby itself (``pg_stat_database``); the standby is then
stopped, restarted and paused in its replay while every kind of page is asked for: none is a 5xx
while the primary is up, and reads return to the standby once it is healthy.
"""

import json
import time
import urllib.error
import urllib.request

import psycopg
import pytest

from pagila_site.management.commands.ensure_dev_access import DEV_TOKEN
from pagila_site.testsupport import live
from pagila_site.testsupport.standby import standby_of

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

MAX_LAG = 1.0
CHECK_INTERVAL = 0.5
# Public catalogue pages (routed to the replica) and pages of the primary's, with the token.
CATALOGUE = ["/api/v1/films/", "/api/v1/films/7/", "/api/v1/films/?category=Action", "/api/v1/categories/"]
PRIMARY_ONLY = ["/api/v1/customers/1/", "/api/v1/rentals/?customer_id=1", "/health"]


@pytest.fixture(scope="module")
def topology(django_db_setup, django_db_blocker):
    """The served app, the primary's database URL and the standby."""
    with live.private_database("test_replica", django_db_blocker) as database_url:
        live.ensure_dev_access(database_url, {})
        with standby_of(database_url) as standby:
            env = {
                "DATABASE_REPLICA_URL": standby.url,
                "DATABASE_REPLICA_MAX_LAG": str(MAX_LAG),
                "DATABASE_REPLICA_CHECK_INTERVAL": str(CHECK_INTERVAL),
                # Every catalogue request reaches its view, and so a database.
                "CATALOGUE_CACHE_ENABLED": "false",
            }
            with live.serve(database_url, env=env, production=True) as server:
                yield server, database_url, standby


def get(server, path: str) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - the local server
        f"{server.url}{path}", headers={"Authorization": f"Bearer {DEV_TOKEN}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the local server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def patch_film(server, film_id: int, body: dict) -> int:
    request = urllib.request.Request(  # noqa: S310 - the local server
        f"{server.url}/api/v1/films/{film_id}/",
        method="PATCH",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {DEV_TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the local server
        return response.status


def transactions_on(url: str) -> int:
    """Transactions the standby has served on the app's database (its own statistics)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        (count,) = conn.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
        return count


def statuses(server, rounds: int = 3) -> dict[str, list[int]]:
    seen: dict[str, list[int]] = {}
    for _ in range(rounds):
        for path in CATALOGUE + PRIMARY_ONLY:
            seen.setdefault(path, []).append(get(server, path)[0])
    return seen


def no_5xx(seen: dict[str, list[int]]) -> bool:
    return all(status < 500 for codes in seen.values() for status in codes)


def wait_until(predicate, timeout: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        assert time.monotonic() < deadline, f"{what} not met within {timeout} s"
        time.sleep(0.2)
    return result


def reads_reach_the_standby(server, standby) -> bool:
    before = transactions_on(standby.url)
    for _ in range(10):
        assert get(server, "/api/v1/films/7/")[0] == 200
    # Statistics reach pg_stat_database within a second or so of each transaction.
    time.sleep(1.2)
    return transactions_on(standby.url) - before >= 10


def test_catalogue_reads_are_served_by_the_standby(topology):
    server, _, standby = topology

    assert wait_until(lambda: reads_reach_the_standby(server, standby), what="reads on the standby")
    assert no_5xx(statuses(server, rounds=1))


def test_a_write_is_visible_through_the_api_within_the_lag_bound(topology):
    server, _, _ = topology
    _, film = get(server, "/api/v1/films/7/")
    flipped = not film["streaming_available"]

    assert patch_film(server, 7, {"streaming_available": flipped}) == 200
    written = time.monotonic()
    wait_until(lambda: get(server, "/api/v1/films/7/")[1]["streaming_available"] == flipped, MAX_LAG)

    assert time.monotonic() - written <= MAX_LAG


def test_nothing_fails_while_the_standby_is_stopped_and_reads_return_when_it_is_back(topology):
    server, _, standby = topology
    standby.stop()
    try:
        seen = statuses(server)
        assert no_5xx(seen), seen
        assert all(codes == [200] * len(codes) for codes in seen.values()), seen
    finally:
        standby.start()

    assert no_5xx(statuses(server))
    assert wait_until(lambda: reads_reach_the_standby(server, standby), what="reads back on the standby")


def test_nothing_fails_while_the_standby_restarts(topology):
    server, _, standby = topology
    assert wait_until(lambda: reads_reach_the_standby(server, standby), what="reads on the standby")

    standby.restart()
    seen = statuses(server, rounds=5)

    assert no_5xx(seen), seen
    assert wait_until(lambda: reads_reach_the_standby(server, standby), what="reads back on the standby")


def test_a_lagging_standby_is_left_until_it_catches_up(topology):
    server, _, standby = topology
    _, film = get(server, "/api/v1/films/8/")
    flipped = not film["streaming_available"]
    standby.pause_replay()
    try:
        assert patch_film(server, 8, {"streaming_available": flipped}) == 200
        # Once the replay is more than MAX_LAG behind, reads go to the primary: the change shows.
        wait_until(
            lambda: get(server, "/api/v1/films/8/")[1]["streaming_available"] == flipped,
            MAX_LAG + 4 * CHECK_INTERVAL + 2,
            "the change through the API",
        )
        assert no_5xx(statuses(server))
        before = transactions_on(standby.url)
        for _ in range(10):
            assert get(server, "/api/v1/films/8/")[0] == 200
        time.sleep(1.2)
        assert transactions_on(standby.url) - before < 5
    finally:
        standby.resume_replay()

    assert wait_until(lambda: reads_reach_the_standby(server, standby), what="reads back on the standby")
