"""ASGI entry point: the AI relay streams from an async view without holding a worker."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pagila_site.settings")

django_application = get_asgi_application()

# Imported once Django is set up: cached catalogue pages are answered before Django runs.
from pagila_site.catalogue_cache import CatalogueFastPath  # noqa: E402

application = CatalogueFastPath(django_application)
