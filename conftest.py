"""Project-wide pytest fixtures.

The test database is a clone of a template that already holds Pagila and our migrations
(``pagila_site/testsupport/testdb.py``), so every run starts from the real schema and data in
about a second. Each run gets its own database name, so concurrent runs don't collide. Helpers
that several apps' tests use live in ``pagila_site/testsupport/``.
"""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test.utils import setup_databases, teardown_databases
from rest_framework.test import APIClient

from customers.services import staff_account_set
from pagila_site.management.commands.ensure_dev_access import DEV_TOKEN
from pagila_site.services import token_issue
from pagila_site.serving import catalogue_cache
from pagila_site.testsupport import testdb


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    with django_db_blocker.unblock():
        template = testdb.ensure_template()
        test_settings = {"TEMPLATE": template, "NAME": f"test_pagila_{os.getpid()}", "SERIALIZE": False}
        for alias in (settings.DATABASES, {"default": connections["default"].settings_dict}):
            alias["default"]["TEST"] = {**alias["default"].get("TEST", {}), **test_settings}
        config = setup_databases(verbosity=0, interactive=False)
    yield
    # Its LISTEN connection would keep the test database from being dropped.
    catalogue_cache.cache.stop()
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


@pytest.fixture(autouse=True)
def _test_only_settings(settings):
    # PBKDF2's deliberate slowness protects real passwords; tests only need them checkable.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests don't run collectstatic, so there is no manifest of hashed file names to read.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rate-limit counts (failed token attempts, AI requests) live in the default cache: every test
    # starts with none.
    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def staff_user(django_user_model):
    """What ``dvd_admin`` belongs to in development: a superuser linked to no staff member, so it
    works for every store (tests of store scope make clerks of their own)."""
    return django_user_model.objects.create_user(
        "staff", "staff@example.com", "staff-password", is_staff=True, is_superuser=True
    )


@pytest.fixture
def staff_token(staff_user):
    """The development token, issued the way ``make run`` issues it."""
    _token, raw = token_issue(user=staff_user, name="tests", raw=DEV_TOKEN)
    return raw


@pytest.fixture
def auth_client(staff_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {staff_token}")
    return client


@pytest.fixture
def clerk(db):
    """A desk clerk of store 1: Pagila's staff member 1, who manages store 1 (and belongs to 25)."""
    user, _ = staff_account_set(username="clerk1", staff_id=1, password="clerk-password")  # noqa: S106 - a test account
    return user


@pytest.fixture
def clerk_client(clerk):
    _token, raw = token_issue(user=clerk, name="desk")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def clerk2_client(db):
    """A token of a desk clerk of store 2: Pagila's staff member 2, who manages store 2 (and belongs
    to 33): ``clerk``'s colleague at the other store, for what one store may do to the other's."""
    user, _ = staff_account_set(username="clerk2", staff_id=2, password="clerk-password")  # noqa: S106 - a test account
    _token, raw = token_issue(user=user, name="desk")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


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


@pytest.fixture
def storeless_client(django_user_model):
    """A token of a staff user who is neither linked to a staff member nor a superuser."""
    user = django_user_model.objects.create_user("nobody", is_staff=True)
    _token, raw = token_issue(user=user, name="orphan")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client
