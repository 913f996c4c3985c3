"""One JSON object per log line, so log shippers need no parsing rules.

A logged exception carries ``exception`` (its type and message) and ``traceback`` (the whole
formatted traceback, chained causes included), so a 500 can be diagnosed from its line. The
secrets in settings stay out: an exception message can quote them (a connection string with its
password, a provider's error echoing the API key it was sent), and a traceback repeats that
message and may show it as Python's ``repr`` would, so each line is scrubbed of them last, as
the JSON text that is written. Tracebacks show source lines, never local variables.
"""

import functools
import json
import logging
from datetime import UTC, datetime
from urllib.parse import quote, quote_plus

# Attributes every LogRecord has; anything else was passed through ``extra=`` and is logged.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
# Shorter values are too likely to be ordinary words (and too weak to protect) to scrub safely.
_MIN_SECRET_LENGTH = 8
REDACTED = "[redacted]"


def _secrets() -> tuple[str, ...]:
    """The secret values in settings, as a JSON line could carry them, longest first."""
    from django.conf import settings

    if not settings.configured:
        return ()
    values = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS, getattr(settings, "OPENAI_API_KEY", "")]
    values += [database.get("PASSWORD") or "" for database in settings.DATABASES.values()]
    return _forms_of(tuple(values))


@functools.lru_cache(maxsize=8)
def _forms_of(values: tuple) -> tuple[str, ...]:
    """Each value plain, JSON-escaped (also as Python's ``repr`` writes it), or percent-encoded as
    in a URL; longest first, so a secret containing another is replaced whole. Cached by the
    values: every log line (one per request) is scrubbed, and settings rarely change."""
    found = set()
    for value in values:
        if isinstance(value, str) and len(value) >= _MIN_SECRET_LENGTH:
            found |= {value, json.dumps(value)[1:-1], quote(value, safe=""), quote_plus(value, safe="")}
            # As a traceback can quote it: a KeyError's message is its key's repr.
            found.add(json.dumps(repr(value)[1:-1])[1:-1])
    return tuple(sorted(found, key=len, reverse=True))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            payload["exception"] = f"{type(exc).__name__}: {exc}"
            payload["traceback"] = self.formatException(record.exc_info)
        line = json.dumps(payload, default=str)
        for secret in _secrets():
            line = line.replace(secret, REDACTED)
        return line
