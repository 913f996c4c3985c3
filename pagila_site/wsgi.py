"""WSGI entry point (gunicorn serves it in production)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pagila_site.settings")

application = get_wsgi_application()
