"""Failed bearer-token attempts, counted per client address: ``AUTH_FAILURE_RATE`` (``10/min``).

Once an address has presented that many wrong tokens within a window, every token it presents is
refused with 429 ``throttled`` until the window ends, the right token included. A lock-out that
let the right token through would tell a guesser the moment they found it, so guessing could go
on at full speed; the price is that a client sharing an address with a guesser (behind one NAT,
say) waits out the window too. Requests without a token are never refused here: the public
catalogue stays readable. A successful attempt neither counts nor clears the count, so a staff
member's own token can't be used to keep resetting it while guessing someone else's.

Windows are fixed (``10/min``: each clock minute) and counted in PostgreSQL, one
:class:`~pagila_site.models.AuthFailureWindow` row per address and window, so every worker and
host counts together (counted in each process's memory, two workers let 20 wrong tokens through
instead of 10). One ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` adds a failure and reads
the new count atomically: failures sent at the same moment (what a parallel guesser sends) are
all counted. DRF's SimpleRateThrottle is not used: it reads a list of timestamps from the cache,
appends and writes it back, so such failures would overwrite each other. Checking an address
costs every token request one read by primary key. The client address is the peer's, or behind
``DJANGO_TRUSTED_PROXIES`` the one the proxies forward for (``pagila_site/serving/clients.py``);
an IPv6 client usually holds a whole /64, so IPv6 addresses are counted by their /64.
"""

import ipaddress
import logging
import math
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connections, router

from pagila_site.models import AuthFailureWindow
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
        self.window_start = datetime.fromtimestamp(now // self.window * self.window, UTC)
        self.seconds_left = max(1, math.ceil(self.window - now % self.window))

    def locked_out(self) -> bool:
        row = _one(f"SELECT failures FROM {_TABLE} WHERE address = %s AND window_start = %s", self)  # noqa: S608
        return row is not None and row[0] >= self.limit

    def record(self) -> None:
        # One statement adds the failure and reads the new count: the row is locked meanwhile.
        (count,) = _one(
            f"INSERT INTO {_TABLE} (address, window_start, failures) VALUES (%s, %s, 1)"  # noqa: S608
            f" ON CONFLICT (address, window_start) DO UPDATE SET failures = {_TABLE}.failures + 1"
            " RETURNING failures",
            self,
        )
        if count == 1:
            # The address's first failure of this window: past windows' rows are done with. The one
            # before stays for a host whose clock lags a little behind.
            AuthFailureWindow.objects.filter(
                window_start__lt=self.window_start - timedelta(seconds=self.window)
            ).delete()
        if count == self.limit:
            logger.warning(
                "API token attempts locked out",
                extra={"client": self.address, "failures": count, "retry_after": self.seconds_left},
            )


_TABLE = AuthFailureWindow._meta.db_table  # a plain name: pagila_site_authfailurewindow


def _one(sql: str, failures: AuthFailures) -> tuple | None:
    """The first row of ``sql`` run with the address and window of ``failures``. Written out
    rather than built with the ORM: every request with a token runs the read, and building its
    queryset would cost several times the query."""
    with connections[router.db_for_write(AuthFailureWindow)].cursor() as cursor:
        cursor.execute(sql, [failures.address, failures.window_start])
        return cursor.fetchone()
