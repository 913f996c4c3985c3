"""Settings for the Pagila back office, all read from the environment.

Every value comes through the one ``env`` object below; a malformed value (``DJANGO_DEBUG=maybe``,
a bad ``DATABASE_URL``) stops start-up with a message naming the variable. Defaults are the
production-safe ones: DEBUG is off unless asked for. ``.env.example`` lists every variable.
Importing this module starts no process and opens no connection.
"""

import ipaddress
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


class StrictEnv(environ.Env):
    """django-environ reads any unknown word as False; a typo must not silently turn a setting off."""

    TRUE = {"1", "true", "yes", "on"}
    FALSE = {"0", "false", "no", "off"}

    def bool(self, var, default=environ.Env.NOTSET):
        raw = self.str(var, default=None if default is environ.Env.NOTSET else str(default))
        if raw is None:
            raise ImproperlyConfigured(f"Set the {var} environment variable")
        value = raw.strip().lower()
        if value not in self.TRUE | self.FALSE:
            raise ValueError(f"{raw!r} is not a boolean (use true or false)")
        return value in self.TRUE


env = StrictEnv()
# A local .env (git-ignored) is read when present; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _env(reader, name, **kwargs):
    """Read one variable, turning a malformed value into a clear start-up error."""
    try:
        return reader(name, **kwargs)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {exc}") from exc


DEBUG = _env(env.bool, "DJANGO_DEBUG", default=False)

SECRET_KEY = _env(env.str, "DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (make run generates one in .secret_key)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = _env(env.list, "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = _env(env.list, "DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "pagila_site.apps.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    # Two-factor sign-in for the admin: TOTP authenticators and their recovery codes.
    "django_otp",
    "pagila_site.apps.AuthenticatorsConfig",
    "pagila_site.apps.RecoveryCodesConfig",
    # Admin sign-in lock-outs: failed attempts per username and per address.
    "axes",
    "corsheaders",
    "pagila_site",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "films",
    "customers",
    "rentals",
    "changes",
    "ai",
]

MIDDLEWARE = [
    "pagila_site.serving.middleware.RequestLogMiddleware",
    # First after the log: a cached catalogue page skips everything below (see the package).
    "pagila_site.serving.catalogue_cache.middleware.CatalogueCacheMiddleware",
    # As high as django-cors-headers asks (before anything that may answer: a preflight never
    # reaches DRF's token check), but under the catalogue cache, whose pages keep their CORS
    # headers (the cache key includes Origin).
    "corsheaders.middleware.CorsMiddleware",
    "pagila_site.api.errors.ApiErrorMiddleware",
    # Under ApiErrorMiddleware, which makes its 413 the contract's JSON under /api/.
    "pagila_site.serving.middleware.BodySizeLimitMiddleware",
    # Under ApiErrorMiddleware, so a statement out of time is answered here first (503
    # query_timeout) and not as the database being unavailable.
    "pagila_site.serving.timeouts.QueryTimeoutMiddleware",
    # Under both: a read the replica failed is served again on the primary before either turns
    # the error into a 503.
    "pagila_site.serving.replica.ReplicaFallbackMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Under SecurityMiddleware and the catalogue cache: cached pages carry the policy too.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETag on every GET answered in full (hash of the rendered body) and 304 for If-None-Match.
    "django.middleware.http.ConditionalGetMiddleware",
    "pagila_site.serving.middleware.OptionalSlashMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every write of the request tells PostgreSQL who made it, for its change records.
    "pagila_site.change_context.ChangeContextMiddleware",
    # request.user.is_verified(): whether this session passed a second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a sign-in it refused into the lock-out page (AXES_*).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pagila_site.urls"
WSGI_APPLICATION = "pagila_site.wsgi.application"
ASGI_APPLICATION = "pagila_site.asgi.application"
# Paths answer with and without a trailing slash; OptionalSlashMiddleware does it without redirects.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The response's nonce, for Swagger UI's inline start-up script.
                "django.template.context_processors.csp",
            ],
        },
    },
]

# Database: always DATABASE_URL. Settings start nothing; make runs every command through
# ``python -m pagila_site.devdb run --``, which starts the embedded server and sets the variable.
if not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured(
        "DATABASE_URL is unset: run through make (make run, make test...) or "
        "`python -m pagila_site.devdb run -- python manage.py ...` for the embedded PostgreSQL."
    )


