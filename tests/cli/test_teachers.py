"""What a teacher meets after `grade batch`: one total everywhere, a row for every student,
manual grades that are checked and kept with their history, exports that pipe cleanly."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app, route
from tests.conftest import FIXTURE_CATALOG

runner = CliRunner()
ADDER = "9.1-fixture-topic/9.1.1-adder"
TWICE = "9.1-fixture-topic/9.1.2-twice"


def grade(*args: str):
    return runner.invoke(app, route(list(args)))


@pytest.fixture
def two_exercises(tmp_path, monkeypatch):
    """The fixture catalog with a second exercise (9.1.2, a copy of 9.1.1: 8 points each)."""
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    for part in ("exercises", "solutions"):
        shutil.copytree(catalog / part / ADDER, catalog / part / TWICE)
    toml = catalog / "exercises" / TWICE / "exercise.toml"
    toml.write_text(
        toml.read_text().replace('id = "9.1.1"', 'id = "9.1.2"').replace("adder", "twice")
    )
    monkeypatch.setenv("GRADE_CATALOG", str(catalog))
    monkeypatch.setenv("GRADE_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _full_marks(units, sandbox, limits=None):
    """Every exercise handed in scores its 8 points (no sandbox: these tests are about totals)."""
    from grader.models import ExerciseResult, RunStatus, TestResult, TestStatus

    return {
        unit.key: ExerciseResult(
            id=unit.exercise.id,
            slug=unit.exercise.meta.slug,
            title=unit.exercise.meta.title,
            status=RunStatus.ok,
            score=8,
            max_score=8,
            tests=[
                TestResult(name="test_adds", task=1, status=TestStatus.passed, points=8, earned=8)
            ],
        )
        for unit in units
    }


def make_class(root: Path) -> None:
    """`full` hands in both exercises, `partial` only 9.1.1, `broken` a zip that is not one;
    and a stray notes file lies beside them."""
    for name, folders in {
        "full": ["9.1.1-adder", "9.1.2-twice"],
        "partial": ["9.1.1-adder"],
    }.items():
        for folder in folders:
            (root / name / folder).mkdir(parents=True)
            (root / name / folder / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    (root / "broken.zip").write_bytes(b"PK\x03\x04 not a zip")
    (root / "notes.txt").write_text("grading notes, not a student")


@pytest.fixture
def graded_class(two_exercises, monkeypatch, bwrap):
    monkeypatch.setattr("grader.batch.grade_units", _full_marks)
    root = two_exercises / "subs"
    make_class(root)
    db = f"sqlite:///{two_exercises / 'gb.db'}"
    first = grade("batch", str(root), "9.1", "--db", db, "--sandbox", "bwrap", "--json")
    return two_exercises, root, db, first


def test_one_total_everywhere_missing_counts_zero_and_is_marked(graded_class):
    tmp, root, db, first = graded_class
    batch = {s["student"]: s for s in json.loads(first.stdout)["students"]}
    assert (batch["partial"]["score"], batch["partial"]["max_score"]) == (8, 16)
    assert batch["partial"]["missing"] == ["9.1.2"]
    assert (batch["full"]["score"], batch["full"]["max_score"]) == (16, 16)
    # the rerun skips everyone unchanged: their stored totals, not 0/0
    again = json.loads(
        grade("batch", str(root), "9.1", "--db", db, "--sandbox", "bwrap", "--json").stdout
    )
    skipped = {s["student"]: s for s in again["students"]}
    assert skipped["partial"]["state"] == "skipped"
    assert (skipped["partial"]["score"], skipped["partial"]["max_score"]) == (8, 16)
    table = grade("batch", str(root), "9.1", "--db", db, "--sandbox", "bwrap").stdout
    [row] = [line for line in table.splitlines() if line.strip().startswith("partial")]
    assert "8/16" in row and "skipped" in row and "missing 1: 9.1.2" in row
    [row] = [line for line in table.splitlines() if line.strip().startswith("full")]
    assert "16/16" in row
    rows = {
        r["student"]: r
        for r in csv.DictReader(io.StringIO(grade("export", "csv", "--db", db, "-o", "-").stdout))
    }
    assert (rows["partial"]["9.1.2"], rows["partial"]["total"], rows["partial"]["max"]) == (
        "missing",
        "8",
        "16",
    )
    data = json.loads(grade("export", "json", "--db", db, "-o", "-").stdout)
    partial = {s["student"]: s for s in data["students"]}["partial"]
    assert (partial["total"], partial["max"], partial["missing"]) == (8, 16, ["9.1.2"])
    assert partial["exercises"]["9.1.2"]["status"] == "missing"
    moodle = {
        r["Student"]: r
        for r in csv.DictReader(
            io.StringIO(grade("export", "moodle", "--db", db, "-o", "-").stdout)
        )
    }
    assert moodle["partial"]["Total"] == "8" and "missing: 9.1.2" in moodle["partial"]["Feedback"]


def test_a_broken_zip_has_a_row_in_every_export_and_a_stray_file_is_no_student(graded_class):
    tmp, root, db, first = graded_class
    report = json.loads(first.stdout)
    assert report["ignored"] == ["notes.txt"]
    assert "notes.txt" not in {s["student"] for s in report["students"]}
    assert first.exit_code == 1  # broken.zip is a student who could not be graded
    (root / "broken.zip").unlink()
    clean = grade("batch", str(root), "9.1", "--db", db, "--sandbox", "bwrap")
    assert clean.exit_code == 0, clean.output  # the stray file alone changes nothing
    assert "ignored (neither a folder nor a .zip): notes.txt" in clean.stderr
    for fmt in ("csv", "json", "junit", "canvas", "moodle"):
        text = grade("export", fmt, "--db", db, "-o", "-").stdout
        assert "broken" in text, fmt
    gradescope = tmp / "gs"
    assert grade("export", "gradescope", "--db", db, "-o", str(gradescope)).exit_code == 0
    data = json.loads((gradescope / "broken" / "results.json").read_text())
    assert "could not be graded: unreadable zip" in data["output"] and data["score"] == 0
    rows = {
        r["student"]: r
        for r in csv.DictReader(io.StringIO(grade("export", "csv", "--db", db, "-o", "-").stdout))
    }
    assert rows["broken"]["state"] == "problem" and "unreadable zip" in rows["broken"]["note"]


def test_override_is_checked_removable_and_remembers(graded_class, monkeypatch):
    tmp, root, db, _ = graded_class
    monkeypatch.setenv("GRADE_TEACHER", "ms-hopper")
    too_many = grade("override", "partial", "9.1.1", "999", "--db", db)
    assert too_many.exit_code == 2 and "outside 0..8" in too_many.stderr
    assert len(too_many.stderr.strip().splitlines()) == 1
    outside = grade("override", "partial", "9.1.1-adder", "1", "--db", db)
    assert outside.exit_code == 0  # a slug names the same exercise
    typo = grade("override", "partail", "9.1.1", "4", "--db", db)
    assert typo.exit_code == 2 and "Did you mean 'partial'?" in typo.stderr
    set_ = grade("override", "partial", "9.1.2", "6", "-r", "sent by mail", "--db", db, "--json")
    assert json.loads(set_.stdout) == {
        "student": "partial", "exercise": "9.1.2", "score": 6.0, "reason": "sent by mail"
    }  # fmt: skip
    again = json.loads(grade("override", "partial", "9.1.2", "7", "--db", db, "--json").stdout)
    assert again["reason"] == "sent by mail"  # rerun without a reason: the reason stays
    rows = {
        r["student"]: r
        for r in csv.DictReader(io.StringIO(grade("export", "csv", "--db", db, "-o", "-").stdout))
    }
    assert (rows["partial"]["9.1.2"], rows["partial"]["total"]) == ("7", "8")  # 1 + 7
    removed = grade("override", "partial", "9.1.2", "--remove", "--db", db)
    assert removed.exit_code == 0, removed.output
    rows = {
        r["student"]: r
        for r in csv.DictReader(io.StringIO(grade("export", "csv", "--db", db, "-o", "-").stdout))
    }
    assert rows["partial"]["9.1.2"] == "missing"
    history = json.loads(
        grade("override", "partial", "9.1.2", "--history", "--db", db, "--json").stdout
    )["history"]
    assert [(e["action"], e["score"], e["by"]) for e in history] == [
        ("set", 6.0, "ms-hopper"), ("set", 7.0, "ms-hopper"), ("removed", None, "ms-hopper")
    ]  # fmt: skip
    assert all(e["at"] for e in history)
    assert grade("override", "partial", "9.1.2", "--remove", "--db", db).exit_code == 2


def test_override_refuses_an_exercise_the_gradebook_does_not_grade(
    two_exercises, monkeypatch, bwrap
):
    monkeypatch.setattr("grader.batch.grade_units", _full_marks)
    root = two_exercises / "subs"
    make_class(root)
    db = f"sqlite:///{two_exercises / 'gb.db'}"
    grade("batch", str(root), "9.1.1", "--db", db, "--sandbox", "bwrap")
    outside = grade("override", "partial", "9.1.2", "3", "--db", db)
    assert outside.exit_code == 2
    assert "9.1.2 is not graded in this gradebook" in outside.stderr
    assert "Did you mean '9.1.1'?" in outside.stderr


def test_export_to_stdout_keeps_stdout_for_data(graded_class):
    tmp, root, db, _ = graded_class
    result = grade("export", "csv", "--db", db, "-o", "-")
    assert result.exit_code == 0
    assert result.stdout.startswith("student,9.1.1,9.1.2,total")
    assert not (tmp / "-").exists()
    assert "csv: 3 students → stdout" in result.stderr
    written = grade("export", "json", "--db", db, "-o", str(tmp / "g.json"))
    assert written.stdout == "" and "g.json" in written.stderr
    assert grade("export", "feedback", "--db", db, "-o", "-").exit_code == 2


def test_export_without_a_gradebook_says_so_and_creates_none(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = grade("export", "csv")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: no gradebook at gradebook.db Run `grade batch SUBMISSIONS` first, or pass --db "
        "(or set GRADE_DB)."
    ]
    assert list(tmp_path.iterdir()) == []
    assert grade("override", "ada", "9.1.1", "3").exit_code == 2
    assert list(tmp_path.iterdir()) == []
