"""Writes on API tokens, shared by the admin and the management commands."""

import secrets

from django.contrib.auth.models import AbstractUser
from django.db import transaction
from django.utils import timezone

from pagila_site.models import PREFIX_LENGTH, ApiToken, token_digest


class TokenError(ValueError):
    pass


@transaction.atomic
def token_issue(*, user: AbstractUser, name: str, raw: str | None = None) -> tuple[ApiToken, str]:
    """Issue a token to a staff user. Returns the row and the raw token, which is shown once.

    ``raw`` is only for the development set-up's well-known ``dvd_admin`` token; everything else
    gets 256 bits from the OS.
    """
    if not user.is_staff:
        raise TokenError(f"{user.get_username()} is not a staff user; tokens are for staff only.")
    raw = raw or secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:PREFIX_LENGTH], digest=token_digest(raw)
    )
    return token, raw


def token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