def _prepare_threshold() -> int | None:
    """DATABASE_PREPARE_THRESHOLD: after how many runs a connection prepares a statement; "off"
    (or empty) never prepares."""
    value = env.str("DATABASE_PREPARE_THRESHOLD", default="5").strip().lower()
    if value in ("", "off"):
        return None
    try:
        threshold = int(value)
    except ValueError:
        threshold = -1
    if threshold < 0:
        raise ImproperlyConfigured(
            "Environment variable DATABASE_PREPARE_THRESHOLD is malformed: "
            f"{value!r} is not a whole number >= 0 or off"
        )
    return threshold


def _positive_float(name, default):
    raw = env.str(name, default="")
    value = float(raw) if raw else default
    if not 0 < value < float("inf"):  # also rejects nan
        raise ValueError(f"expected a finite number of seconds above 0, got {value!r}")
    return value


def _seconds(variable: str, default: float) -> float:
    """A number of seconds >= 0 from the environment (0: no limit)."""
    value = _env(env.float, variable, default=default)
    if not 0 <= value < float("inf"):
        raise ImproperlyConfigured(
            f"Environment variable {variable} is malformed: seconds >= 0 (0: no limit)"
        )
    return value


# Every SQL statement of a web request stops after this many seconds (0: never); the request is
# then 503 query_timeout (pagila_site/serving/timeouts.py). manage.py runs commands without it
# (COMMAND_STATEMENT_TIMEOUT): migrations and loading or growing Pagila legitimately take longer.
DATABASE_STATEMENT_TIMEOUT = _seconds("DATABASE_STATEMENT_TIMEOUT", 10.0)
# The AI tools' read-only transactions may run longer: a question is worth more than a page.
AI_TOOL_STATEMENT_TIMEOUT = _seconds("AI_TOOL_STATEMENT_TIMEOUT", 30.0)

# How long a copy set aside for a hold waits for its customer (days; a decimal is allowed), and
# how often the hold worker (manage.py expire_holds --every) passes expired holds' copies on.
HOLD_READY_DAYS = _env(env.float, "HOLD_READY_DAYS", default=3.0)
if not 0 < HOLD_READY_DAYS < 3650:
    raise ImproperlyConfigured("Environment variable HOLD_READY_DAYS is malformed: days, more than 0")
HOLD_EXPIRY_INTERVAL = _seconds("HOLD_EXPIRY_INTERVAL", 20.0)

# The block rule (rentals.models.with_block): a customer owing more than this, or with more than
# this many rentals overdue, may not rent without an override. A return may be backdated (a drop
# box) by at most RETURN_BACKDATE_DAYS.
CIRCULATION_MAX_BALANCE = _env(env.str, "CIRCULATION_MAX_BALANCE", default="50.00")
try:
    CIRCULATION_MAX_BALANCE = Decimal(CIRCULATION_MAX_BALANCE)
    if not CIRCULATION_MAX_BALANCE.is_finite() or CIRCULATION_MAX_BALANCE < 0:
        raise ArithmeticError
except (ArithmeticError, InvalidOperation) as exc:
    raise ImproperlyConfigured(
        "Environment variable CIRCULATION_MAX_BALANCE is malformed: an amount >= 0 (e.g. 50.00)"
    ) from exc
CIRCULATION_MAX_OVERDUE = _env(env.int, "CIRCULATION_MAX_OVERDUE", default=2)
if CIRCULATION_MAX_OVERDUE < 0:
    raise ImproperlyConfigured("Environment variable CIRCULATION_MAX_OVERDUE is malformed: a count >= 0")
RETURN_BACKDATE_DAYS = _env(env.float, "RETURN_BACKDATE_DAYS", default=7.0)
if not 0 <= RETURN_BACKDATE_DAYS < 3650:
    raise ImproperlyConfigured("Environment variable RETURN_BACKDATE_DAYS is malformed: days >= 0")


