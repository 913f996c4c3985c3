"""API tokens: bearer credentials issued to staff users.

Only a SHA-256 digest of each token is stored, with its first characters as a non-secret lookup
prefix. A leaked database therefore leaks no usable token; the admin can list and revoke tokens.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.utils import timezone

PREFIX_LENGTH = 8


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True, user__is_staff=True)

    def matching(self, raw: str):
        """The usable token equal to ``raw``, or None; digests are compared in constant time."""
        digest = token_digest(raw)
        for token in self.usable().select_related("user").filter(prefix=raw[:PREFIX_LENGTH]):
            if hmac.compare_digest(token.digest, digest):
                return token
        return None


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'POS terminal 3'.")
    prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
