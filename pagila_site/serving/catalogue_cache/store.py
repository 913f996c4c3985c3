"""The catalogue cache's entries in memory, and what each notification of a change drops.

Generations make a page computed across a change unkeepable: a :class:`Lookup` remembers the
generations it was made under, and :meth:`CatalogueCache.put` refuses it once they moved.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from django.conf import settings

from pagila_site.serving.catalogue_cache.listener import Listener

# Statement-level notifications from these tables (TRUNCATE) only move copies in and out of
# stock: film details show them, lists don't.
_STOCK_TABLES = {"rental", "inventory"}
_FILM_PAYLOAD = re.compile(r"^film:([0-9]{1,10})$")


def replica_may_lag() -> float:
    """Seconds after a change during which the replica may still show the old rows: its lag
    bound, and the two checks it may take to notice a replica past it (serving/replica.py)."""
    return settings.DATABASE_REPLICA_MAX_LAG + 2 * settings.DATABASE_REPLICA_CHECK_INTERVAL


@dataclass(frozen=True)
class Entry:
    status: int
    content: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str | None
    # The headers as the fast path sends them, encoded once here rather than on every hit.
    asgi_headers: tuple[tuple[bytes, bytes], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        encoded = tuple((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in self.headers)
        object.__setattr__(self, "asgi_headers", encoded)


@dataclass(frozen=True)
class Lookup:
    """Where a request's answer is (or would be) kept, and what the cache had seen by then."""

    key: str
    film_id: int | None  # set for a film's detail page
    generation: int
    film_generation: int
    entry: Entry | None


class CatalogueCache:
    """Entries by key, least recently used dropped first, trusted only while ``listening``."""

    def __init__(self, max_entries: int = 4096):
        self.max_entries = max_entries
        self._lock = threading.Lock()
        # key -> (film id of a detail page or None, entry); least recently used first.
        self._entries: OrderedDict[str, tuple[int | None, Entry]] = OrderedDict()
        self._by_film: dict[int, set[str]] = {}
        # Bumped by whatever drops every page / every detail page ...
        self.generation = 0
        self.details_generation = 0
        # ... and per film, by what drops one film's detail pages.
        self._film_generations: dict[int, int] = {}
        self.invalidated_at = 0.0
        # Set while the listener is connected: only then can no change go unnoticed.
        self.listening = threading.Event()
        self._listener = Listener(invalidate=self.invalidate, connected=self.listening)

    def film_generation(self, film_id: int) -> int:
        return self.details_generation + self._film_generations.get(film_id, 0)

    def lookup(self, key: str, film_id: int | None) -> Lookup:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return Lookup(
                key,
                film_id,
                self.generation,
                self.film_generation(film_id) if film_id is not None else 0,
                found[1] if found is not None else None,
            )

    def put(self, lookup: Lookup, entry: Entry) -> None:
        with self._lock:
            if not self.listening.is_set() or lookup.generation != self.generation:
                return  # something changed while this page was computed: don't keep it
            if lookup.film_id is not None and lookup.film_generation != self.film_generation(lookup.film_id):
                return
            if "replica" in settings.DATABASES and (
                time.monotonic() - self.invalidated_at < replica_may_lag()
            ):
                return  # a lagging replica may not show the change yet: serve, don't keep
            self._entries[lookup.key] = (lookup.film_id, entry)
            self._entries.move_to_end(lookup.key)
            if lookup.film_id is not None:
                self._by_film.setdefault(lookup.film_id, set()).add(lookup.key)
            while len(self._entries) > self.max_entries:
                old_key, (old_film, _entry) = self._entries.popitem(last=False)
                if old_film is not None:
                    self._by_film[old_film].discard(old_key)

    def __len__(self) -> int:
        return len(self._entries)

    def invalidate(self, payload: str | None = None) -> None:
        """Drop what a notification's ``payload`` makes stale (everything when None)."""
        with self._lock:
            self.invalidated_at = time.monotonic()
            film = _FILM_PAYLOAD.match(payload or "")
            if film:
                film_id = int(film.group(1))
                self._film_generations[film_id] = self._film_generations.get(film_id, 0) + 1
                for key in self._by_film.pop(film_id, ()):
                    self._entries.pop(key, None)
            elif payload in _STOCK_TABLES:
                self.details_generation += 1
                for keys in self._by_film.values():
                    for key in keys:
                        self._entries.pop(key, None)
                self._by_film.clear()
            else:
                self.generation += 1
                self._entries.clear()
                self._by_film.clear()

    def ensure_listening(self) -> bool:
        """Start this process's listener if needed; True once it is connected."""
        return self._listener.ensure_running()

    def stop(self) -> None:
        """Stop listening and forget everything (the test suite, before dropping its database)."""
        self._listener.stop()
        self.invalidate()


cache = CatalogueCache()
