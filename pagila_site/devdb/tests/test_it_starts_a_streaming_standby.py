"""A real streaming standby of the test server: it shows the primary's committed writes, refuses
its own, survives a restart and lags on demand."""

import time
import uuid

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from pagila_site.devdb import replica
from pagila_site.devdb.embedded import free_port
from pagila_site.testsupport import testdb
from pagila_site.testsupport.standby import standby_of


@pytest.fixture(scope="module")
def primary_url(django_db_setup):
    return testdb.database_url(connection.settings_dict["NAME"])


@pytest.fixture(scope="module")
def standby(primary_url):
    with standby_of(primary_url) as standby:
        yield standby


@pytest.fixture(scope="module")
def probe(primary_url, standby):
    """A table of its own in the test database, written outside any test transaction (writes
    inside one never commit, so never reach the standby)."""
    table = sql.Identifier(f"standby_probe_{uuid.uuid4().hex[:8]}")
    with psycopg.connect(primary_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE TABLE {} (note text)").format(table))
        standby.wait_until_caught_up()
        try:
            yield Probe(conn, table)
        finally:
            conn.execute(sql.SQL("DROP TABLE {}").format(table))


class Probe:
    def __init__(self, conn, table):
        self.conn, self.table = conn, table

    def write(self) -> tuple[str, str]:
        """Commit a new row on the primary: its note and the primary's WAL position after it."""
        note = uuid.uuid4().hex
        self.conn.execute(sql.SQL("INSERT INTO {} VALUES (%s)").format(self.table), [note])
        return note, self.conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()[0]

    def shown_by(self, standby, note) -> bool:
        with psycopg.connect(standby.url, autocommit=True) as conn:
            query = sql.SQL("SELECT 1 FROM {} WHERE note = %s").format(self.table)
            return conn.execute(query, [note]).fetchone() is not None


def eventually(condition, timeout=3.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_committed_write_on_the_primary_shows_on_the_standby(standby, probe):
    note, _lsn = probe.write()

    assert eventually(lambda: probe.shown_by(standby, note))


def test_the_standby_refuses_writes(standby):
    with psycopg.connect(standby.url, autocommit=True) as conn:
        assert conn.execute("SELECT pg_is_in_recovery()").fetchone()[0] is True
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("UPDATE film SET title = title WHERE film_id = 1")


def test_its_primary_conninfo_holds_only_options_every_libpq_knows(standby):
    conf = (standby.data_dir / "postgresql.auto.conf").read_text()
    [line] = [line for line in conf.splitlines() if line.startswith("primary_conninfo")]

    assert "sslnegotiation" not in line
    keys = {pair.split("=", 1)[0] for pair in line.split("'", 2)[1].split()}
    assert keys == {"host", "port", "user", "application_name"}


def test_it_streams_again_after_a_stop_and_a_start(standby, probe):
    standby.stop()
    assert not standby.is_running()
    note, _lsn = probe.write()  # while it is down

    standby.start()

    assert replica.receiver_status(standby.layout) == "streaming"
    assert eventually(lambda: probe.shown_by(standby, note))


def test_paused_replay_holds_back_a_write_until_resumed(standby, probe):
    standby.pause_replay()
    try:
        note, lsn = probe.write()
        # Received but not applied: the standby has the row's WAL and still doesn't show it.
        assert eventually(lambda: replica.has_received(standby.layout, lsn))
        assert not standby.caught_up(lsn)
        assert not probe.shown_by(standby, note)
    finally:
        standby.resume_replay()

    assert eventually(lambda: probe.shown_by(standby, note))


def test_waiting_for_a_standby_that_never_streams_names_its_log(standby):
    standby.stop()
    try:
        nowhere = f"postgres://postgres@127.0.0.1:{free_port()}/postgres"
        replica.set_primary(standby.layout, nowhere, application_name=standby.application_name)
        replica.start(standby.layout)

        with pytest.raises(replica.ReplicaError, match="did not start streaming") as failure:
            replica.wait_until_streaming(standby.layout, timeout=2)
        assert str(standby.log_file) in str(failure.value)
        assert "could not connect to the primary server" in str(failure.value)
    finally:
        standby.restart()
