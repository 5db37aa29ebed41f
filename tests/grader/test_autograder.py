"""The run inside a Gradescope package: where each exercise is in a submission, and a missing
one scoring 0 as a failed `missing` test."""

from __future__ import annotations

import json
import shutil

from grader.autograder import run_autograder, submission_units
from grader.catalog import Catalog
from tests.cli.test_gradescope_autograder import check_gradescope_layout
from tests.conftest import FIXTURE_CATALOG

ADDER = "9.1-fixture-topic/9.1.1-adder"
TWICE = "9.1-fixture-topic/9.1.2-twice"
SOLUTION = FIXTURE_CATALOG / "solutions" / ADDER


def two_exercise_catalog(tmp_path) -> Catalog:
    root = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, root)
    shutil.copytree(root / "exercises" / ADDER, root / "exercises" / TWICE)
    toml = root / "exercises" / TWICE / "exercise.toml"
    toml.write_text(
        toml.read_text().replace('id = "9.1.1"', 'id = "9.1.2"').replace("adder", "twice")
    )
    return Catalog(root)


def test_exercise_folders_are_found_at_the_top_or_in_one_top_folder(tmp_path):
    exercises = two_exercise_catalog(tmp_path).select(["9.1"])
    submission = tmp_path / "submission"
    (submission / "my-work" / "9.1.2-twice").mkdir(parents=True)
    assert [u.key for u in submission_units(submission, exercises)] == ["9.1.2"]
    (submission / "9.1.1-adder").mkdir()
    found = {u.key: u.sources[0] for u in submission_units(submission, exercises)}
    assert found["9.1.1"] == submission / "9.1.1-adder"
    # one exercise selected: files at the top are that exercise's
    [unit] = submission_units(submission, exercises[:1])
    assert unit.sources == [submission / "9.1.1-adder"]
    (submission / "9.1.1-adder").rmdir()
    [unit] = submission_units(submission, exercises[:1])
    assert unit.sources == [submission]


def test_a_missing_exercise_is_a_failed_missing_test_worth_its_points(tmp_path, bwrap):
    exercises = two_exercise_catalog(tmp_path).select(["9.1"])
    root = tmp_path / "autograder"
    (root / "submission" / "9.1.1-adder").mkdir(parents=True)
    shutil.copy(SOLUTION / "calc.py", root / "submission" / "9.1.1-adder" / "calc.py")
    results = run_autograder(root, exercises, bwrap)
    assert json.loads((root / "results" / "results.json").read_text()) == results
    check_gradescope_layout(results)
    assert results["score"] == 8
    [missing] = [t for t in results["tests"] if "missing" in t.get("tags", [])]
    assert (missing["number"], missing["score"], missing["max_score"]) == ("9.1.2", 0, 8)
    assert missing["status"] == "failed"
    assert sum(t["max_score"] for t in results["tests"]) == 16
