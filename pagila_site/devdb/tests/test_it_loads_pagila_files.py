"""The Pagila loader: verified files from PAGILA_DIR or the pinned download, no psql needed."""

import functools
import http.server
import shutil
import threading
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from psycopg import sql

from pagila_site.db import conninfo
from pagila_site.devdb import pagila

SHARED = Path(settings.PAGILA_DIR or "")
needs_local_copy = pytest.mark.skipif(
    not (SHARED / "pagila-data.sql").is_file(), reason="PAGILA_DIR with the Pagila files is not set"
)


@needs_local_copy
def test_it_accepts_the_pinned_files():
    files = pagila.locate(SHARED, log=lambda _m: None)
    assert files.schema.name == "pagila-schema.sql"
    assert files.data.name == "pagila-data.sql"


def test_it_names_a_missing_file(tmp_path):
    with pytest.raises(pagila.PagilaError, match=r"pagila-schema\.sql does not exist"):
        pagila.locate(tmp_path)


@needs_local_copy
def test_it_refuses_a_file_whose_checksum_differs(tmp_path):
    for name in pagila.FILES:
        shutil.copy(SHARED / name, tmp_path / name)
    with (tmp_path / "pagila-data.sql").open("a") as fh:
        fh.write("-- tampered\n")
    with pytest.raises(
        pagila.PagilaError, match=r"pagila-data\.sql does not match the pinned Pagila release"
    ):
        pagila.locate(tmp_path)


@needs_local_copy
def test_it_downloads_and_verifies_when_no_folder_is_given(tmp_path, monkeypatch):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SHARED))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setattr(pagila, "UPSTREAM_URL", f"http://127.0.0.1:{server.server_port}/{{name}}")
        monkeypatch.setattr(pagila, "CACHE_DIR", tmp_path / "cache")
        files = pagila.locate(None, log=lambda _m: None)
    finally:
        server.shutdown()
    assert files.data == tmp_path / "cache" / "pagila-data.sql"
    assert pagila.sha256_of(files.data) == pagila.FILES["pagila-data.sql"]


def test_it_explains_a_failed_download(tmp_path, monkeypatch):
    monkeypatch.setattr(pagila, "UPSTREAM_URL", "http://127.0.0.1:9/{name}")
    monkeypatch.setattr(pagila, "CACHE_DIR", tmp_path)
    with pytest.raises(pagila.PagilaError, match=r"Could not download .* Set PAGILA_DIR"):
        pagila.locate(None, log=lambda _m: None)


@pytest.mark.django_db
def test_the_command_refuses_a_database_that_has_pagila():
    with pytest.raises(CommandError, match="already holds Pagila"):
        call_command("load_pagila")


@pytest.mark.django_db
def test_the_command_is_a_no_op_with_if_absent(capsys):
    call_command("load_pagila", "--if-absent")
    assert "already loaded" in capsys.readouterr().out


@pytest.fixture
def scratch_database(django_db_blocker):
    name = f"scratch_{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        admin = conninfo(dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield psycopg.conninfo.make_conninfo(admin, dbname=name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@needs_local_copy
@pytest.mark.full_data
def test_it_loads_an_empty_database_and_then_refuses_to_load_again(scratch_database):
    files = pagila.locate(SHARED, log=lambda _m: None)
    progress = []
    pagila.load(scratch_database, files, log=progress.append)
    with psycopg.connect(scratch_database) as conn:
        assert conn.execute("SELECT count(*) FROM public.rental").fetchone()[0] == 16044
        assert conn.execute("SELECT count(*) FROM public.payment").fetchone()[0] == 16049
    assert "  public.film: 1000 rows" in progress
    with pytest.raises(pagila.PagilaError, match="already holds Pagila"):
        pagila.load(scratch_database, files, log=lambda _m: None)
