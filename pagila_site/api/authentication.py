"""``Authorization: Bearer <token>`` for the API, checked against hashed ApiToken rows.

Wrong tokens are counted per client address; past ``AUTH_FAILURE_RATE`` the address gets 429
for any token until the window ends (see :mod:`pagila_site.api.throttling` for why the right token
is refused too).
"""

import logging

from django.utils import timezone
from rest_framework import authentication, exceptions

from pagila_site.api.throttling import AuthFailures
from pagila_site.models import ApiToken

logger = logging.getLogger("pagila.auth")

# Refresh last_used_at at most this often, so authenticating is not a write per request.
_LAST_USED_RESOLUTION = timezone.timedelta(minutes=5)


def bearer_token(request) -> str | None:
    """The token of the request's ``Authorization: Bearer <token>`` header (scheme in any case).

    None without an Authorization header; AuthenticationFailed for one that is not ``Bearer``
    and a single token. The API and the AI endpoints both read tokens through here.
    """
    header = authentication.get_authorization_header(request).decode("latin-1")
    if not header:
        return None
    scheme, _, raw = header.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw or " " in raw:
        raise exceptions.AuthenticationFailed("Invalid Authorization header: expected 'Bearer <token>'.")
    return raw


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = "This token has expired; ask for a new one (manage.py issue_token)."
    default_code = "token_expired"


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        raw = bearer_token(request)
        if raw is None:
            return None
        failures = AuthFailures(request)
        if failures.locked_out():
            # Checked before the token, so the answer says nothing about whether it was right.
            raise exceptions.Throttled(wait=failures.seconds_left, detail="Too many failed token attempts.")
        token = ApiToken.objects.matching(raw)
        if token is None:
            failures.record()
            # Never log the presented value, not even partly.
            logger.info("rejected API token", extra={"path": request.path})
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        if token.has_expired(now):
            # The right token, out of date: no failure to count, and its owner is told why.
            raise TokenExpired()
        if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
