"""A pytest plugin loaded before Django (``-p pagila_site.testsupport.plugin`` in pytest.ini).

It provides test defaults for settings that production must set explicitly (anything already in
the environment wins; ``DATABASE_URL`` is not one of them: ``make test`` runs pytest under
``python -m pagila_site.devdb run --``, which provides it), and marks the tests that need more
than the test database (``live``, ``browser``, ``race``: what ``make test-quick`` leaves out).
"""

import inspect
import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DJANGO_SECURE_SSL", "false")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Tests roll their transactions back, so the notifications that keep the catalogue cache fresh
# never arrive; the cache's own tests turn it on and commit.
os.environ.setdefault("CATALOGUE_CACHE_ENABLED", "false")


# --- Markers: which tests need more than the test database ---------------------------------------
# A test module is marked by the helpers it uses, so a new one can't be left out of its mark (and
# out of `make test`, or into `make test-quick`): servers or commands started in subprocesses, Chromium, or
# threads racing each other through PostgreSQL.
_MARK_OF_HELPER = {
    "pagila_site.testsupport.live": "live",
    "pagila_site.testsupport.commands": "live",
    "pagila_site.testsupport.standby": "live",
    "pagila_site.testsupport.browser": "browser",
    "pagila_site.testsupport.concurrency": "race",
}


def _marks_of(module) -> set[str]:
    marks = set()
    for value in vars(module).values():
        name = value.__name__ if inspect.ismodule(value) else getattr(value, "__module__", None)
        if name in _MARK_OF_HELPER:
            marks.add(_MARK_OF_HELPER[name])
    return marks


def pytest_collection_modifyitems(config, items):
    marks_by_module = {}
    for item in items:
        module = getattr(item, "module", None)
        if module is None:
            continue
        if module not in marks_by_module:
            marks_by_module[module] = _marks_of(module)
        for mark in marks_by_module[module]:
            item.add_marker(mark)
