"""Django's database settings as a libpq connection string, for code that talks to PostgreSQL
through psycopg directly: the Pagila loader, the catalogue cache's listener, the template
databases of the tests, the benchmark's pgbench."""

import functools

from django.db import IntegrityError, connections
from psycopg import pq
from psycopg.conninfo import make_conninfo


@functools.cache
def _libpq_parameters() -> frozenset[str]:
    return frozenset(option.keyword.decode() for option in pq.Conninfo.get_defaults())


def conninfo(alias: str = "default", *, dbname: str | None = None) -> str:
    """The connection parameters of database ``alias``, or of database ``dbname`` on its server.

    Only libpq's own parameters are kept: the pool's settings, the prepare threshold and the like
    are psycopg's.
    """
    params = connections[alias].get_connection_params()
    plain = {k: v for k, v in params.items() if k in _libpq_parameters() and v not in ("", None)}
    if dbname is not None:
        plain["dbname"] = dbname
    return make_conninfo("", **plain)


def violated_constraint(exc: IntegrityError) -> str | None:
    """The name of the constraint or index PostgreSQL reported ``exc`` for, if any."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)
