"""Query counts, and the baseline files every list endpoint and changelist is held to.

A test asks ``query_baseline(count)`` (a fixture); the expected count is read from
``query_counts.json`` beside the test module, keyed by the test's name (and a label, when a test
checks several counts). A changed count fails with both figures and the file to look at. When a
change is meant (a query saved, or one more that pays for itself), ``make query-counts`` runs
these tests with ``--update-query-counts`` and rewrites the files; the diff is what a reviewer
reads. Loaded as a pytest plugin (``pytest.ini``).
"""

import fcntl
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

FILE_NAME = "query_counts.json"
UPDATE_OPTION = "--update-query-counts"
LABEL = " / "  # between a test's name and the label of one of its counts


def queries(client, url: str) -> int:
    """How many queries a GET of ``url`` runs; it must answer 200."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def pytest_addoption(parser):
    parser.addoption(
        UPDATE_OPTION,
        action="store_true",
        help=f"record the query counts that tests ask for in their {FILE_NAME} instead of checking them",
    )


class Baselines:
    """The baseline files of a session: read once each, and in update mode written at its end."""

    def __init__(self, updating: bool):
        self.updating = updating
        self.files: dict[Path, dict[str, int]] = {}
        self.recorded: dict[Path, dict[str, int]] = {}
        # Per file, the tests that recorded counts here: their old entries are replaced whole, so
        # a label a test no longer checks leaves the file too.
        self.tests: dict[Path, set[str]] = {}

    def expected(self, path: Path) -> dict[str, int]:
        if path not in self.files:
            self.files[path] = json.loads(path.read_text()) if path.exists() else {}
        return self.files[path]

    def check(self, path: Path, test: str, key: str, actual: int) -> None:
        __tracebackhide__ = True
        if self.updating:
            self.tests.setdefault(path, set()).add(test)
            self.recorded.setdefault(path, {})[key] = actual
            return
        expected = self.expected(path).get(key)
        where = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
        if expected is None:
            pytest.fail(f"{key}: no query count in {where}; run `make query-counts` and commit the file")
        if actual != expected:
            pytest.fail(
                f"{key} ran {actual} queries; its baseline in {where} is {expected}. If that is meant, "
                "run `make query-counts` and commit the file."
            )

    def write(self) -> None:
        # Several xdist workers may finish at once, each with the tests it ran: merge under a lock.
        for path, recorded in self.recorded.items():
            with open(path.with_suffix(".lock"), "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                current = json.loads(path.read_text()) if path.exists() else {}
                kept = {k: v for k, v in current.items() if k.split(LABEL, 1)[0] not in self.tests[path]}
                merged = dict(sorted({**kept, **recorded}.items()))
                path.write_text(json.dumps(merged, indent=2) + "\n")
            path.with_suffix(".lock").unlink(missing_ok=True)


def pytest_configure(config):
    config.stash[_BASELINES] = Baselines(config.getoption(UPDATE_OPTION))


def pytest_collection_modifyitems(items):
    # `make query-counts` selects them by this mark.
    for item in items:
        if "query_baseline" in getattr(item, "fixturenames", ()):
            item.add_marker("query_counts")


def pytest_sessionfinish(session):
    baselines = session.config.stash.get(_BASELINES, None)
    if baselines is not None and baselines.updating:
        baselines.write()


_BASELINES = pytest.StashKey[Baselines]()


@pytest.fixture
def query_baseline(request):
    """``query_baseline(count, label="")``: ``count`` must be this test's recorded baseline."""
    baselines = request.config.stash[_BASELINES]
    path = Path(request.node.path).parent / FILE_NAME
    test = f"{Path(request.node.path).stem}::{request.node.name}"

    def check(actual: int, label: str = "") -> None:
        __tracebackhide__ = True
        baselines.check(path, test, f"{test}{LABEL}{label}" if label else test, actual)

    return check
