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
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from grader.batch import grade_batch
from grader.exports import exercism_results, gradescope_results, to_csv, to_junit, write
from grader.gradebook import Gradebook
from grader.standing import columns_of
from tests.conftest import FIXTURE_CATALOG, adder_wrong_variant
from tests.grader.deep_trees import deep_folder
from tests.grader.test_gradebook_postgres import postgres_url  # noqa: F401 (a fixture)

SOLUTION = FIXTURE_CATALOG / "solutions/9.1-fixture-topic/9.1.1-adder"
STARTER = FIXTURE_CATALOG / "exercises/9.1-fixture-topic/9.1.1-adder/starter"


def student(root, name, source):
    folder = root / name / "9.1.1-adder"
    folder.mkdir(parents=True)
    shutil.copy(source / "calc.py", folder / "calc.py")


def make_class(root, count=3):
    """Reference, starter and wrong-variant students in turn, plus a zip and bad input."""
    wrong = adder_wrong_variant(root.parent / "off-by-one")
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
    view = gradebook.view(columns_of([adder]))
    table = view.table
    rows = list(csv.DictReader(io.StringIO(to_csv(view))))
    assert list(rows[0]) == [
        "student", "9.1.1", "total", "max", "percent", "state", "note", "review"
    ]  # fmt: skip
    by_student = {r["student"]: r for r in rows}
    assert by_student["student00"]["9.1.1"] == "8" and by_student["student00"]["percent"] == "100.0"
    assert by_student["student02"]["total"] == "1"

    junit = ET.fromstring(to_junit(view).encode())
    assert junit.tag == "testsuites"
    suites = junit.findall("testsuite")
    assert all({"name", "tests", "failures", "errors"} <= set(s.attrib) for s in suites)
    cases = junit.findall("testsuite/testcase")
    assert int(junit.get("tests")) == len(cases)
    assert int(junit.get("failures")) == len(junit.findall("testsuite/testcase/failure"))

    scope = gradescope_results(view.standing("student02"))
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
    files = write("exercism", view, tmp_path / "ex")
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


# ------------------------------------------------------------------ a hostile class

ROOT_ONLY = "ROOT-ONLY-MARKER"
LOUD_ERROR = """def add(a, b):
    raise ValueError("bad \\ud800 \\x1b]52;c;ZXZpbA==\\x07 \\x1b[2K end")


def neg(x):
    return -x
"""


@pytest.fixture
def host_tmp(monkeypatch):
    """The grader's temporary files go to a folder of this test's own, to check it is left empty
    (world-traversable, as /tmp is, so that the sandbox user reaches its staged job)."""
    folder = tempfile.mkdtemp(prefix="batch-test-", dir="/tmp")
    os.chmod(folder, 0o755)
    monkeypatch.setattr(tempfile, "tempdir", folder)
    yield Path(folder)
    shutil.rmtree(folder, ignore_errors=True)


def sandbox_named(name):
    if name == "bwrap":
        from grader.sandbox.bwrap import BwrapSandbox

        return BwrapSandbox()
    from grader.errors import SandboxUnavailable
    from grader.sandbox.container import DockerSandbox

    try:
        return DockerSandbox()
    except SandboxUnavailable as exc:
        if os.environ.get("REQUIRE_DOCKER"):
            raise
        pytest.skip(f"docker unavailable: {exc}")


