"""``manage.py`` run in a subprocess, with other environment variables: how tests see what a
setting does at start-up (a malformed value stops it with one line), and commands run against a
database of their own."""

import os
import subprocess
import sys

from django.conf import settings


def manage(*args: str, timeout: float = 60, **overrides: str) -> subprocess.CompletedProcess:
    """``manage.py *args`` with ``overrides`` added to this process's environment."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, **overrides},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def manage_check(**overrides: str) -> subprocess.CompletedProcess:
    """``manage.py check`` with ``overrides`` added to this process's environment."""
    return manage("check", **overrides)
