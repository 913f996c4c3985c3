"""Django's database settings as a libpq connection string, for code that talks to PostgreSQL
through psycopg directly: the Pagila loader, the catalogue cache's listener, the template
databases of the tests, the benchmark's pgbench."""

from django.db import connections
from psycopg.conninfo import make_conninfo


def conninfo(alias: str = "default", *, dbname: str | None = None) -> str:
    """The connection parameters of database ``alias``, or of database ``dbname`` on its server.

    Only plain values are kept: the pool's settings and the like are psycopg objects, not libpq
    parameters.
    """
    params = connections[alias].get_connection_params()
    plain = {k: v for k, v in params.items() if isinstance(v, str | int) and v != ""}
    if dbname is not None:
        plain["dbname"] = dbname
    return make_conninfo("", **plain)
