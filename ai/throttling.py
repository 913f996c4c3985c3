"""The AI endpoints' rate limit: ``AI_RATE_LIMIT`` per staff token, else per client address.

The AI views are plain async Django views (the relay streams), so DRF never runs its
authentication or throttles for them; :func:`throttled` runs both for all three, the API's
bearer token check and DRF's own :class:`SimpleRateThrottle` bookkeeping, in a worker thread
because both the cache and the token lookup are synchronous. The token it finds also decides the
caller's scope for the AI tools (:func:`caller_scope`).
"""

import math

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from rest_framework import exceptions
from rest_framework.throttling import SimpleRateThrottle

from customers.scope import Scope, scope_of
from pagila_site.api.authentication import BearerTokenAuthentication
from pagila_site.api.errors import error_response, exception_response
from pagila_site.api.throttling import client_address
from pagila_site.models import ApiToken


class AiRateThrottle(SimpleRateThrottle):
    scope = "ai"

    def get_rate(self) -> str:
        return settings.AI_RATE_LIMIT

    def get_ident(self, request) -> str:
        # The lock-out's notion of a client: forwarded-for only from DJANGO_TRUSTED_PROXIES, IPv6 by /64.
        return client_address(request)

    token: ApiToken | None = None
    user = None

    def allow_request(self, request, view) -> bool:
        # A presented token is checked exactly as the API checks it, first: a wrong one (or a
        # malformed header) raises AuthenticationFailed and counts towards the address's
        # lock-out, and a locked-out address gets Throttled, so these public endpoints can't be
        # used to go on guessing tokens where the API would refuse.
        self.user, self.token = BearerTokenAuthentication().authenticate(request) or (None, None)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        # Only a valid token has its own budget: inventing tokens must not buy more requests.
        ident = f"token-{self.token.pk}" if self.token is not None else f"addr-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


async def throttled(request) -> JsonResponse | None:
    """The response refusing ``request``, else None (and the request is counted).

    401 for a bearer token that is sent and not valid (``authentication_failed``, as the API
    answers; never a fall-back to the session), 429 while its address is locked out after too
    many of those, or when it is over the limit. A valid token's user and the token are set on
    the request as DRF sets them (``request.user``, ``request.auth``), for :func:`caller_scope`
    and the request log; without a token, ``request.auth`` is None and the session stays as it is.
    """
    throttle = AiRateThrottle()
    try:
        allowed = await sync_to_async(throttle.allow_request)(request, None)
    except (exceptions.AuthenticationFailed, exceptions.Throttled) as exc:
        return exception_response(exc)
    request.auth = throttle.token
    if throttle.token is not None:
        request.user = throttle.user
    if allowed:
        return None
    seconds = max(1, math.ceil(throttle.wait() or 1))
    response = error_response(
        429,
        f"Request was throttled. Expected available in {seconds} second{'s' * (seconds != 1)}.",
        "throttled",
    )
    response["Retry-After"] = str(seconds)
    return response


def _scope_of_session(request) -> Scope:
    # Only a session the back office itself would let in (active staff, with the second factor the
    # sign-in policy asks of them): a password-only session of an enrolled user, or one from before
    # DJANGO_ADMIN_2FA=required, is anonymous here as it is refused there.
    return scope_of(request.user if admin.site.has_permission(request) else AnonymousUser())


async def caller_scope(request) -> Scope:
    """Whose data the AI tools may show: a valid token's user (found by :func:`throttled`, which
    must run first), else a staff session's (the admin's Ask AI page), else nobody's."""
    if request.auth is not None:
        return await sync_to_async(scope_of)(request.user)
    return await sync_to_async(_scope_of_session)(request)
