"""Responses that stream from an async iterator out of a sync view: sent by the event loop, stopped
when the client hangs up, closed whenever sending stops, and cut short visibly when they fail.

:class:`~pagila_site.serving.app.ThreadPoolHandler` hands such a response back to the loop (no serving
thread is held while it streams) and sends it with :func:`send_watching`, which watches for
``http.disconnect`` while it sends, as ``ThreadPoolHandler`` does (Django's ``listen_for_disconnect``)
while the view runs.
"""

from __future__ import annotations

import asyncio
import logging

from django.http import StreamingHttpResponse

logger = logging.getLogger("pagila.streams")
error_logger = logging.getLogger("pagila.errors")


class StreamCutShort(Exception):
    """Raised by a stream that has logged why it ends before its last piece (a time limit ran
    out, its database went away): the response has started, so its body is left unfinished."""


class ClosingStreamingResponse(StreamingHttpResponse):
    """A streaming response whose async iterator is closed whenever the sending stops, and whose
    sending stops after ``time_limit`` seconds if given.

    Django's ASGI sending closes the iterator it walks (``aclosing(aiter(response))``), which is
    this ``__aiter__``; the iterator given to the response sits two wrappers below it and would
    otherwise stay open, with whatever it holds (a database connection, a running query), until
    the garbage collector finalized it. ``test_it_stops_async_streams_on_hang_up.py`` fails if
    Django's sending stops closing what it walks.
    """

    def __init__(self, source, *, time_limit: float | None = None, **kwargs):
        super().__init__(source, **kwargs)
        self._source = source
        self.time_limit = time_limit

    async def __aiter__(self):
        try:
            async for part in super().__aiter__():
                yield part
        finally:
            await self._source.aclose()


async def send_watching(send_response, response, receive, send) -> None:
    """``send_response(response, send)`` (Django's ``ASGIHandler.send_response``), cancelled if
    the client hangs up first, or when the response's ``time_limit`` runs out.

    uvicorn accepts and drops whatever is sent after a hang-up, so without this a stream would
    run to its end for nobody; and it waits for as long as a client that stops reading takes, so
    only a time limit here bounds that. A stream that fails or runs out of time once the response
    has started leaves its body unfinished (no final chunk): the client sees the download fail,
    never a complete-looking truncated file. That is logged, unless the stream said why itself
    (:class:`StreamCutShort`).
    """
    log = {"request_id": response.get("X-Request-ID")}
    sending = asyncio.ensure_future(send_response(response, send))
    # After the request's body the only message is http.disconnect: a hang-up, or the end of the
    # response once it is complete.
    hang_up = asyncio.ensure_future(receive())
    try:
        done, _pending = await asyncio.wait(
            [sending, hang_up],
            timeout=getattr(response, "time_limit", None),
            return_when=asyncio.FIRST_COMPLETED,
        )
    finally:
        hang_up.cancel()
        sending.cancel()  # a no-op once it has finished
        # Cancelling closes the iterator (see ClosingStreamingResponse): wait until it is closed.
        (outcome,) = await asyncio.gather(sending, return_exceptions=True)
    if not done:
        logger.warning(
            "streamed response stopped: over its time limit",
            extra={**log, "time_limit_s": response.time_limit},
        )
    elif isinstance(outcome, Exception) and not isinstance(outcome, StreamCutShort):
        error_logger.error("streamed response failed", exc_info=outcome, extra=log)
