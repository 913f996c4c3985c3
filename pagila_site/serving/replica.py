"""Whether the read replica may serve the catalogue's reads now, and the request that falls back.

A replica is there to add capacity and survive trouble, so the catalogue must never fail because
of it: reads routed there (``db_router.py``) go to the primary while the replica refuses
connections, is restarting, or replays more than ``DATABASE_REPLICA_MAX_LAG`` seconds behind.

- :class:`ReplicaHealth` decides, in a thread of each process, every
  ``DATABASE_REPLICA_CHECK_INTERVAL`` seconds, never per request. Lag is measured against the
  primary's WAL position, not the replica's own clocks: the primary's position is sampled at each
  check, and the replica lags too much when it has not replayed what the primary had written
  ``DATABASE_REPLICA_MAX_LAG`` seconds ago. A standby whose WAL receiver never connected (the
  ``primary_conninfo`` trap in the README) therefore counts as lagging instead of looking idle.
  Each change of state is logged once.
- :class:`ReplicaFallbackMiddleware` covers the moments between two checks: a GET or HEAD whose
  view failed on a replica connection marks the replica unusable and is served again, at once,
  on the primary.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import threading
import time

import psycopg
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import InterfaceError, OperationalError, connections

from pagila_site.db import conninfo
from pagila_site.serving.timeouts import ran_out_of_time

logger = logging.getLogger("pagila.db")

REPLICA = "replica"


def _lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


class ReplicaHealth:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._starting = threading.Lock()
        self._usable = False
        self._reason = "not checked yet"
        self._pid: int | None = None
        self._primary_positions: collections.deque[tuple[float, int]] = collections.deque()
        self._connections: dict[str, psycopg.Connection] = {}

    @staticmethod
    def configured() -> bool:
        return REPLICA in settings.DATABASES

    def usable(self) -> bool:
        """Whether reads may go to the replica; the first call in a process checks at once and
        starts the checking thread (a forked worker starts its own)."""
        if self._pid != os.getpid():
            with self._starting:
                if self._pid != os.getpid():
                    self._pid = os.getpid()
                    self._connections = {}
                    self._primary_positions.clear()
                    self._check()
                    threading.Thread(target=self._watch, name="replica-health", daemon=True).start()
        return self._usable

    def mark_unusable(self, reason: str) -> None:
        """A request saw the replica fail: stop routing to it until a check finds it healthy."""
        self._set(False, reason)

    def _watch(self) -> None:
        pid = os.getpid()
        while self._pid == pid:
            time.sleep(settings.DATABASE_REPLICA_CHECK_INTERVAL)
            try:
                self._check()
            except Exception:  # a watcher that died would freeze the state: log and go on
                logger.exception("database replica check failed")

    def _check(self) -> None:
        try:
            usable, reason = self._assess()
        except psycopg.Error as exc:
            usable, reason = False, f"{type(exc).__name__}: {str(exc).strip()[:300]}"
            self._close_connection(REPLICA)
        except Exception as exc:  # a checker that dies would freeze the state: keep going
            usable, reason = False, f"{type(exc).__name__}: {exc}"
            logger.exception("database replica check failed")
        self._set(usable, reason)

    def _assess(self) -> tuple[bool, str]:
        now = time.monotonic()
        try:
            (primary,) = self._connection("default").execute("SELECT pg_current_wal_lsn()::text").fetchone()
        except psycopg.Error:
            # The primary is the one in trouble: the replica's state can't be judged against it,
            # and the catalogue's reads are better on a replica that still answers.
            self._close_connection("default")
            return self._usable, self._reason
        positions = self._primary_positions
        positions.append((now, _lsn(primary)))
        in_recovery, replayed = (
            self._connection(REPLICA)
            .execute("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text")
            .fetchone()
        )
        max_lag = settings.DATABASE_REPLICA_MAX_LAG
        # The newest position the primary had at least max_lag seconds ago; older ones can go.
        due = None
        while positions and now - positions[0][0] >= max_lag:
            due = positions.popleft()
        if due is not None:
            positions.appendleft(due)
        if not in_recovery:
            return True, "not a standby (its own primary)"
        if replayed is None:
            return False, "a standby that has replayed nothing"
        if due is None and _lsn(replayed) < positions[-1][1]:
            # One sample yet (a process just started): nothing says how far behind it is.
            return False, "not yet seen caught up with the primary"
        if due is not None and _lsn(replayed) < due[1]:
            return False, f"replay more than {max_lag:g} s behind the primary"
        return True, "streaming, within the lag bound"

    def _connection(self, alias: str) -> psycopg.Connection:
        connection = self._connections.get(alias)
        if connection is None or connection.closed:
            interval = settings.DATABASE_REPLICA_CHECK_INTERVAL
            connection = psycopg.connect(
                conninfo(alias),
                autocommit=True,
                connect_timeout=max(1, round(interval)),
                options=f"-c statement_timeout={round(interval * 1000)}",
            )
            self._connections[alias] = connection
        return connection

    def _close_connection(self, alias: str) -> None:
        connection = self._connections.pop(alias, None)
        if connection is not None:
            connection.close()

    def _set(self, usable: bool, reason: str) -> None:
        with self._lock:
            changed = usable != self._usable
            self._usable, self._reason = usable, reason
        if not changed:
            return
        if usable:
            logger.warning("database replica usable: catalogue reads go to it", extra={"reason": reason})
        else:
            logger.warning(
                "database replica unusable: catalogue reads go to the primary", extra={"reason": reason}
            )
            # Its pooled connections are of no use, and the pool would go on retrying them with
            # growing pauses (up to minutes) after the replica is back: when it is, a new pool.
            # Django's close_pool reads, then deletes, its entry: two at once may find it gone.
            with contextlib.suppress(KeyError):
                connections[REPLICA].close_pool()


health = ReplicaHealth()


class ReplicaFallbackMiddleware:
    """Serve a read again on the primary when the replica failed it (see the module)."""

    def __init__(self, get_response):
        if not ReplicaHealth.configured():
            raise MiddlewareNotUsed  # without a replica, no work on any request
        self.get_response = get_response

    def __call__(self, request):
        # A flag left from an earlier request on this thread would misname the culprit.
        connections[REPLICA].errors_occurred = False
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (
            request.method in ("GET", "HEAD")
            # Once: a read that fails on the primary too is the primary's failure (a 503 above).
            and not getattr(request, "served_again_on_primary", False)
            and isinstance(exception, OperationalError | InterfaceError)
            # A statement out of time would only run out of time again, on the primary.
            and not ran_out_of_time(exception)
            and connections[REPLICA].errors_occurred
        ):
            return None
        health.mark_unusable(f"a request failed on it: {exception}")
        connections[REPLICA].close()
        connections[REPLICA].errors_occurred = False
        request.served_again_on_primary = True
        logger.info(
            "read served again on the primary",
            extra={"path": request.path, "request_id": getattr(request, "request_id", None)},
        )
        return self.get_response(request)