@pytest.mark.parametrize("sandbox_name", ["bwrap", "docker"])
def test_a_hostile_class_is_graded_student_by_student(
    tmp_path, adder, gradebook, host_tmp, sandbox_name
):
    """Links (to the reference, to a root-only folder, inside a folder, as the student entry),
    trees deeper than Python's recursion limit, a failure message with a lone surrogate and
    escape sequences, a name too long for varchar(200), two entries naming one student: each
    is that student's own outcome, and the honest students are graded as always."""
    sandbox = sandbox_named(sandbox_name)
    root = tmp_path / "subs"
    student(root, "honest", SOLUTION)
    student(root, "starter", STARTER)
    (root / "mallory").mkdir()  # scored the reference's 100% through a link
    os.symlink(SOLUTION, root / "mallory" / "9.1.1-adder")
    secret = tmp_path / "secret"  # a folder only root may read
    secret.mkdir()
    (secret / "calc.py").write_text(f"def add(a, b):\n    return a + b  # {ROOT_ONLY}\n")
    os.chmod(secret, 0o700)
    (root / "eve").mkdir()
    os.symlink(secret, root / "eve" / "9.1.1-adder")
    student(root, "trudy", STARTER)
    os.unlink(root / "trudy" / "9.1.1-adder" / "calc.py")
    os.symlink(SOLUTION / "calc.py", root / "trudy" / "9.1.1-adder" / "calc.py")
    student(root, "oscar", STARTER)
    os.symlink("/", root / "oscar" / "9.1.1-adder" / "pkg")
    os.symlink(root / "honest", root / "sybil")
    student(root, "deep", SOLUTION)
    with zipfile.ZipFile(root / "deepzip.zip", "w") as zf:
        zf.writestr("9.1.1-adder/calc.py", (SOLUTION / "calc.py").read_text())
        zf.writestr("9.1.1-adder/" + "d/" * 1100 + "x.py", "")
    student(root, "loud", STARTER)
    (root / "loud" / "9.1.1-adder" / "calc.py").write_text(LOUD_ERROR)
    long_name = "Maria " + "Anna " * 48  # 246 characters, a legal file name
    student(root, long_name.strip(), SOLUTION)
    student(root, "Ada Lovelace", SOLUTION)
    with zipfile.ZipFile(root / "Ada  Lovelace.zip", "w") as zf:
        zf.write(STARTER / "calc.py", "9.1.1-adder/calc.py")

    started = time.monotonic()
    with deep_folder(root / "deep" / "9.1.1-adder", 1100):
        report = grade_batch(root, [adder], gradebook, lambda slot: sandbox, jobs=2)
    took = time.monotonic() - started
    states = {s.student: s for s in report.students}
    long_student = next(name for name in states if name.startswith("Maria"))

    assert (states["honest"].state, states["honest"].score) == ("graded", 8)
    assert (states["starter"].state, states["starter"].score) == ("graded", 0)
    for name in ("mallory", "eve", "trudy", "oscar", "sybil"):
        assert states[name].state == "problem", name
        assert "link" in states[name].message, name
    assert "folders deep" in states["deep"].message
    assert "folders deep" in states["deepzip"].message
    loud = states["loud"]
    assert (loud.state, loud.score) == ("graded", 1)  # neg passes; add raises
    assert "Ada Lovelace" in states and "Ada  Lovelace" not in states
    ada = [s for s in report.students if s.student == "Ada Lovelace"]
    assert len(ada) == 2 and all(s.state == "problem" for s in ada)
    assert all("give the student name" in s.message for s in ada)
    assert states[long_student].state == "graded" and len(long_student) <= 200
    assert "?" not in states

    grades = gradebook.grades()
    graded = {"honest", "starter", "loud", long_student}
    assert {name for name, state in gradebook.states().items() if state.state == "graded"} == graded
    assert gradebook.states()["Ada Lovelace"].state == "problem"  # kept, with why, for exports
    stored = json.dumps([t["message"] for t in grades["loud"]["9.1.1"].tests])
    assert "\\ufffd" in stored and "\\u001b" not in stored and "\\u0007" not in stored
    for outcome in report.students:  # the batch's own report is clean text too
        assert not any(ord(c) < 32 or 0xD800 <= ord(c) < 0xE000 for c in outcome.message)
    view = gradebook.view()
    everything = json.dumps(report.to_dict()) + to_csv(view) + to_junit(view)
    assert ROOT_ONLY not in everything
    assert list(host_tmp.iterdir()) == []  # scratch copies and staged jobs are gone
    assert took < 120


