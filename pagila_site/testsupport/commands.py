"""``manage.py`` run in a subprocess, with other environment variables: how tests see what a
setting does at start-up (a malformed value stops it with one line)."""

import os
import subprocess
import sys

from django.conf import settings


def manage_check(**overrides: str) -> subprocess.CompletedProcess:
    """``manage.py check`` with ``overrides`` added to this process's environment."""
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env={**os.environ, **overrides},
        capture_output=True,
        text=True,
        timeout=60,
    )
