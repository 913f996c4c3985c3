"""ASGI entry point (``scripts/serve`` runs it under gunicorn with uvicorn workers).

Where a request goes, in order:

1. the catalogue cache's fast path (``serving/catalogue_cache/``), then ``serving/app.py``'s
   dispatch: ``/health`` and the catalogue's reads to a thread pool of their own, async views
   (the AI relay) to Django's ASGI handler, everything else to the same handler running sync
   code on a fixed thread pool;
2. Django runs ``settings.MIDDLEWARE`` (request log, error rewrites, CORS, security headers...)
   and then the view that ``urls.py`` names.
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pagila_site.settings")

django_asgi = get_asgi_application()

# Imported once Django is set up.
from django.conf import settings  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from pagila_site.serving.app import ThreadPoolHandler, ViewDispatch  # noqa: E402
from pagila_site.serving.catalogue_cache.fast_path import CatalogueFastPath  # noqa: E402

application = CatalogueFastPath(
    ViewDispatch(
        django_asgi,
        ThreadPoolHandler(threads=settings.SERVING_THREADS),
        # /health and the catalogue's reads: a pool of their own (serving/app.py, in_priority_lane).
        priority_app=ThreadPoolHandler(threads=settings.SERVING_PRIORITY_THREADS),
    )
)

# Django imports the URLconf (the views, serializers, filters and schema code: 600 modules,
# half a second) at a worker's first request, which then took 500-700 ms (bench-scale's one
# slow films page). Imported here instead, and its reverse lookups built, before the freeze below.
_resolver = get_resolver()
_loaded = (_resolver.url_patterns, _resolver.reverse_dict)

# The garbage collector, tuned for a long-lived server (README, "Performance": it halved the
# films list's p99 under make bench). Everything loaded so far (Django, the apps, the URLconf)
# lives as long as the process: frozen, full collections no longer walk it. And a request makes
# thousands of short-lived objects, which reference counting frees; collecting every 700
# allocations (the default) mostly re-scans the survivors, so the youngest generation waits
# for 20,000.
gc.freeze()
gc.set_threshold(20_000, 20, 50)
