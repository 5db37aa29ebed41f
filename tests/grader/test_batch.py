"""Batch grading into the gradebook, resuming, overrides and exports, on the fixture catalog."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile

import pytest

from grader.batch import grade_batch
from grader.exports import exercism_results, gradescope_results, to_csv, to_junit, write
from grader.gradebook import Gradebook
from grader.variants import load, materialise
from tests.conftest import FIXTURE_CATALOG

SOLUTION = FIXTURE_CATALOG / "solutions/9.1-fixture-topic/9.1.1-adder"
STARTER = FIXTURE_CATALOG / "exercises/9.1-fixture-topic/9.1.1-adder/starter"


def student(root, name, source):
    folder = root / name / "9.1.1-adder"
    folder.mkdir(parents=True)
    shutil.copy(source / "calc.py", folder / "calc.py")


def make_class(root, count=3):
    """Reference, starter and wrong-variant students in turn, plus a zip and bad input."""
    wrong = root.parent / "off-by-one"
    materialise(load(SOLUTION / "wrong" / "off-by-one.patch"), SOLUTION, wrong)
    for i in range(count):
        source = [SOLUTION, STARTER, wrong][i % 3]
        student(root, f"student{i:02d}", source)
    with zipfile.ZipFile(root / "zipped.zip", "w") as zf:
        zf.write(SOLUTION / "calc.py", "zipped/9.1.1-adder/calc.py")
    (root / "corrupt.zip").write_bytes(b"PK\x03\x04 not really")
    with zipfile.ZipFile(root / "sneaky.zip", "w") as zf:
        zf.writestr("../../escape.py", "x = 1")


@pytest.fixture
def gradebook(tmp_path):
    return Gradebook(f"sqlite:///{tmp_path / 'gb.db'}")


def run(root, adder, gradebook, bwrap, **kw):
    return grade_batch(root, [adder], gradebook, lambda slot: bwrap, jobs=2, **kw)


def test_batch_grades_each_student_and_reports_bad_input(tmp_path, adder, gradebook, bwrap):
    root = tmp_path / "subs"
    make_class(root, 3)
    report = run(root, adder, gradebook, bwrap)
    states = {s.student: (s.state, s.score) for s in report.students}
    assert states["student00"] == ("graded", 8)
    assert states["student01"] == ("graded", 0)
    assert states["student02"] == ("graded", 1)
    assert states["zipped"] == ("graded", 8)
    assert states["corrupt"][0] == "problem" and states["sneaky"][0] == "problem"
    assert not (tmp_path / "escape.py").exists()
    assert not report.ok
    grades = gradebook.grades()
    assert grades["student00"]["9.1.1"].score == 8


def test_rerun_skips_unchanged_and_regrades_changed(tmp_path, adder, gradebook, bwrap):
    root = tmp_path / "subs"
    make_class(root, 2)
    run(root, adder, gradebook, bwrap)
    shutil.copy(SOLUTION / "calc.py", root / "student01" / "9.1.1-adder" / "calc.py")
    report = run(root, adder, gradebook, bwrap)
    states = {s.student: s.state for s in report.students}
    assert states["student00"] == "skipped" and states["zipped"] == "skipped"
    assert states["student01"] == "graded"
    assert gradebook.grades()["student01"]["9.1.1"].score == 8
    forced = run(root, adder, gradebook, bwrap, regrade=True)
    assert {s.state for s in forced.students if s.student.startswith("student")} == {"graded"}


def test_overrides_survive_regrades(tmp_path, adder, gradebook, bwrap):
    root = tmp_path / "subs"
    make_class(root, 2)
    run(root, adder, gradebook, bwrap)
    gradebook.override("student01", "9.1.1", 5, "partial credit by hand")
    run(root, adder, gradebook, bwrap, regrade=True)
    grade = gradebook.grades()["student01"]["9.1.1"]
    assert (grade.score, grade.overridden, grade.reason) == (5, True, "partial credit by hand")


def test_exports_parse_as_their_formats(tmp_path, adder, gradebook, bwrap):
    root = tmp_path / "subs"
    make_class(root, 3)
    run(root, adder, gradebook, bwrap)
    table = gradebook.grades()
    rows = list(csv.DictReader(io.StringIO(to_csv(table, [adder]))))
    assert list(rows[0]) == ["student", "9.1.1", "total", "max", "percent", "review"]
    by_student = {r["student"]: r for r in rows}
    assert by_student["student00"]["9.1.1"] == "8" and by_student["student00"]["percent"] == "100.0"
    assert by_student["student02"]["total"] == "1"

    junit = ET.fromstring(to_junit(table, [adder]).encode())
    assert junit.tag == "testsuites"
    suites = junit.findall("testsuite")
    assert all({"name", "tests", "failures", "errors"} <= set(s.attrib) for s in suites)
    cases = junit.findall("testsuite/testcase")
    assert int(junit.get("tests")) == len(cases)
    assert int(junit.get("failures")) == len(junit.findall("testsuite/testcase/failure"))

    columns = [("9.1.1", "Add and negate", 8.0)]
    scope = gradescope_results(table["student02"], columns)
    assert scope["score"] == 1
    for test in scope["tests"]:
        assert {"name", "score", "max_score", "status", "number"} <= set(test)
        assert test["status"] in ("passed", "failed")
    assert sum(t["score"] for t in scope["tests"]) == scope["score"]

    exercism = exercism_results(table["student01"]["9.1.1"])
    assert exercism["version"] == 3 and exercism["status"] == "fail"
    assert all(
        t["status"] in ("pass", "fail", "error") and "task_id" in t for t in exercism["tests"]
    )
    files = write("exercism", table, [adder], tmp_path / "ex")
    assert all(json.loads(f.read_text())["version"] == 3 for f in files)


def test_batch_resumes_after_being_killed(tmp_path, adder, bwrap):
    """Kill `grade batch` once some students are stored; the rerun skips exactly those."""
    root = tmp_path / "subs"
    for i in range(8):
        student(root, f"s{i}", SOLUTION)
    db = tmp_path / "gb.db"
    env = {**os.environ, "GRADE_CATALOG": str(FIXTURE_CATALOG)}
    argv = [
        sys.executable,
        "-m",
        "cli.main",
        "batch",
        str(root),
        "--db",
        f"sqlite:///{db}",
        "--jobs",
        "1",
        "--sandbox",
        "bwrap",
        "--json",
    ]
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        stored = _runs(db)
        if stored >= 2:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = _runs(db)
    assert 2 <= stored < 8, f"{stored} students were stored before the kill"
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    counts = json.loads(result.stdout)["counts"]
    assert counts == {"skipped": stored, "graded": 8 - stored}
    assert _runs(db) == 8  # no student graded twice


def _runs(db) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("select count(*) from runs").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_cli_lists_the_export_formats_the_engine_writes():
    from cli.commands import export
    from grader import exports

    assert export.FORMATS == exports.FORMATS
