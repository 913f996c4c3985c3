"""The ASGI application ``scripts/serve`` runs: what a request meets before Django's middleware.

In order:

1. :class:`HeaderHygiene` drops request headers whose names contain ``_`` and joins repeated
   ``Cookie`` headers, so every request reaches Django as gunicorn and ``runserver`` would
   deliver it (see the class);
2. :class:`~pagila_site.serving.catalogue_cache.CatalogueFastPath` answers cached public
   catalogue pages (``catalogue_cache.py`` says what it may answer and why that is safe);
3. :class:`ViewDispatch` resolves the URL: a request for an async view (the AI relay) goes to
   Django's ASGI handler, which streams and holds no thread while a model thinks; everything
   else is synchronous Django and runs on Django's WSGI handler in a2wsgi's fixed thread pool.

Why not Django's ASGI handler for everything: it runs each sync request in a thread created
for that request and hops between that thread and the event loop around every middleware, which
measured costs more than most of our requests themselves (README, "Performance").
"""

from a2wsgi import WSGIMiddleware
from asgiref.sync import iscoroutinefunction
from django.urls import Resolver404, get_resolver


class HeaderHygiene:
    """Request headers as a WSGI server would pass them.

    - A name containing ``_`` is dropped. WSGI and Django's ``META`` spell ``-`` as ``_``, so
      ``X_Forwarded_Proto`` would be read as ``X-Forwarded-Proto`` (and ``X_Request_ID`` as the
      request id) by code that trusts what a proxy sets; gunicorn and ``runserver`` drop these
      too, and ASGI servers don't.
    - Repeated ``Cookie`` headers (HTTP/2 clients split them) become one, joined by ``"; "`` as
      RFC 9113 §8.2.3 says; a WSGI adapter would join them with ``","``, which Django's cookie
      parser reads as part of the first cookie's value.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            headers = scope["headers"]
            cookies = sum(1 for name, _ in headers if name == b"cookie")
            if cookies > 1 or any(b"_" in name for name, _ in headers):
                scope = {**scope, "headers": clean_headers(headers)}
        return await self.app(scope, receive, send)


def clean_headers(headers) -> list[tuple[bytes, bytes]]:
    kept = [(name, value) for name, value in headers if b"_" not in name and name != b"cookie"]
    cookies = [value for name, value in headers if name == b"cookie"]
    if cookies:
        kept.append((b"cookie", b"; ".join(cookies)))
    return kept


def serves_async_view(path: str) -> bool:
    """Whether ``path`` resolves, with or without its trailing slash as OptionalSlashMiddleware
    serves it, to a coroutine view. A path that resolves to nothing is Django's sync 404."""
    resolver = get_resolver()
    alternative = path[:-1] if path.endswith("/") and path != "/" else f"{path}/"
    for candidate in (path, alternative):
        try:
            match = resolver.resolve(candidate)
        except Resolver404:
            continue
        view = match.func
        return iscoroutinefunction(view) or getattr(getattr(view, "view_class", None), "view_is_async", False)
    return False


class ViewDispatch:
    def __init__(self, async_app, wsgi_app, *, threads: int):
        self.async_app = async_app
        # One thread per request being served, up to ``threads``: no more than the process's
        # database pool holds, so a request never waits for a connection while holding one.
        self.sync_app = WSGIMiddleware(wsgi_app, workers=threads)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            path = scope["path"][len(scope.get("root_path", "")) :] or "/"
            if not serves_async_view(path):
                return await self.sync_app(scope, receive, send)
        # The AI views; and the lifespan protocol, which Django declines (uvicorn carries on).
        return await self.async_app(scope, receive, send)
