"""`grade gradescope build` makes a package Gradescope can run: tried here on a fake
/autograder root, and its results.json checked against Gradescope's documented layout."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app, route
from tests.conftest import FIXTURE_CATALOG, adder_wrong_variant

runner = CliRunner()
# Gradescope's results.json (autograder_samples docs/specs.md): the keys it reads, and enums.
TOP_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format",
            "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
            "leaderboard"}  # fmt: skip
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output",
             "output_format", "tags", "visibility", "extra_data"}  # fmt: skip
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def grade(*args: str):
    return runner.invoke(app, route(list(args)))


def check_gradescope_layout(results: dict) -> None:
    """Fails on anything Gradescope's spec does not allow."""
    assert set(results) <= TOP_KEYS, set(results) - TOP_KEYS
    assert isinstance(results["score"], int | float)
    assert isinstance(results.get("execution_time", 0), int | float)
    assert results.get("visibility", "visible") in VISIBILITY
    assert isinstance(results["tests"], list) and results["tests"]
    for test in results["tests"]:
        assert set(test) <= TEST_KEYS, set(test) - TEST_KEYS
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], int | float)
        assert isinstance(test["max_score"], int | float)
        assert test.get("status", "passed") in ("passed", "failed")
        assert test.get("visibility", "visible") in VISIBILITY
        assert isinstance(test.get("number", ""), str)
        assert all(isinstance(tag, str) for tag in test.get("tags", []))
    visible = [t for t in results["tests"] if t.get("visibility") != "hidden"]
    assert abs(sum(t["score"] for t in visible) - results["score"]) < 1e-9


def test_the_package_grades_a_submission_on_a_fake_autograder_root(tmp_path, monkeypatch, bwrap):
    monkeypatch.setenv("GRADE_CATALOG", str(FIXTURE_CATALOG))
    package = tmp_path / "autograder.zip"
    built = grade("gradescope", "build", "9.1.1", "-o", str(package), "--sandbox", "bwrap")
    assert built.exit_code == 0, built.output
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
        root = tmp_path / "autograder"
        archive.extractall(root / "source")
    assert {"setup.sh", "run_autograder", "requirements.lock"} <= set(names)
    assert all(modes[n] & stat.S_IXUSR for n in ("setup.sh", "run_autograder"))
    assert "course/exercises/9.1-fixture-topic/9.1.1-adder/tests/test_adder.py" in names
    assert "grader/sandbox_runner.py" in names and "cli/main.py" in names
    assert not any(n.startswith("course/solutions") or "/wrong/" in n for n in names)
    assert subprocess.run(["bash", "-n", str(root / "source" / "setup.sh")]).returncode == 0
    # what Gradescope does: run_autograder beside source/, the student's files in submission/
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    os.chmod(root / "run_autograder", 0o755)
    wrong = adder_wrong_variant(tmp_path / "wrong")
    (root / "submission").mkdir()
    shutil.copy(wrong / "calc.py", root / "submission" / "calc.py")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADE_PYTHON": sys.executable}
    env.pop("GRADE_CATALOG", None)
    env.pop("PYTHONPATH", None)
    run = subprocess.run(
        [str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    check_gradescope_layout(results)
    assert results["score"] == 1  # the off-by-one variant: negates, and nothing else
    by_name = {t["name"]: t for t in results["tests"]}
    assert by_name["9.1.1 test_negates"]["status"] == "passed"
    adds = by_name["9.1.1 test_adds"]
    assert adds["status"] == "failed" and "Hint: add(2, 3) is 5." in adds["output"]
    assert "def test_adds" not in json.dumps(results)  # never the hidden tests' source
    # the run says where it wrote the results
    assert str(root / "results" / "results.json") in run.stdout


def test_the_export_layout_is_gradescopes_too(tmp_path):
    """`grade export gradescope` files pass the same layout check (one writer for both)."""
    golden = json.loads((Path(__file__).parents[1] / "golden/class/gradescope.json").read_text())
    for results in golden.values():
        check_gradescope_layout(results)


def test_build_needs_a_selection(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADE_CATALOG", str(FIXTURE_CATALOG))
    result = grade("gradescope", "build", "-o", str(tmp_path / "a.zip"))
    assert result.exit_code == 2 and "name the exercises" in result.stderr
    assert not (tmp_path / "a.zip").exists()
