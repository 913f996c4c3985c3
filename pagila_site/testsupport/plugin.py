"""A pytest plugin loaded before Django (``-p pagila_site.testsupport.plugin`` in pytest.ini).

It only provides test defaults for settings that production must set explicitly; anything already
in the environment wins. ``DATABASE_URL`` is not one of them: ``make test`` runs pytest under
``python -m pagila_site.devdb run --``, which provides it.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DJANGO_SECURE_SSL", "false")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Tests roll their transactions back, so the notifications that keep the catalogue cache fresh
# never arrive; the cache's own tests turn it on and commit.
os.environ.setdefault("CATALOGUE_CACHE_ENABLED", "false")
