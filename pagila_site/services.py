"""Writes on API tokens, shared by the admin and the management commands."""

import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractUser
from django.db import transaction
from django.utils import timezone

from pagila_site.models import DEFAULT_LIFETIME_DAYS, PREFIX_LENGTH, ApiToken, token_digest


class TokenError(ValueError):
    pass


@transaction.atomic
def token_issue(
    *, user: AbstractUser, name: str, days: float = DEFAULT_LIFETIME_DAYS, raw: str | None = None
) -> tuple[ApiToken, str]:
    """Issue a token to a staff user, valid for ``days`` (0: it never expires). Returns the row and
    the raw token, which is shown once.

    ``raw`` is only for the development set-up's well-known ``dvd_admin`` token; everything else
    gets 256 bits from the OS.
    """
    if not user.is_staff:
        raise TokenError(f"{user.get_username()} is not a staff user; tokens are for staff only.")
    if not user.is_active:
        raise TokenError(f"{user.get_username()} is inactive; an inactive user has no access.")
    if days < 0:
        raise TokenError("A token's lifetime is a number of days, 0 (never expires) or more.")
    now = timezone.now()
    raw = raw or _new_token()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:PREFIX_LENGTH],
        digest=token_digest(raw),
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    return token, raw


def _new_token() -> str:
    """256 bits from the OS, URL-safe; never starting with "-", so that its prefix, pasted into
    ``manage.py revoke_token``, is not read as an option."""
    while (raw := secrets.token_urlsafe(32)).startswith("-"):
        pass
    return raw


def token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def tokens_revoke_by_prefix(prefix: str) -> int:
    """Revoke every unrevoked token whose first characters are ``prefix`` (what logs and the admin
    show of a token); returns how many. Usually one: two tokens share a prefix once in 2^48."""
    if len(prefix) != PREFIX_LENGTH:
        raise TokenError(f"A token's prefix is its first {PREFIX_LENGTH} characters; got {len(prefix)}.")
    return ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True).update(revoked_at=timezone.now())
