"""Fixtures of the project-level tests."""

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


@pytest.fixture
def superuser_client(client, django_user_model):
    """The test client, logged in to the back office as a superuser."""
    user = django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-password")
    client.force_login(user)
    return client


@pytest.fixture
def clerk_admin(client, clerk):
    """The test client, logged in to the back office as the clerk of store 1 (``clerk``)."""
    client.force_login(clerk)
    return client
