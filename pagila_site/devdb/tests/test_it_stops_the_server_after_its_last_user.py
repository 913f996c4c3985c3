"""Two `make` commands at once share one embedded server; only the last to finish stops it."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from pagila_site.devdb import embedded


def _devdb(env, *args, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "pagila_site.devdb", *args], env=env, **kwargs)


def _wait_for(path, timeout=60):
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.1)


@pytest.fixture
def base():
    # Reachable by the unprivileged user the server runs as under root (pytest's tmp_path is not).
    folder = Path(tempfile.mkdtemp(prefix="pagila-devdb-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _holding(env, base, name):
    """A ``devdb run`` whose command says it is up, then waits to be released."""
    up, release = base / f"{name}-up", base / f"{name}-release"
    script = f"touch {up}; while [ ! -e {release} ]; do sleep 0.1; done"
    process = _devdb(env, "run", "--", "sh", "-c", script)
    _wait_for(up)
    return process, release


def test_the_run_that_started_the_server_leaves_it_to_one_still_using_it(base):
    # A cluster of its own (initdb takes a few seconds), not the one these tests run on.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["EMBEDDED_PG_DIR"] = str(base / "pg")
    lay = embedded.Layout(base=base / "pg", run_as=embedded.layout().run_as)
    first, release_first = _holding(env, base, "first")  # starts the server
    second, release_second = _holding(env, base, "second")
    try:
        release_first.touch()
        assert first.wait(timeout=60) == 0

        assert embedded.is_running(lay), "the run that started the server stopped it under another"

        release_second.touch()
        assert second.wait(timeout=60) == 0
        assert not embedded.is_running(lay), "the last run out left the server running"
    finally:
        release_first.touch()
        release_second.touch()
        first.wait(timeout=60)
        second.wait(timeout=60)
        if embedded.is_running(lay):
            embedded.stop(lay)


def test_a_server_started_by_hand_outlives_the_runs(base):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["EMBEDDED_PG_DIR"] = str(base / "pg")
    lay = embedded.Layout(base=base / "pg", run_as=embedded.layout().run_as)
    first, release_first = _holding(env, base, "first")  # a run starts the server
    try:
        assert _devdb(env, "start", stdout=subprocess.DEVNULL).wait(timeout=60) == 0  # make db-start
        release_first.touch()
        assert first.wait(timeout=60) == 0

        assert embedded.is_running(lay), "a run stopped the server make db-start asked to keep"
    finally:
        release_first.touch()
        first.wait(timeout=60)
        if embedded.is_running(lay):
            embedded.stop(lay)
