"""API tokens (bearer credentials issued to staff users), the idempotency keys of writing POSTs and
the count of wrong tokens per client address.

Only a SHA-256 digest of each token is stored, with its first characters as a non-secret lookup
prefix. A leaked database therefore leaks no usable token; the admin can list and revoke tokens.
An idempotency key row holds the first answer to a writing POST, for replaying it to a retry.
"""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.expressions import RawSQL
from django.db.models.functions import Now
from django.utils import timezone

from pagila_site.compiled import CompiledQuery, Slot

PREFIX_LENGTH = 8


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


#: How long ``issue_token`` and the admin make a token last unless told otherwise.
DEFAULT_LIFETIME_DAYS = 90


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        """Tokens that still authenticate someone, expired ones included (they are refused as
        ``token_expired``): not revoked, their user active and staff, and not linked to a Pagila
        staff member set inactive."""
        return self.filter(revoked_at__isnull=True, user__is_active=True, user__is_staff=True).exclude(
            user__staff_account__staff__active=False
        )

    def current(self):
        return self.usable().exclude(expires_at__lte=Now())


class ApiTokenManager(models.Manager.from_queryset(ApiTokenQuerySet)):
    def matching(self, raw: str):
        """The usable token equal to ``raw``, its user loaded, or None; digests are compared in
        constant time.

        ``usable().select_related("user")`` by prefix, compiled once per process
        (:mod:`pagila_site.compiled`): every authenticated request runs this, and building that
        queryset costs several times the Python of the rest of the lookup.
        """
        digest = token_digest(raw)
        for token in _USABLE_BY_PREFIX.rows(prefix=raw[:PREFIX_LENGTH]):
            if hmac.compare_digest(token.digest, digest):
                return token
        return None


_USABLE_BY_PREFIX = CompiledQuery(
    lambda: (
        ApiToken.objects.usable()
        .select_related("user")
        .filter(prefix=Slot("prefix", models.CharField()))
        .order_by()
    )
)


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'POS terminal 3'.")
    prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Null: never expires (issue_token --expires-in 0). A token past it is refused as
    # ``token_expired``, not as unknown, so its owner knows to ask for a new one.
    expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenManager()

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def has_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


# How long a stored answer is replayed: the contract's "within 24 hours". Older rows count as
# absent (a repeat runs again and replaces them) and `manage.py purge_idempotency_keys` deletes them.
IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)


class IdempotencyKeyQuerySet(models.QuerySet):
    def expired(self):
        # The database's clock, like created_at's default, so hosts with skewed clocks agree.
        return self.filter(created_at__lt=Now() - IDEMPOTENCY_KEY_LIFETIME)

    def current(self):
        return self.exclude(created_at__lt=Now() - IDEMPOTENCY_KEY_LIFETIME)

    def abandoned(self):
        """Keys without an answer whose claiming database session is gone: its request died (a
        worker killed, the database restarted, the connection lost) and will never answer."""
        table = self.model._meta.db_table
        alive = RawSQL(  # noqa: S611 - no parameters, only our table's name
            f'EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = "{table}".backend_pid'  # noqa: S608 - our table's name
            f' AND a.backend_start = "{table}".backend_start)',
            [],
            output_field=models.BooleanField(),
        )
        return self.filter(status__isnull=True).alias(alive=alive).filter(alive=False)


class IdempotencyKey(models.Model):
    """One ``Idempotency-Key`` a user sent with a writing POST, and the answer it got.

    The row is inserted (and committed) before the view runs, without a status: while it has
    none, the first request is still running. The unique (user, key) constraint is what makes a
    concurrent repeat find it; see :mod:`pagila_site.api.idempotency`.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    # Text: a path the URLs accept (ids with leading zeros) has no length limit.
    path = models.TextField()
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the canonical JSON body.")
    status = models.PositiveSmallIntegerField(null=True, help_text="Null while the first request runs.")
    response_body = models.TextField(blank=True, default="")
    location = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(db_default=Now(), db_index=True)
    # The database session that claimed the key: while it has no answer, a repeat asks PostgreSQL
    # whether that session still exists (pg_stat_activity) to tell "still running" from "died".
    backend_pid = models.IntegerField(null=True)
    backend_start = models.DateTimeField(null=True)

    objects = IdempotencyKeyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"


class AuthFailureWindow(models.Model):
    """How many wrong bearer tokens one client address presented in one window of
    ``AUTH_FAILURE_RATE`` (:mod:`pagila_site.api.throttling`): counted here, not in a process's
    memory, so every worker and host agrees. Rows of past windows are deleted as new ones start."""

    pk = models.CompositePrimaryKey("address", "window_start")
    # Text: the client as the throttle counts it (an IPv6 client as its /64, "2001:db8::/64").
    address = models.TextField()
    window_start = models.DateTimeField()
    failures = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.address} from {self.window_start:%Y-%m-%d %H:%M:%S}: {self.failures}"
