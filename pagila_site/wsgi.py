"""WSGI entry point (``WSGI_APPLICATION``), for a platform that only runs WSGI: the AI relay's
streams then hold a worker each. ``make run`` and the image serve ``asgi.py`` instead."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pagila_site.settings")

application = get_wsgi_application()
