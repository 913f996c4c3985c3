"""Streams the rows of a ``COPY (...) TO STDOUT (FORMAT csv)`` to a client from a connection of
the stream's own, under the export's time limit, and stops the query when the stream stops.

Why a connection of its own (psycopg's ``AsyncConnection``, not Django's): the response is sent
by the event loop after the view has returned, and the view's connection goes back to the pool
when it does; an export takes seconds to minutes, which no pooled connection nor serving thread
should be held for. The session is read-only, in UTC, named ``pagila csv export`` in
``pg_stat_activity``, and its ``statement_timeout`` is ``DATABASE_EXPORT_STATEMENT_TIMEOUT``: the
whole export is one statement, so that is the export's time limit (the time a slow client takes
to read included, though PostgreSQL can act on it only once its writes go through again).

Stopping: the view's ``ClosingStreamingResponse`` (``serving/streams.py``) closes this generator
whenever sending stops, a hang-up included, so it leaves its ``async with`` blocks, where psycopg
cancels the running ``COPY`` in the server (a cancel request, then it reads what was already on
its way) and closes the connection. A query that fails (over its time limit) is logged and ends
the stream with ``StreamCutShort``: the client's download fails instead of looking complete.

PostgreSQL ends CSV lines with ``\\n``, ``csv.writer`` (what the exports wrote before) with
``\\r\\n``: :func:`crlf_lines` turns one into the other, leaving line breaks inside quoted values
as both leave them.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import AsyncIterator, Callable

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pagila_site.serving.streams import StreamCutShort

logger = logging.getLogger("pagila.export")

APPLICATION_NAME = "pagila csv export"
# Rows are gathered into pieces of about this many bytes before they are sent: one send per row
# would be a trip through Django's and uvicorn's sending for every 140 bytes.
PIECE_SIZE = 256 * 1024


def sending_time_limit(timeout: float) -> float | None:
    """The response's own time limit for an export whose query has ``timeout`` (0: none). A few
    seconds later than the query's, so that PostgreSQL's limit normally ends an export (and the log
    says so): this one is for a client that stopped reading, whose backend waits to write and
    cannot act on its own limit until the client reads again."""
    return timeout + 5.0 if timeout else None


def crlf_lines(data: bytes) -> bytes:
    """Whole CSV lines as PostgreSQL writes them, ended by ``\\r\\n`` instead of ``\\n``.

    ``data`` holds whole lines, so it starts outside quotes, and every quote toggles between
    outside and inside (a quote doubled inside a value toggles twice): splitting on quotes, the
    even pieces are outside, where a ``\\n`` ends a line.
    """
    if b'"' not in data:
        return data.replace(b"\n", b"\r\n")
    pieces = data.split(b'"')
    pieces[::2] = [piece.replace(b"\n", b"\r\n") for piece in pieces[::2]]
    return b'"'.join(pieces)


def export_conninfo(conninfo: str, timeout: float) -> str:
    """``conninfo`` with the export's session settings, which libpq sends as the connection starts
    (no round trip). They come after the ``options`` already there (the requests' own
    ``statement_timeout``), and PostgreSQL applies the last of each. The time limit is rounded up
    to a millisecond, so a small one is not read as none (0)."""
    ours = (
        f"-c statement_timeout={math.ceil(timeout * 1000)} -c TimeZone=UTC"
        " -c default_transaction_read_only=on"
    )
    options = f"{conninfo_to_dict(conninfo).get('options', '')} {ours}".strip()
    return make_conninfo(conninfo, options=options, application_name=APPLICATION_NAME)


async def copy_csv(
    statement: str, *, header: bytes, conninfo: str, timeout: float, request_id: str | None = None
) -> AsyncIterator[bytes]:
    """``header``, then the rows of ``statement`` (a ``COPY ... TO STDOUT (FORMAT csv)`` with any
    parameters already inlined) in pieces of whole lines of about ``PIECE_SIZE`` bytes."""
    yield header
    session = export_conninfo(conninfo, timeout)
    log = {"request_id": request_id}
    try:
        async with (
            await psycopg.AsyncConnection.connect(session, autocommit=True) as conn,
            conn.cursor().copy(statement) as copy,
        ):
            piece = bytearray()
            # read() rather than ``async for``: one async generator less per row, a tenth of the
            # export's Python time.
            while row := await copy.read():
                piece += row
                if len(piece) >= PIECE_SIZE:
                    yield crlf_lines(bytes(piece))
                    piece.clear()
            if piece:
                yield crlf_lines(bytes(piece))
    except psycopg.errors.QueryCanceled as exc:
        # The time limit, or an administrator's pg_cancel_backend(): a hang-up's cancel is
        # psycopg's own, which it expects and swallows.
        reason = exc.diag.message_primary
        logger.warning(
            "csv export stopped: query canceled", extra={**log, "reason": reason, "timeout_s": timeout}
        )
        raise StreamCutShort(reason) from exc
    except psycopg.Error as exc:
        logger.error("csv export stopped: database error", exc_info=True, extra=log)
        raise StreamCutShort("database error") from exc


class ExportSlots:
    """At most ``size`` exports of this process at once: each holds a database connection outside
    the pool for as long as it streams, so without a bound a few users could take every
    connection PostgreSQL has. :meth:`take` answers None when all are in use."""

    def __init__(self, size: int):
        self.size = size
        self._free = threading.BoundedSemaphore(size)

    def take(self, make_source: Callable[[], AsyncIterator[bytes]]) -> HeldSlot | None:
        """``make_source()`` holding a slot, or None without calling it when all are in use (a
        refused export compiles nothing)."""
        if not self._free.acquire(blocking=False):
            return None
        try:
            return HeldSlot(make_source(), self._free.release)
        except BaseException:
            self._free.release()
            raise


class HeldSlot:
    """``source``, holding an export slot until it is closed: by the sending (``aclose``) or by
    Django's ``response.close()``, which calls ``close`` whether or not the stream ever started
    (a never-started generator's ``finally`` would not run)."""

    def __init__(self, source: AsyncIterator[bytes], release):
        self._source = source
        self._release = release
        self._released = False

    def __aiter__(self):
        return self

    async def __anext__(self) -> bytes:
        return await self._source.__anext__()

    async def aclose(self) -> None:
        try:
            await self._source.aclose()
        finally:
            self.close()

    def close(self) -> None:
        if not self._released:
            self._released = True
            self._release()
