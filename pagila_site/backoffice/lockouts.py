"""Admin sign-in lock-outs, on django-axes: a limit per username and per address, the page, the log.

Axes hooks into ``django.contrib.auth.authenticate(request, ...)``, which the admin's login form
calls: its backend (first in ``AUTHENTICATION_BACKENDS``) refuses a locked-out sign-in before any
password is checked, its database handler records each failure in its ``AccessAttempt`` table
(PostgreSQL, so every worker and host agrees), and its middleware swaps the refused sign-in's
answer for :func:`lockout_response`. The settings are in ``settings.py`` (``AXES_*``).

What axes doesn't do is two limits: its database handler counts the failures of each lockout
parameter (``AXES_LOCKOUT_PARAMETERS``: username, address) and locks out when the largest count
reaches one ``AXES_FAILURE_LIMIT``, where the contract has 5 per username and 20 per address
(``SIGN_IN_FAILURE_LIMITS``). :class:`SignInLockouts` keeps axes' counting and changes only the
number compared with that limit. Operators unlock with axes' commands: ``manage.py
axes_reset_username NAME``, ``axes_reset_ip ADDRESS`` (or delete the access attempts in the admin).
"""

import ipaddress
import logging

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit, get_lockout_parameters
from axes.models import AccessFailureLog
from django.conf import settings
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import render

from pagila_site.api import throttling

logger = logging.getLogger("pagila.auth")

# Axes' names for the lockout parameters, as the log and the page say them.
_NAMES = {"username": "username", "ip_address": "address"}
_LOCKED = {
    "username": "Too many failed sign-ins for this username: it is locked out for {minutes} minutes.",
    "ip_address": "Too many failed sign-ins from your address: it is locked out for {minutes} minutes.",
}


class SignInLockouts(AxesDatabaseHandler):
    """Axes' database handler, with a limit of its own for each lockout parameter."""

    def failures(self, request, credentials=None) -> dict[str, int]:
        """The failures counted against each lockout parameter (``username``, ``ip_address``): the
        most that fell within 15 minutes (``AXES_COOLOFF_TIME``) of one another, ending at a
        failure of the last 15 minutes, so a lock-out lasts 15 minutes from the failure that made
        it. Axes' own count (``failures_since_start``) adds up failures as long as each comes
        within 15 minutes of the one before, an hour's worth included; the contract counts those
        "within 15 minutes". Its count still bounds this one: an operator's reset (``axes_reset_*``)
        deletes axes' attempts, not the failure log."""
        cool_off = get_cool_off(request)
        now = request.axes_attempt_time
        counted = {}
        parameters = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)
        for parameter, group in zip(parameters, attempts, strict=True):
            since_start = group.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
            value = (
                get_client_username(request, credentials)
                if parameter == "username"
                else request.axes_ip_address
            )
            times = sorted(
                AccessFailureLog.objects.filter(
                    **{parameter: value}, attempt_time__gt=now - 2 * cool_off
                ).values_list("attempt_time", flat=True)
            )
            # The failure being recorded is logged only after axes has counted it.
            if getattr(request, "pagila_failure_unlogged", False):
                times.append(now)
            counted[parameter] = min(since_start, _most_within(times, cool_off, now - cool_off))
        return counted

    def locked(self, failures: dict[str, int]) -> list[str]:
        """The lockout parameters whose failures reached their limit."""
        limits = settings.SIGN_IN_FAILURE_LIMITS
        return [parameter for parameter, count in failures.items() if count >= limits[parameter]]

    def get_failures(self, request, credentials=None) -> int:
        """What axes compares with ``AXES_FAILURE_LIMIT``: that limit less the fewest failures any
        parameter has left before its own limit. It reaches the limit exactly when one parameter
        reaches its own; with the limit set to the username's, it is the username's count until
        the address comes closer to its limit."""
        limits = settings.SIGN_IN_FAILURE_LIMITS
        left = min(
            limits[parameter] - count for parameter, count in self.failures(request, credentials).items()
        )
        return get_failure_limit(request, credentials) - left

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is not None:
            request.pagila_failure_unlogged = True
        try:
            super().user_login_failed(sender, credentials, request, **kwargs)
        finally:
            if request is not None:
                request.pagila_failure_unlogged = False
        if request is None:  # axes refused to count it and logged why
            return
        failures = self.failures(request, credentials)
        extra = {
            "username": get_client_username(request, credentials),
            "client": request.axes_ip_address,
            "failures": {_NAMES[parameter]: count for parameter, count in failures.items()},
        }
        if not request.axes_locked_out:
            logger.warning("admin sign-in failed", extra=extra)
            return
        extra["locked"] = [_NAMES[parameter] for parameter in self.locked(failures)]
        # Axes counts nothing while a lock-out lasts (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT).
        if request.axes_failures_since_start is None:
            logger.warning("admin sign-in refused: locked out", extra=extra)
        else:
            logger.warning("admin sign-in locked out", extra=extra)


def _most_within(times: list, window, since) -> int:
    """The most of ``times`` (sorted) within ``window`` of one another, counted back from each
    time after ``since``."""
    most, first = 0, 0
    for last, moment in enumerate(times):
        while times[first] < moment - window:
            first += 1
        if moment > since:
            most = max(most, last - first + 1)
    return most


def client_address(request) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the client as the failed-token lock-out counts it (behind
    ``DJANGO_TRUSTED_PROXIES`` the one forwarded for; an IPv6 client by its /64), written as an
    address because axes keeps it in a ``GenericIPAddressField``: a /64 as its first address."""
    try:
        return str(ipaddress.ip_network(throttling.client_address(request)).network_address)
    except ValueError:  # no peer address to count (a Unix socket): axes counts these together
        return None


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the login page the view just rendered, its error replaced by what
    is locked out and for how long, with 429."""
    handler = AxesProxyHandler.get_implementation()
    cool_off = get_cool_off(request)
    minutes = round(cool_off.total_seconds() / 60)
    locked = handler.locked(handler.failures(request, credentials))
    messages = [_LOCKED[parameter].format(minutes=minutes) for parameter in locked]
    context = getattr(original_response, "context_data", None) or {}
    form = context.get("form")
    if form is None:  # not a login form's answer: the message alone
        return HttpResponse(" ".join(messages), status=429, content_type="text/plain; charset=utf-8")
    form.errors.clear()
    for message in messages:
        form.add_error(None, message)
    response = render(request, original_response.template_name, context, status=429)
    # At the latest: the lock-out ends 15 minutes after the failure that locked it.
    response["Retry-After"] = str(round(cool_off.total_seconds()))
    return response
