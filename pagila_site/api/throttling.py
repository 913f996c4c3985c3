"""Failed bearer-token attempts, counted per client address: ``AUTH_FAILURE_RATE`` (``10/min``).

Once an address has presented that many wrong tokens within a window, every token it presents is
refused with 429 ``throttled`` until the window ends, the right token included. A lock-out that
let the right token through would tell a guesser the moment they found it, so guessing could go
on at full speed; the price is that a client sharing an address with a guesser (behind one NAT,
say) waits out the window too. Requests without a token are never refused here: the public
catalogue stays readable. A successful attempt neither counts nor clears the count, so a staff
member's own token can't be used to keep resetting it while guessing someone else's.

Windows are fixed (``10/min``: each clock minute) and counted with the cache's atomic ``add`` and
``incr``. DRF's SimpleRateThrottle is not used: it reads a list of timestamps, appends and writes
it back, so failures sent at the same moment (what a parallel guesser sends) would overwrite each
other and go uncounted. Counts live in the default cache: per process unless CACHES names a shared
one. The client address is the peer's, or behind ``DJANGO_TRUSTED_PROXIES`` the one the proxies
forward for (``pagila_site/serving/clients.py``); an IPv6 client usually holds a whole /64, so
IPv6 addresses are counted by their /64.
"""

import ipaddress
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache

from pagila_site.serving.clients import client_ip

logger = logging.getLogger("pagila.auth")

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _rate() -> tuple[int, int]:
    """``AUTH_FAILURE_RATE`` as (failures, window in seconds); settings checked its form."""
    count, period = settings.AUTH_FAILURE_RATE.split("/")
    return int(count), _PERIODS[period[0]]


def client_address(request) -> str:
    """The client as throttles count it: :func:`~pagila_site.serving.clients.client_ip`, with an
    IPv6 address widened to its /64."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address


class AuthFailures:
    """The failed-token count of one request's client address, in the current window."""

    timer = time.time  # the tests move the clock

    def __init__(self, request):
        self.limit, self.window = _rate()
        now = self.timer()
        self.address = client_address(request)
        self.key = f"auth_failures:{self.address}:{int(now // self.window)}"
        self.seconds_left = max(1, math.ceil(self.window - now % self.window))

    def locked_out(self) -> bool:
        return cache.get(self.key, 0) >= self.limit

    def record(self) -> None:
        # add() only creates the counter; incr() is atomic in every Django cache backend.
        if cache.add(self.key, 1, timeout=self.window):
            count = 1
        else:
            try:
                count = cache.incr(self.key)
            except ValueError:  # expired between the two calls: this failure opens a new count
                cache.set(self.key, 1, timeout=self.window)
                count = 1
        if count == self.limit:
            logger.warning(
                "API token attempts locked out",
                extra={"client": self.address, "failures": count, "retry_after": self.seconds_left},
            )
