"""ASGI entry point (``scripts/serve`` runs it under gunicorn with uvicorn workers).

Where a request goes, in order (``pagila_site/serving/`` holds each piece):

1. :class:`~pagila_site.serving.catalogue_cache.CatalogueFastPath` answers cached public
   catalogue pages before Django is entered (``serving/catalogue_cache.py``);
2. :class:`~pagila_site.serving.bridge.Router` sends ``/api/v1/ai/…`` to Django's ASGI handler
   and everything else to Django's WSGI handler on a fixed thread pool (``serving/bridge.py``);
3. Django runs ``settings.MIDDLEWARE`` (request log, error rewrites, security headers...) and
   then the view that ``urls.py`` names.
"""

import os

from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pagila_site.settings")

django_asgi = get_asgi_application()
django_wsgi = get_wsgi_application()

# Imported once Django is set up.
from django.conf import settings  # noqa: E402

from pagila_site.serving.bridge import Router, WsgiThreadPool  # noqa: E402
from pagila_site.serving.catalogue_cache import CatalogueFastPath  # noqa: E402

application = CatalogueFastPath(
    Router(
        django_asgi,
        WsgiThreadPool(django_wsgi, threads=settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"]),
    )
)
