"""The query-count baselines: a changed count fails naming both figures; an update rewrites them."""

import json

import pytest

from pagila_site.testsupport.queries import Baselines


def test_a_changed_count_fails_with_both_figures_and_the_file(tmp_path):
    path = tmp_path / "query_counts.json"
    path.write_text(json.dumps({"test_x::test_list": 4}))
    baselines = Baselines(updating=False)
    baselines.check(path, "test_x::test_list", "test_x::test_list", 4)
    with pytest.raises(pytest.fail.Exception, match=r"ran 5 queries; its baseline in .* is 4"):
        baselines.check(path, "test_x::test_list", "test_x::test_list", 5)


def test_a_count_without_a_baseline_fails(tmp_path):
    with pytest.raises(pytest.fail.Exception, match="no query count in"):
        Baselines(updating=False).check(
            tmp_path / "query_counts.json", "test_x::test_new", "test_x::test_new", 3
        )


def test_an_update_replaces_what_the_tests_it_ran_recorded_and_keeps_the_rest(tmp_path):
    path = tmp_path / "query_counts.json"
    path.write_text(
        json.dumps({"test_x::test_a / small": 3, "test_x::test_a / gone": 9, "test_x::test_other": 7})
    )
    baselines = Baselines(updating=True)
    baselines.check(path, "test_x::test_a", "test_x::test_a / small", 2)
    baselines.check(path, "test_x::test_a", "test_x::test_a / large", 2)
    baselines.write()
    assert json.loads(path.read_text()) == {
        "test_x::test_a / large": 2,
        "test_x::test_a / small": 2,
        "test_x::test_other": 7,
    }
    assert list(tmp_path.iterdir()) == [path]  # no lock file left behind
