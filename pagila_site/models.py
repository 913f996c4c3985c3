"""API tokens (bearer credentials issued to staff users), the idempotency keys of writing POSTs and
the count of wrong tokens per client address.

Only a SHA-256 digest of each token is stored, with its first characters as a non-secret lookup
prefix. A leaked database therefore leaks no usable token; the admin can list and revoke tokens.
An idempotency key row holds the first answer to a writing POST, for replaying it to a retry.
"""

import functools
import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.db import connections, models
from django.db.models.expressions import RawSQL
from django.db.models.functions import Now
from django.utils import timezone

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

        The rows of ``usable().select_related("user").filter(prefix=...)``, read with a SELECT
        written out once (:func:`_matching_select`): every authenticated request runs this, and
        building that queryset costs several times the Python of the rest of the lookup.
        """
        digest = token_digest(raw)
        connection = connections[self.db]
        sql, load_token, load_user = _matching_select(connection.alias)
        with connection.cursor() as cursor:
            cursor.execute(sql, [raw[:PREFIX_LENGTH]])
            rows = cursor.fetchall()
        for row in rows:
            token, rest = load_token(row, connection)
            if hmac.compare_digest(token.digest, digest):
                user, _ = load_user(rest, connection)
                ApiToken.user.field.set_cached_value(token, user)
                return token
        return None


@functools.cache
def _matching_select(alias: str):
    """The SQL of ``ApiTokenManager.matching`` (``usable()``'s conditions and a prefix), and how
    to turn its rows back into a token and a user: it selects every concrete field of each."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    user_model = ApiToken.user.field.related_model

    def token(name):
        return "t." + quote(ApiToken._meta.get_field(name).column)

    def user(name):
        return "u." + quote(user_model._meta.get_field(name).column)

    # The user's link to a Pagila staff member (customers.StaffAccount), found through the relation
    # so the project imports no app's models: an inactive staff member's tokens are refused.
    account = user_model._meta.get_field("staff_account").related_model
    account_user, account_staff = account._meta.get_field("user"), account._meta.get_field("staff")
    staff = account_staff.related_model
    staff_active = staff._meta.get_field("active")

    token_fields, user_fields = ApiToken._meta.concrete_fields, user_model._meta.concrete_fields
    columns = [token(field.name) for field in token_fields] + [user(field.name) for field in user_fields]
    # Only identifiers from the models' metadata are interpolated; the prefix is a parameter.
    sql = (
        f"SELECT {', '.join(columns)}"  # noqa: S608
        f" FROM {quote(ApiToken._meta.db_table)} t JOIN {quote(user_model._meta.db_table)} u"
        f" ON {user(user_model._meta.pk.name)} = {token('user')}"
        f" WHERE {token('prefix')} = %s AND {token('revoked_at')} IS NULL"
        f" AND {user('is_active')} AND {user('is_staff')}"
        f" AND NOT EXISTS (SELECT 1 FROM {quote(account._meta.db_table)} a"
        f" JOIN {quote(staff._meta.db_table)} s"
        f" ON s.{quote(staff._meta.pk.column)} = a.{quote(account_staff.column)}"
        f" WHERE a.{quote(account_user.column)} = {user(user_model._meta.pk.name)}"
        f" AND NOT s.{quote(staff_active.column)})"
    )
    return sql, _loader(ApiToken, token_fields, connection), _loader(user_model, user_fields, connection)


def _loader(model, fields, connection):
    """``load(row, connection)``: a ``model`` from the first ``len(fields)`` values of ``row``,
    converted as the ORM would (``from_db_value``; no field here has one on PostgreSQL), and the
    values left over."""
    attnames = [field.attname for field in fields]
    converters = [
        (index, field.cached_col, converter)
        for index, field in enumerate(fields)
        for converter in field.get_db_converters(connection)
        + connection.ops.get_db_converters(field.cached_col)
    ]

    def load(row, connection):
        values = list(row[: len(fields)])
        for index, column, converter in converters:
            values[index] = converter(values[index], column, connection)
        return model.from_db(connection.alias, attnames, values), row[len(fields) :]

    return load


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