def _database(url_variable: str) -> dict:
    database = _env(env.db_url, url_variable)
    database.update(
        {
            # Connections come from a psycopg pool per process (Django's own integration): under
            # ASGI every request runs in a fresh thread, so per-thread persistent connections
            # would pile up until PostgreSQL refuses clients.
            "CONN_MAX_AGE": 0,
            "OPTIONS": {
                # Fail fast (503) instead of hanging workers when the server is unreachable.
                "connect_timeout": _env(env.int, "DATABASE_CONNECT_TIMEOUT", default=3),
                # Parameters bound by the server, and a statement prepared the fifth time a
                # connection runs it (psycopg's threshold; Django turns preparing off unless told):
                # PostgreSQL then skips parsing and planning, which took a large share of running
                # most of our queries (figures: README, Performance). Both off for a pooler in
                # transaction mode that doesn't track prepared statements.
                "server_side_binding": _env(env.bool, "DATABASE_SERVER_SIDE_BINDING", default=True),
                "prepare_threshold": _prepare_threshold(),
                # Set when the connection starts (libpq's options), so it costs no round trip.
                "options": f"-c statement_timeout={round(DATABASE_STATEMENT_TIMEOUT * 1000)}",
                "pool": {
                    "min_size": _env(env.int, "DATABASE_POOL_MIN_SIZE", default=2),
                    "max_size": _env(env.int, "DATABASE_POOL_MAX_SIZE", default=8),
                    # Seconds a request waits for a free connection before failing (503).
                    "timeout": _env(env.float, "DATABASE_POOL_TIMEOUT", default=2.0),
                    # No "check" on every checkout: it is a round trip per request. A connection
                    # broken by a database restart fails its one request (503, the client may
                    # retry) and the pool replaces it on return.
                },
            },
            # Tests clone their database from a template holding Pagila and the migrations
            # (see conftest.py); serialising 45,000 rows for rollback emulation is not needed.
            "TEST": {"SERIALIZE": False},
        }
    )
    return database


DATABASES = {"default": _database("DATABASE_URL")}
# Threads per server process running sync views (pagila_site/serving/app.py). One process runs
# Python on one core at a time: a few threads overlap database waits, more only queue for the
# GIL (make bench served more with 2 than with 4: README, Performance), and with one thread a
# request waiting on a row lock would stall its whole worker. At most the pool's size.
SERVING_THREADS = _env(env.int, "SERVING_THREADS", default=2)
# Threads per process for /health and the public catalogue's reads (serving/app.py,
# in_priority_lane): they answer while every other thread is held by slow requests.
SERVING_PRIORITY_THREADS = _env(env.int, "SERVING_PRIORITY_THREADS", default=2)
_pool_size = DATABASES["default"]["OPTIONS"]["pool"]["max_size"]
if (
    min(SERVING_THREADS, SERVING_PRIORITY_THREADS) < 1
    or _pool_size < SERVING_THREADS + SERVING_PRIORITY_THREADS
):
    raise ImproperlyConfigured(
        "SERVING_THREADS and SERVING_PRIORITY_THREADS must be at least 1 and together at most "
        "DATABASE_POOL_MAX_SIZE"
    )
# A streaming replica for catalogue reads (pagila_site/serving/db_router.py); writes, and every
# read inside a transaction, stay on the primary. Tests use the primary's test database for it.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = _database("DATABASE_REPLICA_URL")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["pagila_site.serving.db_router.CatalogueReplicaRouter"]
# How far the replica may lag: a catalogue page computed this soon after a change is served but
# not cached, so the cache never keeps what a lagging replica still showed.
# Past it the replica serves nothing until it catches up (pagila_site/serving/replica.py).
DATABASE_REPLICA_MAX_LAG = _env(_positive_float, "DATABASE_REPLICA_MAX_LAG", default=2.0)
# Seconds between two checks of the replica (each process checks in a thread of its own).
DATABASE_REPLICA_CHECK_INTERVAL = _env(_positive_float, "DATABASE_REPLICA_CHECK_INTERVAL", default=2.0)

