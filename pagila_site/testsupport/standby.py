"""A real streaming standby of the test server, for the tests of what reads from a replica.

:func:`standby_of` copies the server behind a test database's URL into a temporary folder
(``pg_basebackup``, a few seconds), runs the copy as its hot standby
(:mod:`pagila_site.devdb.replica`) and yields a :class:`Standby` whose ``url`` names the same
database on it. Replay can be paused to make the replica lag on demand. Everything goes when the
block ends, however it ends: the server, its folder and its replication slot on the primary.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from pagila_site.devdb import replica
from pagila_site.devdb.embedded import Layout


@dataclass(frozen=True)
class Standby:
    url: str
    primary_url: str
    application_name: str
    layout: Layout

    @property
    def data_dir(self) -> Path:
        return self.layout.data

    @property
    def log_file(self) -> Path:
        return self.layout.log_file

    def start(self, timeout: float = 30.0) -> None:
        """Start it again after :meth:`stop`; returns once it streams."""
        replica.start(self.layout, self.primary_url, application_name=self.application_name)
        replica.wait_until_streaming(self.layout, timeout)

    def stop(self) -> None:
        replica.stop(self.layout)

    def restart(self, timeout: float = 30.0) -> None:
        self.stop()
        self.start(timeout)

    def is_running(self) -> bool:
        return replica.is_running(self.layout)

    def pause_replay(self) -> None:
        """Keep receiving the primary's WAL but show nothing newer until :meth:`resume_replay`."""
        replica.pause_replay(self.layout)

    def resume_replay(self) -> None:
        replica.resume_replay(self.layout)

    def replay_lsn(self) -> str:
        return replica.replay_lsn(self.layout)

    def receive_lsn(self) -> str:
        return replica.receive_lsn(self.layout)

    def primary_lsn(self) -> str:
        return replica.primary_lsn(self.primary_url)

    def caught_up(self, lsn: str | None = None) -> bool:
        """Whether it shows everything the primary had written at ``lsn`` (by default, now)."""
        return replica.has_replayed(self.layout, lsn or self.primary_lsn())

    def wait_until_caught_up(self, lsn: str | None = None, timeout: float = 10.0) -> None:
        lsn = lsn or self.primary_lsn()
        deadline = time.monotonic() + timeout
        while not self.caught_up(lsn):
            if time.monotonic() > deadline:
                raise replica.ReplicaError(
                    f"the standby has replayed up to {self.replay_lsn()}, not {lsn}, "
                    f"after {timeout:g}s; the end of its log, {self.log_file}:\n"
                    + replica.log_tail(self.layout)
                )
            time.sleep(0.05)


SLOT_PREFIX = "test_standby_"


def _drop_slots_of_dead_processes(database_url: str) -> None:
    # A test process killed before its clean-up leaves its standby's slot on the primary, which
    # would keep all WAL from then on: the slot's name says which process it was.
    with psycopg.connect(database_url, autocommit=True) as conn:
        names = conn.execute(
            "SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE %s AND NOT active",
            [SLOT_PREFIX.replace("_", r"\_") + "%"],
        ).fetchall()
    for (name,) in names:
        pid = int(name.removeprefix(SLOT_PREFIX).split("_", 1)[0])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            replica.drop_slot(database_url, name)
        except PermissionError:
            pass


@contextlib.contextmanager
def standby_of(database_url: str, *, timeout: float = 30.0) -> Iterator[Standby]:
    """A streaming standby of the server behind ``database_url``, until the block ends.

    Its ``url`` is ``database_url``'s database on the standby. The primary must be a server of
    the embedded binaries' major version that takes replication connections from 127.0.0.1
    without a password or with the one in the URL (the embedded server does).
    """
    # Not pytest's tmp_path: the server may run as ``nobody``, who cannot reach into that.
    base = Path(tempfile.mkdtemp(prefix="pagila-standby-"))
    base.chmod(0o755)
    lay = replica.layout(base)
    _drop_slots_of_dead_processes(database_url)
    name = f"{SLOT_PREFIX}{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        replica.create(lay, database_url, application_name=name)
        replica.start(lay)
        replica.wait_until_streaming(lay, timeout)
        dbname = conninfo_to_dict(database_url).get("dbname") or replica.DB_NAME
        standby_url = replica.url(lay, dbname)
        yield Standby(url=standby_url, primary_url=database_url, application_name=name, layout=lay)
    finally:
        replica.destroy(lay, database_url)
