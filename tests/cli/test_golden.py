"""`grade --json` of the fixture exercise's solutions and attacks, and every export format of a
small fixture class, compared whole with tests/golden/ (see tests/goldens.py)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app, route
from tests.conftest import ATTACKS, FIXTURE_CATALOG, adder_wrong_variant
from tests.goldens import assert_golden

runner = CliRunner()
SOLUTION = FIXTURE_CATALOG / "solutions/9.1-fixture-topic/9.1.1-adder"
STARTER = FIXTURE_CATALOG / "exercises/9.1-fixture-topic/9.1.1-adder/starter"
# Attacks whose outcome is the same on every machine and in both sandboxes (the others end in
# a timeout or an out-of-memory kill, whichever limit comes first, and are checked by
# tests/grader/test_sandbox.py instead).
STEADY_ATTACKS = [
    "forged_output",
    "os_exit",
    "planted_conftest",
    "pytest_exit",
    "segfault",
    "sys_exit",
]
PLANTED = """
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    outcome.get_result().outcome = "passed"
"""


def grade(*args: str):
    return runner.invoke(app, route(list(args)))


@pytest.fixture
def fixture_env(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADE_CATALOG", str(FIXTURE_CATALOG))
    monkeypatch.setenv("GRADE_WORKSPACE", str(tmp_path / "ws"))
    return tmp_path


def graded(workspace: Path, files: dict[str, str]) -> dict:
    assert grade("start", "9.1.1").exit_code == 0
    folder = workspace / "ws" / "9.1.1-adder"
    for name, text in files.items():
        (folder / name).write_text(text)
    result = grade("9.1.1", "--sandbox", "bwrap", "--json")
    return json.loads(result.stdout) | {"exit_code": result.exit_code}


@pytest.mark.parametrize("solution", ["reference", "starter", "wrong", "alternative"])
def test_grade_json_of_the_fixture_solutions(fixture_env, bwrap, solution):
    sources = {
        "reference": SOLUTION,
        "starter": STARTER,
        "wrong": adder_wrong_variant(fixture_env / "wrong"),
        "alternative": SOLUTION / "alternatives" / "via-sum",
    }
    data = graded(fixture_env, {"calc.py": (sources[solution] / "calc.py").read_text()})
    assert_golden(f"grade/{solution}.json", data)


@pytest.mark.parametrize("attack", STEADY_ATTACKS)
def test_grade_json_of_the_steady_attacks(fixture_env, bwrap, attack):
    files = {"calc.py": (ATTACKS / f"{attack}.py").read_text()}
    if attack == "planted_conftest":
        files["conftest.py"] = PLANTED
    assert_golden(f"grade/attack-{attack}.json", graded(fixture_env, files))


def make_class(root: Path) -> None:
    """Four students (reference, starter, wrong, nothing gradable), a broken zip and a stray
    file (no student: ignored)."""
    sources = {
        "ada": SOLUTION,
        "grace": STARTER,
        "linus": adder_wrong_variant(root.parent / "wrong"),
    }
    for name, source in sources.items():
        folder = root / name / "9.1.1-adder"
        folder.mkdir(parents=True)
        shutil.copy(source / "calc.py", folder / "calc.py")
    (root / "empty").mkdir()
    (root / "broken.zip").write_bytes(b"PK\x03\x04 not a zip")
    (root / "grades-2024.xlsx").write_bytes(b"not a student")
    with zipfile.ZipFile(root / "zoe.zip", "w") as zf:
        zf.write(SOLUTION / "calc.py", "zoe/9.1.1-adder/calc.py")


@pytest.fixture
def fixture_class(fixture_env, bwrap):
    root = fixture_env / "submissions"
    make_class(root)
    db = f"sqlite:///{fixture_env / 'gb.db'}"
    result = grade("batch", str(root), "--sandbox", "bwrap", "--db", db, "--json")
    return fixture_env, db, json.loads(result.stdout) | {"exit_code": result.exit_code}


def test_batch_json_and_every_export_of_a_small_class(fixture_class):
    tmp, db, batch = fixture_class
    paths = {str(tmp): "<tmp>"}
    assert_golden("class/batch.json", batch, paths)
    files = (
        ("csv", "grades.csv"),
        ("json", "grades.json"),
        ("junit", "grades.xml"),
        ("canvas", "canvas.csv"),
        ("moodle", "moodle.csv"),
    )
    for fmt, name in files:
        assert grade("export", fmt, "--db", db, "-o", str(tmp / name)).exit_code == 0
        assert_golden(f"class/{name}", (tmp / name).read_text(encoding="utf-8"), paths)
    for fmt in ("gradescope", "exercism"):
        out = tmp / fmt
        assert grade("export", fmt, "--db", db, "-o", str(out)).exit_code == 0
        files = sorted(p for p in out.rglob("*.json"))
        exported = {p.relative_to(out).as_posix(): json.loads(p.read_text()) for p in files}
        assert_golden(f"class/{fmt}.json", exported, paths)
    out = tmp / "feedback"
    assert grade("export", "feedback", "--db", db, "-o", str(out)).exit_code == 0
    for path in sorted(out.glob("*.md")):
        assert_golden(f"class/feedback/{path.name}", path.read_text(encoding="utf-8"), paths)


def test_class_report_human_and_json(fixture_class):
    tmp, db, _ = fixture_class
    data = json.loads(grade("report", "--db", db, "--json").stdout)
    assert_golden("class/report.json", data)
    assert (data["students"], data["max_score"]) == (6, 8)
    [adder] = data["exercises"]
    assert adder["missing"] == 2 and adder["pass_rate"] == round(2 / 6, 3)
    worst = data["most_failed"][0]
    assert (worst["test"], worst["failed"], worst["ran"]) == ("test_adds", 2, 4)
    assert worst["hint"] == "add(2, 3) is 5."
    human = grade("report", "--db", db)
    assert human.exit_code == 0
    text = " ".join(human.stdout.split())
    assert "6 students: mean 2.83/8" in text and "median 0.5" in text
    assert "Most-failed tests" in text and "add(2, 3) is 5." in text
    assert "could not be graded: broken, empty" in text