# A shared cache (throttle counters: the AI rate limit) when several
# processes or hosts serve the app; otherwise each process counts on its own.
REDIS_URL = _env(env.str, "REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pagila",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sign-in by password and sessions refuse inactive Pagila staff members too (customers/backends.py).
# django-axes' backend comes first: it refuses a locked-out username or address before any
# password is checked, and never signs anyone in itself.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "customers.backends.StaffMemberBackend"]
# Where a sign-in lands when its ?next= is missing or points off this site: the back office
# (Django's default, /accounts/profile/, is a page this project doesn't have).
LOGIN_REDIRECT_URL = "admin:index"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# make dev serves through the ASGI app too (no runserver): WhiteNoise finds static files in the
# apps, as runserver would, and sees them change.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Public catalogue pages are cached in each process and invalidated by PostgreSQL notifications.
CATALOGUE_CACHE_ENABLED = _env(env.bool, "CATALOGUE_CACHE_ENABLED", default=True)

# Pagila source files: a local copy, or the pinned upstream commit (checked by SHA-256).
PAGILA_DIR = _env(env.str, "PAGILA_DIR", default="") or None

# The largest request body (not counting files of a multipart upload) read into memory; a larger
# one is 413 payload_too_large (serving/middleware.py BodySizeLimitMiddleware). Django's default.
DATA_UPLOAD_MAX_MEMORY_SIZE = _env(env.int, "DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

# Security. HTTPS-only settings are on by default and turned off for plain-HTTP local serving
# with DJANGO_SECURE_SSL=false (make run does that).
SECURE_SSL = _env(env.bool, "DJANGO_SECURE_SSL", default=True)
SECURE_SSL_REDIRECT = SECURE_SSL and _env(env.bool, "DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_HSTS_SECONDS = _env(env.int, "DJANGO_SECURE_HSTS_SECONDS", default=31536000 if SECURE_SSL else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
# Behind a TLS-terminating proxy, trust its X-Forwarded-Proto header.
if _env(env.bool, "DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True


def _networks(name):
    networks = []
    for item in filter(None, (item.strip() for item in env.list(name, default=[]))):
        try:
            networks.append(str(ipaddress.ip_network(item)))
        except ValueError:
            error = f"expected addresses or CIDRs such as 10.0.0.1,10.0.0.0/8, got {item!r}"
            raise ValueError(error) from None
    return networks


# The proxies whose X-Forwarded-For is believed: the client is the right-most address in it that
# is not one of these (pagila_site/serving/clients.py); empty, the peer is the client. Independent
# of DJANGO_BEHIND_PROXY, which believes X-Forwarded-Proto from any peer: behind a proxy, set both.
TRUSTED_PROXIES = _env(_networks, "DJANGO_TRUSTED_PROXIES")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "pagila_site.api.schema.ApiAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["pagila_site.api.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["pagila_site.api.authentication.BearerTokenAuthentication"],
    # Protected unless a view says otherwise: public endpoints opt out explicitly.
    "DEFAULT_PERMISSION_CLASSES": ["customers.permissions.WorksForAStore"],
    "DEFAULT_FILTER_BACKENDS": ["pagila_site.api.filters.ListFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "pagila_site.api.pagination.ContractPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "pagila_site.api.errors.api_exception_handler",
}
# Lists that grow with the chain's history (pagila_site/api/pagination.py, CursorPagination):
# ``count`` is exact up to this many rows and null above; ``?page=N`` reaches this deep. The
# contract fixes both at 10,000; they are settings so tests can reach them on the sample data.
PAGINATION_COUNT_LIMIT = 10_000
PAGINATION_MAX_OFFSET = 10_000

SPECTACULAR_SETTINGS = {
    "TITLE": "Pagila back office API",
    "DESCRIPTION": "Films, customers, rentals, streaming subscriptions and an AI relay over Pagila.",
    "VERSION": "1.0.0",
    # Operation ids start after it (films_list, not v1_films_list): they name the generated
    # clients' functions.
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    # The contract's tags, in the docs' order. ApiAutoSchema.get_tags gives every operation the
    # one naming the resource in its path, and knows no other.
    "TAGS": [
        {
            "name": "films",
            "description": "The catalogue: films with their actors and copies, and categories. "
            "Public reads; changing a film's streaming flag needs a token.",
        },
        {"name": "customers", "description": "Customers, with their address and open rentals."},
        {
            "name": "rentals",
            "description": "Renting a copy to a customer, rentals, and returning them with the fee due.",
        },
        {"name": "payments", "description": "Payments towards rentals."},
        {"name": "subscriptions", "description": "Customers' streaming subscriptions."},
        {"name": "me", "description": "Who the token's user is: their staff member and stores."},
        {
            "name": "ai",
            "description": "The chat model: streamed answers, film summaries and the agents' "
            "handoff. Public and throttled.",
        },
        {
            "name": "holds",
            "description": "A customer asks for a film at a store; copies coming back or arriving "
            "there are set aside for the waiting holds in order.",
        },
        {"name": "transfers", "description": "Copies travelling from one store's shelf to another's."},
        {"name": "inventory", "description": "Copies: their condition and where they stand."},
        {
            "name": "changes",
            "description": "Who did what: a record of every insert, update and delete of the "
            "chain's rows, by any writer, newest first.",
        },
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would otherwise send the schema's URL to validator.swagger.io for a badge.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# --- AI ------------------------------------------------------------------------------------------
# Any OpenAI-compatible chat-completions server: OpenAI, a gateway, or a local Ollama, vLLM or
# llama.cpp (OPENAI_BASE_URL=http://localhost:11434/v1 and any non-empty key). Without a key the
# AI endpoints answer 503 ai_not_configured; nothing else depends on these. An empty value means
# the default, as .env.example's blank lines suggest.


def _http_url(name, default):
    from urllib.parse import urlsplit

    value = env.str(name, default="") or default
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"expected an http(s) URL such as {default}, got {value!r}")
    return value


def _positive_int(name, default):
    raw = env.str(name, default="")
    value = int(raw) if raw else default
    if value < 1:
        raise ValueError(f"expected a whole number above 0, got {value!r}")
    return value


def _rate(name, default):
    import re

    value = env.str(name, default="") or default
    # The rate strings DRF's throttles parse: requests per second, minute, hour or day.
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ValueError(f"expected a rate such as {default} or 1000/day, got {value!r}")
    return value


OPENAI_API_KEY = _env(env.str, "OPENAI_API_KEY", default="")
OPENAI_BASE_URL = _env(_http_url, "OPENAI_BASE_URL", default="https://api.openai.com/v1")
OPENAI_MODEL = _env(env.str, "OPENAI_MODEL", default="").strip() or "gpt-4o-mini"
# Seconds to connect, and then between any two reads: a stream that keeps producing is never cut.
OPENAI_TIMEOUT = _env(_positive_float, "OPENAI_TIMEOUT", default=30.0)
# Sent as max_tokens on every model call, so a model that rambles stops (a small local one
# otherwise writes until its context is full); a stream is also cut after this many chunks, in
# case a provider ignores it.
AI_MAX_TOKENS = _env(_positive_int, "AI_MAX_TOKENS", default=1024)
# Seconds for a whole answer returned at once (/ai/summary, /ai/handoff), every model round and
# tool call included: OPENAI_TIMEOUT bounds only the wait between two reads. Past it, 504.
AI_ANSWER_TIMEOUT = _env(_positive_float, "AI_ANSWER_TIMEOUT", default=60.0)
# Per staff token, else per client address; counted in the default cache (per process unless
# CACHES names a shared one).
AI_RATE_LIMIT = _env(_rate, "AI_RATE_LIMIT", default="30/min")
# Seconds of silence after which a started event stream gets a comment line while the model or a
# tool works, before proxies (often at 30-60 s) take the idle stream for a dead one.
AI_KEEPALIVE_SECONDS = _env(_positive_float, "AI_KEEPALIVE_SECONDS", default=15.0)
# --- end AI --------------------------------------------------------------------------------------

# --- Failed token attempts (pagila_site/api/throttling.py) ---------------------------------------
# After this many wrong bearer tokens from one client address in a window, that address gets 429
# for every token (the right one too) until the window ends. Counted in PostgreSQL.
AUTH_FAILURE_RATE = _env(_rate, "AUTH_FAILURE_RATE", default="10/min")
# --- end failed token attempts -------------------------------------------------------------------

# --- Admin sign-in lock-outs (django-axes; pagila_site/backoffice/lockouts.py) -------------------
# The contract's numbers: 5 failed sign-ins for one username, or 20 from one client address, lock
# that username (or address) out, the right password included, until 15 minutes have passed since
# the last failure that counted. Counted in PostgreSQL (axes' database handler), so every worker and
# host agrees; attempts refused while locked out don't count (the lock-out isn't prolonged by them).
SIGN_IN_FAILURE_LIMITS = {"username": 5, "ip_address": 20}
AXES_LOCKOUT_PARAMETERS = list(SIGN_IN_FAILURE_LIMITS)
# The one limit axes compares with; SignInLockouts.get_failures puts both counts on its scale.
AXES_FAILURE_LIMIT = SIGN_IN_FAILURE_LIMITS["username"]
AXES_HANDLER = "pagila_site.backoffice.lockouts.SignInLockouts"
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Each failure's time, which "5 within 15 minutes" is counted from (SignInLockouts.failures); the
# admin lists them under "Access failures".
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success clears nothing: axes would delete the address's failures for every username too, so a
# guesser with one account of their own could sign into it to reset their count.
AXES_RESET_ON_SUCCESS = False
# The client as the API's throttles see it: behind DJANGO_TRUSTED_PROXIES, the one forwarded for.
AXES_CLIENT_IP_CALLABLE = "pagila_site.backoffice.lockouts.client_address"
# The admin's login page again, saying what is locked (429), not axes' bare text.
AXES_LOCKOUT_CALLABLE = "pagila_site.backoffice.lockouts.lockout_response"
# --- end admin sign-in lock-outs -----------------------------------------------------------------

# --- Two-factor sign-in for the admin (pagila_site/backoffice/two_factor.py) ---------------------
# optional: staff may enrol a TOTP authenticator, and once they have, signing in asks for its code;
# required: a user without one is sent to enrolment at sign-in and sees no other admin page.


def _two_factor_policy(name):
    value = env.str(name, default="").strip().lower() or "optional"
    if value not in ("optional", "required"):
        raise ValueError(f"expected optional or required, got {value!r}")
    return value


ADMIN_TWO_FACTOR = _env(_two_factor_policy, "DJANGO_ADMIN_2FA")
# What an authenticator app shows above the code (the account name is the username).
OTP_TOTP_ISSUER = "Pagila back office"
# django-otp's own admin pages (devices, for an operator to remove a lost one) never show a
# secret key or a recovery code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# --- end two-factor sign-in ----------------------------------------------------------------------

# --- Content-Security-Policy (backoffice/tests/test_it_works_under_the_content_security_policy.py)
# Scripts only from this site's files, or inline with this response's nonce (Swagger UI's start-up
# script: templates/drf_spectacular/swagger_ui.html); no eval, nothing from another host. The
# admin, the Ask AI page, Swagger UI and ReDoc need no more, as the browser tests show. Inline
# styles are allowed because Swagger UI and ReDoc set them as they render (a style can't run
# code); data: images are Swagger UI's icons, blob: workers ReDoc's search. The middleware sits
# right under SecurityMiddleware, below the catalogue cache, so cached pages carry the header too.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'", CSP.NONCE],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# --- end Content-Security-Policy -----------------------------------------------------------------

# --- CORS (django-cors-headers; the contract's "Serving") ----------------------------------------
# Browser apps on these origins may call /api/ with a bearer token; no cookies (credentials are
# never allowed, so a session can't be ridden from another site) and never "*". Other origins,
# and every path outside /api/, get no CORS headers at all.


def _origins(name):
    origins = []
    for item in filter(None, (item.strip() for item in env.list(name, default=[]))):
        problem = ValueError(f"expected scheme://host[:port] such as https://pos.example.com, got {item!r}")
        try:
            parts = urlsplit(item)
            port = parts.port
        except ValueError:
            raise problem from None
        # scheme://host[:port] and nothing else: no path (not even "/"), user, query or fragment.
        if (
            not parts.hostname
            or "@" in parts.netloc
            or parts.netloc.endswith(":")
            or item.lower() != f"{parts.scheme}://{parts.netloc}".lower()
        ):
            raise problem
        # As a browser sends it: lower case, no default port.
        netloc = parts.netloc.lower()
        if port is not None and port == {"http": 80, "https": 443}.get(parts.scheme):
            netloc = netloc.rsplit(":", 1)[0]
        origins.append(f"{parts.scheme}://{netloc}")
    return origins


CORS_ALLOWED_ORIGINS = _env(_origins, "DJANGO_CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "POST", "PATCH", "DELETE", "OPTIONS", "HEAD")
CORS_ALLOW_HEADERS = ("authorization", "content-type", "idempotency-key", "if-match")
CORS_EXPOSE_HEADERS = ("ETag", "Location", "X-Request-ID", "Retry-After")
# --- end CORS ------------------------------------------------------------------------------------

LOG_LEVEL = _env(env.str, "LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "pagila_site.serving.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Our request log replaces Django's own per-request warnings (one line per request).
        "django.request": {"level": "CRITICAL"},
        "django.server": {"level": "CRITICAL"},
        # Our pagila.auth lines replace axes' own (which mask the username and address).
        "axes": {"level": "ERROR"},
    },
}

# Seconds a CSV export's COPY may run, on a connection of its own (backoffice/csv_stream.py): a
# chain's whole history takes longer than DATABASE_STATEMENT_TIMEOUT's page. 0: no limit.
DATABASE_EXPORT_STATEMENT_TIMEOUT = _seconds("DATABASE_EXPORT_STATEMENT_TIMEOUT", 300.0)
# CSV exports one server process streams at once, each on a database connection outside the pool;
# one more is 503 with Retry-After.
CSV_EXPORTS_PER_PROCESS = _env(env.int, "CSV_EXPORTS_PER_PROCESS", default=4)
if CSV_EXPORTS_PER_PROCESS < 1:
    raise ImproperlyConfigured("CSV_EXPORTS_PER_PROCESS must be at least 1")
