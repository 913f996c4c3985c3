"""ASGI entry point: the AI relay streams from an async view without holding a worker."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pagila_site.settings")

application = get_asgi_application()
