"""With DATABASE_REPLICA_URL, catalogue reads go to the replica and everything else stays put."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection, transaction

from customers.models import Customer
from films.models import Category, Film
from pagila_site.serving import replica
from pagila_site.serving.db_router import CatalogueReplicaRouter
from pagila_site.testsupport import testdb

router = CatalogueReplicaRouter()


@pytest.fixture
def replica_usable(monkeypatch):
    # Whether it is usable is replica.py's to say (tested against a real standby elsewhere).
    state = {"usable": True}
    monkeypatch.setattr(replica.health, "usable", lambda: state["usable"])
    return state


def test_catalogue_reads_go_to_the_replica(replica_usable):
    assert router.db_for_read(Film) == "replica"
    assert router.db_for_read(Category) == "replica"


def test_catalogue_reads_go_to_the_primary_while_the_replica_is_unusable(replica_usable):
    replica_usable["usable"] = False

    assert router.db_for_read(Film) == "default"
    assert router.db_for_read(Category) == "default"


def test_other_reads_and_all_writes_stay_on_the_primary(replica_usable):
    assert router.db_for_read(Customer) == "default"
    assert router.db_for_write(Film) == "default"
    assert router.allow_migrate("replica", "films") is False
    assert router.allow_migrate("default", "films") is True


@pytest.mark.django_db
def test_reads_inside_a_transaction_stay_on_the_primary(replica_usable):
    with transaction.atomic():
        assert router.db_for_read(Film) == "default"


@pytest.mark.django_db
def test_the_setting_adds_a_replica_alias_and_the_router():
    url = testdb.database_url(connection.settings_dict["NAME"])
    script = (
        "from films.models import Film; from customers.models import Customer; "
        "print(Film.objects.all().db, Customer.objects.all().db, Film.objects.get(pk=1).title)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", script],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url, "DATABASE_REPLICA_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["replica", "default", "ACADEMY", "DINOSAUR"]


def test_the_cache_keeps_no_page_computed_while_the_replica_may_lag(monkeypatch):
    from pagila_site.serving.catalogue_cache.store import CatalogueCache, Entry

    monkeypatch.setitem(settings.DATABASES, "replica", {})
    monkeypatch.setattr(settings, "DATABASE_REPLICA_MAX_LAG", 60.0, raising=False)
    cache = CatalogueCache()
    cache.listening.set()
    cache.invalidate("film")
    entry = Entry(200, b"{}", (), None)
    cache.put(cache.lookup("films", None), entry)
    assert cache.lookup("films", None).entry is None

    monkeypatch.setattr(settings, "DATABASE_REPLICA_MAX_LAG", 0.0)
    monkeypatch.setattr(settings, "DATABASE_REPLICA_CHECK_INTERVAL", 0.0)
    cache.put(cache.lookup("films", None), entry)
    assert cache.lookup("films", None).entry is entry
