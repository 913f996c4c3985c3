"""A per-process cache of the public catalogue's GET responses, invalidated by PostgreSQL.

The film list, film detail and category list are read far more than they change, and most of
their cost is Python (DRF rendering), not SQL. Their responses are kept in memory, in each
server process, and served before the rest of the middleware stack runs.

What a cached answer may be served to (the contract's "Serving" section): a request identical
in everything the answer depends on. The key is the scheme, forwarded scheme, Host, path, the
query string exactly as given (``?category=drama&category=action`` is not the reverse order: the
last value counts) and the ``Accept`` and ``Origin`` headers (``Accept: application/json;
indent=4`` renders differently; CORS headers depend on the origin). Requests with credentials
(``Authorization`` or ``Cookie``) are never answered from or stored in the cache. A response is
stored only if every header its ``Vary`` names is in the key, so a header that starts to matter
later (a new middleware) makes pages uncacheable rather than wrong.

Invalidation is the database's job, whoever writes (this API, the admin, a psql session):
statement triggers on the catalogue's tables (migration ``films.0003``) ``NOTIFY
pagila_catalogue`` with the table's name, which drops everything; row triggers on ``rental``
and ``inventory`` (``rentals.0004``) notify ``film:<id>`` for the film whose copies moved, which
drops that film's detail pages only (lists show no stock). Every process LISTENs on a
connection of its own in a daemon thread. While the listener is not connected, nothing is
served from or stored in the cache, so a missed notification can't leave a stale page behind.

A response is stored only if nothing it shows was invalidated while it was being computed, so
a page built from a snapshot older than a committed change is never kept.

One job per module, in the order a request meets them:

- :mod:`.fast_path`: the ASGI application in front of Django, answering hits without entering it;
- :mod:`.middleware`: the Django middleware storing fresh pages (and answering hits under WSGI
  and in tests);
- :mod:`.keys`: the policy, shared by both: the facts of a request that matter, which requests
  may be answered and under which key, which responses may be kept;
- :mod:`.hits`: the one way a hit is answered (the stored headers, 304, HEAD);
- :mod:`.store`: the entries in memory and what each notification drops;
- :mod:`.listener`: the thread that LISTENs and hands notifications to the store.

``cache`` is this process's store.
"""

from pagila_site.serving.catalogue_cache.store import cache

__all__ = ["cache"]
