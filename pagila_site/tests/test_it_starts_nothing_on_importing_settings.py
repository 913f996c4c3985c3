"""Importing the settings starts no database server and opens no connection; without
``DATABASE_URL`` it stops with one line saying how to get one."""

import os
import socket
import subprocess
import sys

from django.conf import settings

# Run in a fresh interpreter: any process the import starts fails it, and it prints what it saw.
IMPORT_SETTINGS = """
import subprocess

def refuse(self, *args, **kwargs):
    raise AssertionError(f"importing the settings started a process: {args!r}")

subprocess.Popen.__init__ = refuse
import pagila_site.settings
print("imported")
"""


def _python(code, **env):
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _environment(tmp_path, **overrides):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    # Where an embedded server would put its data, were one started.
    return {**env, "EMBEDDED_PG_DIR": str(tmp_path / "pg"), **overrides}


def test_importing_the_settings_starts_no_process_and_opens_no_connection(tmp_path):
    # A listener that is no PostgreSQL: a connection attempt would arrive here.
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        env = _environment(tmp_path, DATABASE_URL=f"postgres://nobody@127.0.0.1:{port}/nothing")

        result = _python(IMPORT_SETTINGS, **env)

        listener.settimeout(0.2)
        try:
            listener.accept()[0].close()
            connected = True
        except TimeoutError:
            connected = False
    assert result.returncode == 0, result.stderr
    assert result.stdout == "imported\n"
    assert not connected
    assert not (tmp_path / "pg").exists()


def test_without_database_url_it_says_how_to_get_one(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr == (
        "Configuration error: DATABASE_URL is unset: run through make (make run, make test...) or "
        "`python -m pagila_site.devdb run -- python manage.py ...` for the embedded PostgreSQL.\n"
    )
    assert not (tmp_path / "pg").exists()
