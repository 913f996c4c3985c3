"""The thread that LISTENs for the catalogue's change notifications and hands them on.

One per process, on a psycopg connection of its own (not Django's pool: it holds the connection
for the process's life). A forked worker starts its own, since threads don't survive a fork.
Whenever it is not connected it says so through ``connected``, and whatever was cached may have
missed a notification, so it asks for everything to be dropped, once on losing the connection
and once on getting it back.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

import psycopg

from pagila_site.db import conninfo

logger = logging.getLogger("pagila.cache")

# The channel the triggers of films.0003 and rentals.0004 notify.
CHANNEL = "pagila_catalogue"
# Seconds without a notification after which the connection is proved alive.
_QUIET_CHECK = 15.0
_FIRST_BACKOFF, _LONGEST_BACKOFF = 0.5, 10.0


class Listener:
    """Calls ``invalidate(payload)`` for each notification (``invalidate()`` for "everything"),
    and keeps ``connected`` set exactly while LISTEN is in force."""

    def __init__(self, *, invalidate: Callable[..., None], connected: threading.Event):
        self._invalidate = invalidate
        self.connected = connected
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._stop = threading.Event()

    def ensure_running(self) -> bool:
        """Start this process's thread if needed; True once it is connected."""
        if self._pid != os.getpid():  # first use, or a forked child
            with self._lock:
                if self._pid != os.getpid():
                    self._pid = os.getpid()
                    self.connected.clear()
                    self._stop.clear()
                    self._thread = threading.Thread(target=self._run, name="catalogue-cache", daemon=True)
                    self._thread.start()
        return self.connected.is_set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._pid = None
        self.connected.clear()

    def _run(self) -> None:
        backoff = _FIRST_BACKOFF
        while not self._stop.is_set():
            try:
                with psycopg.connect(conninfo(), autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    # Anything cached before this point may have missed a notification.
                    self._invalidate()
                    self.connected.set()
                    backoff = _FIRST_BACKOFF
                    quiet = 0.0
                    while not self._stop.is_set():
                        for notify in conn.notifies(timeout=1.0):
                            self._invalidate(notify.payload)
                            quiet = 0.0
                        quiet += 1.0
                        if quiet >= _QUIET_CHECK:
                            # Prove the connection is alive, or fail and reconnect.
                            conn.execute("SELECT 1")
                            quiet = 0.0
            except Exception as exc:  # any failure means: stop trusting the cache until reconnected
                logger.warning("catalogue cache listener disconnected", extra={"error": str(exc).strip()})
            self.connected.clear()
            self._invalidate()
            if self._stop.wait(backoff):
                break
            backoff = min(backoff * 2, _LONGEST_BACKOFF)