@pytest.mark.skipif(os.geteuid() != 0, reason="run as root, submissions are read as uid 61000")
def test_as_root_submissions_are_read_without_roots_rights(tmp_path, adder, gradebook, bwrap):
    """A file only root may read stays unread, and the teacher is told how to fix it."""
    root = tmp_path / "subs"
    student(root, "readable", SOLUTION)
    student(root, "private", SOLUTION)
    os.chmod(root / "private" / "9.1.1-adder" / "calc.py", 0o600)
    states = {s.student: s for s in run(root, adder, gradebook, bwrap).students}
    assert (states["readable"].state, states["readable"].score) == ("graded", 8)
    assert states["private"].state == "problem"
    assert "permission denied" in states["private"].message
    assert "chmod -R a+rX" in states["private"].message


def test_one_students_fault_is_reported_with_their_name(tmp_path, adder, bwrap, monkeypatch):
    root = tmp_path / "subs"
    for name in ("alice", "bob", "carol"):
        student(root, name, SOLUTION)
    book = Gradebook(f"sqlite:///{tmp_path / 'gb.db'}")
    real = book.record

    def failing(name, *args, **kwargs):
        if name == "bob":
            raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(book, "record", failing)
    states = {s.student: s for s in run(root, adder, book, bwrap).students}
    assert states["bob"].state == "error" and "UnicodeEncodeError" in states["bob"].message
    assert {states["alice"].state, states["carol"].state} == {"graded"}


def test_zips_are_unpacked_within_the_disk_budget(tmp_path, adder, gradebook, bwrap, host_tmp):
    """Ten 30 KB zips that each inflate to 30 MiB: never more than the budget on disk at once."""
    root = tmp_path / "subs"
    root.mkdir()
    for i in range(10):
        with zipfile.ZipFile(root / f"s{i}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            zf.write(SOLUTION / "calc.py", "9.1.1-adder/calc.py")
            zf.writestr("9.1.1-adder/zeros.bin", bytes(30 << 20))
            zf.writestr("9.1.1-adder/.git/pack.bin", bytes(10 << 20))  # never unpacked
    assert sum(p.stat().st_size for p in root.iterdir()) < 1 << 20
    budget = 64 << 20
    peak = 0
    stop = threading.Event()

    def watch():
        nonlocal peak
        while not stop.is_set():
            used = 0
            for dirpath, _, files in os.walk(host_tmp):
                for name in files:
                    try:
                        used += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
                    except FileNotFoundError:
                        pass
            peak = max(peak, used)
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        report = grade_batch(
            root, [adder], gradebook, lambda slot: bwrap, jobs=3, disk_budget=budget
        )
    finally:
        stop.set()
        watcher.join()
    assert {s.state for s in report.students} == {"graded"}
    assert 30 << 20 <= report.disk_peak <= budget
    assert peak <= budget + (8 << 20)  # staged jobs hold at most a few MiB besides
    assert list(host_tmp.iterdir()) == []


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_batches_at_once_on_one_new_gradebook(tmp_path, backend, request, bwrap):
    """Both grade the same class into one gradebook: nobody ends as `?`, nobody twice."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'gb.db'}"
    else:
        from sqlalchemy import create_engine, text

        server = request.getfixturevalue("postgres_url")
        engine = create_engine(server, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("create database two_batches"))
        engine.dispose()
        url = server.rsplit("/", 1)[0] + "/two_batches"
    root = tmp_path / "subs"
    for i in range(3):
        student(root, f"s{i}", SOLUTION)
    env = {**os.environ, "GRADE_CATALOG": str(FIXTURE_CATALOG)}
    argv = [sys.executable, "-m", "cli.main", "batch", str(root), "--db", url,
            "--jobs", "2", "--sandbox", "bwrap", "--json"]  # fmt: skip
    batches = [
        subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for batch in batches:
        out, err = batch.communicate(timeout=300)
        assert batch.returncode == 0, err[-2000:] + out[-2000:]
        report = json.loads(out)
        assert {s["student"] for s in report["students"]} == {"s0", "s1", "s2"}
        assert {s["state"] for s in report["students"]} <= {"graded", "skipped"}
    grades = Gradebook(url).grades()
    assert sorted(grades) == ["s0", "s1", "s2"]
    assert all(g["9.1.1"].score == 8 for g in grades.values())
