"""Fixtures of the serving tests."""

import shutil
import tempfile
from pathlib import Path

import pytest

from pagila_site.devdb import embedded


@pytest.fixture
def private_postgres(monkeypatch):
    """A PostgreSQL cluster of its own (the embedded server's code, in a temporary folder that
    the unprivileged server user can reach), so stopping it disturbs no other test."""
    base = Path(tempfile.mkdtemp(prefix="pagila-private-pg-"))
    base.chmod(0o755)
    monkeypatch.setenv("EMBEDDED_PG_DIR", str(base))
    layout = embedded.layout()
    embedded.start(layout)
    try:
        yield layout
    finally:
        embedded.stop(layout)
        shutil.rmtree(base, ignore_errors=True)
