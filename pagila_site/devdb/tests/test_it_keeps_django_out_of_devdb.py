"""``pagila_site.devdb`` runs before any settings exist (make starts the database with it), so it
must not import Django, directly or through anything it imports."""

import subprocess
import sys

from django.conf import settings

CHECK = """
import sys
import pagila_site.devdb.__main__, pagila_site.devdb.embedded, pagila_site.devdb.pagila
print(sorted(name for name in sys.modules if name == "django" or name.startswith("django.")))
"""


def test_devdb_imports_nothing_from_django():
    result = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n"
