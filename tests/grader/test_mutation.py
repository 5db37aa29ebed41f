"""Mutation grading: the learner's tests run beside a subject app or a mutant of it."""

from __future__ import annotations

import os
import socket
import sys
import textwrap

import pytest

from grader import mutation

pytest_plugins = ["pytester"]

SUBJECT = """
def add(a, b):
    return a + b


def neg(x):
    return -x
"""

MUTANT = """Breaks: "`add(a, b)` returns `a + b`."
Mistake: adds one too many.

--- a/app.py
+++ b/app.py
@@ -1,4 +1,4 @@

 def add(a, b):
-    return a + b
+    return a + b + 1

"""

GOOD_TESTS = """
from app import add, neg

def test_add():
    assert add(2, 3) == 5

def test_neg():
    assert neg(2) == -2
"""

WEAK_TESTS = """
from app import add

def test_add_returns_a_number():
    assert isinstance(add(0, 0), int)
"""


@pytest.fixture
def subject(tmp_path):
    (tmp_path / "subject").mkdir()
    (tmp_path / "subject" / "app.py").write_text(SUBJECT)
    (tmp_path / "mutants").mkdir()
    (tmp_path / "mutants" / "off-by-one.patch").write_text(MUTANT)
    return mutation.Subject(tmp_path)


def test_good_tests_pass_on_the_subject_and_catch_the_mutant(subject):
    run = subject.run({"test_app.py": GOOD_TESTS})
    assert run.collected == 2 and run.green and not run.caught
    assert run.passed == ["test_app.py::test_add", "test_app.py::test_neg"]
    mutated = subject.run({"test_app.py": GOOD_TESTS}, mutant="off-by-one")
    assert mutated.caught and mutated.outcome("test_app.py::test_add") == "failed"
    assert mutated.reason("test_app.py::test_add") == "assert 6 == 5"
    assert mutated.outcome("test_app.py::test_neg") == "passed"
    assert "test_app.py::test_add failed: assert 6 == 5" in mutated.problems()


def test_weak_tests_let_the_mutant_survive(subject):
    assert subject.mutant_names == ["off-by-one"]
    mutant = subject.mutant("off-by-one")
    assert mutant.behaviour == "`add(a, b)` returns `a + b`."
    assert "a + b + 1" in mutant.files["app.py"]
    run = subject.run({"test_app.py": WEAK_TESTS}, mutant="off-by-one")
    assert run.green and not run.caught


def test_a_collection_error_is_not_a_catch(subject):
    run = subject.run({"test_app.py": "from app import missing\n"}, mutant="off-by-one")
    assert not run.caught and not run.green
    assert "test_app.py" in run.collection_errors
    assert "ImportError" in run.collection_errors["test_app.py"]


def test_fixture_errors_are_reported_apart_from_failures(subject):
    tests = """
import pytest

@pytest.fixture
def broken():
    raise RuntimeError("no database")

def test_uses_it(broken):
    pass
"""
    run = subject.run({"test_app.py": tests})
    assert run.errors == {
        "test_app.py::test_uses_it": "in a fixture's setup: RuntimeError: no database"
    }
    assert not run.failed and run.caught


def test_a_stale_mutant_fails_loudly(subject, tmp_path):
    (tmp_path / "subject" / "app.py").write_text(SUBJECT.replace("a + b", "b + a"))
    stale = mutation.Subject(tmp_path)
    with pytest.raises(mutation.MutationError, match="hunk 1 of app.py no longer applies"):
        stale.mutant("off-by-one")
    with pytest.raises(mutation.MutationError, match="no mutant 'other'"):
        stale.mutant("other")


def test_the_run_leaves_modules_path_and_folder_as_they_were(subject, monkeypatch):
    placeholder = type(sys)("app")
    monkeypatch.setitem(sys.modules, "app", placeholder)
    path, cwd = list(sys.path), os.getcwd()
    tests = GOOD_TESTS + "\nimport sys\nsys.path.append('/nowhere')\n"
    run = subject.run({"test_app.py": tests, "helper_mod.py": "X = 1\n"})
    assert run.green, run.problems()
    assert sys.modules["app"] is placeholder
    assert "test_app" not in sys.modules and "helper_mod" not in sys.modules
    assert sys.path == path and os.getcwd() == cwd


def test_the_network_is_blocked_during_the_run_only(subject):
    tests = """
import socket

def test_calls_out():
    socket.create_connection(("192.0.2.1", 80), timeout=1)
"""
    run = subject.run({"test_app.py": tests})
    assert "network access is blocked" in run.failed["test_app.py::test_calls_out"]
    assert socket.getaddrinfo is not None and socket.socket.connect.__name__ == "connect"
    left, right = socket.socketpair()  # local pairs (an event loop's) still work
    left.close(), right.close()


def test_inspect_sees_the_run_modules_and_overrides_left(tmp_path):
    (tmp_path / "subject").mkdir()
    (tmp_path / "subject" / "app.py").write_text(
        "from fastapi import FastAPI\napp = FastAPI()\ndef get_thing():\n    return 1\n"
    )
    subject = mutation.Subject(tmp_path)
    leaky = """
from app import app, get_thing

def test_overrides():
    app.dependency_overrides[get_thing] = lambda: 2
"""
    run = subject.run({"test_app.py": leaky}, inspect=mutation.overrides_left("app"))
    assert run.green and run.inspected == ["get_thing"]
    run = subject.run(
        {"test_app.py": "def test_x():\n    pass\n"}, inspect=mutation.overrides_left()
    )
    assert run.inspected is None  # the tests never imported app
    assert mutation.overrides_left("app") is mutation.overrides_left("app")  # runs are reused


def test_six_runs_are_cheap(subject):
    import time

    start = time.perf_counter()
    for _ in range(3):
        subject.run({"test_app.py": GOOD_TESTS})
        subject.run({"test_app.py": GOOD_TESTS}, mutant="off-by-one")
    assert time.perf_counter() - start < 3  # about 0.2 s when the machine is idle


HIDDEN_SUITE = """
from pathlib import Path

import pytest

HERE = Path(__file__).parent
RUNS = []


@pytest.fixture
def suite(learner_tests):
    return learner_tests(HERE, ["test_learner.py"])


def test_subject(suite):
    run = suite.on_subject()
    RUNS.append(run)
    assert run.green, run.problems()


def test_mutant(suite, learner_tests):
    assert learner_tests(HERE, ["test_learner.py"]) is suite
    assert suite.on_mutant("off-by-one").caught
    assert suite.on_subject() is RUNS[0]  # each run is made once per grading


def test_missing_file(learner_tests):
    with pytest.raises(Exception, match="nothing.py is missing"):
        learner_tests(HERE, ["nothing.py"]).on_subject()
"""


def test_the_plugin_fixture_runs_the_learner_files(pytester):
    hidden = pytester.mkdir("hidden")
    (hidden / "subject").mkdir()
    (hidden / "subject" / "app.py").write_text(SUBJECT)
    (hidden / "mutants").mkdir()
    (hidden / "mutants" / "off-by-one.patch").write_text(MUTANT)
    (hidden / "test_hidden.py").write_text(textwrap.dedent(HIDDEN_SUITE))
    learner = pytester.mkdir("learner")
    (learner / "test_learner.py").write_text(GOOD_TESTS)
    (learner / "app.py").write_text("raise RuntimeError('the learner copy is never used')\n")
    result = pytester.runpytest_inprocess(
        str(hidden), "-p", "grader.pytest_plugin", "--submission", str(learner)
    )
    result.assert_outcomes(passed=3)


def test_problems_names_stale_mutants_unknown_sentences_and_a_drifted_subject(subject, tmp_path):
    starter = tmp_path / "starter"
    starter.mkdir()
    (starter / "app.py").write_text(SUBJECT)
    assert mutation.problems(tmp_path, "`add(a, b)` returns `a + b`.", starter) == []
    (starter / "app.py").write_text(SUBJECT + "# edited\n")
    (tmp_path / "mutants" / "stale.patch").write_text(
        MUTANT.replace("return a + b\n", "return b\n")
    )
    found = mutation.problems(tmp_path, "another prompt", starter)
    assert any("stale.patch" in p and "no longer applies" in p for p in found)
    assert any("off-by-one.patch" in p and "not in the prompt" in p for p in found)
    assert "subject/app.py differs from the starter's app.py" in found
    assert mutation.problems(tmp_path / "starter", "x") == []  # no subject, nothing to check


def test_probe_tests_run_with_the_learner_files(subject):
    conftest = "import pytest\n\n@pytest.fixture\ndef answer():\n    return 42\n"
    probe = "def test_uses_the_learner_fixture(answer):\n    assert answer == 41, 'answer was 42'\n"
    run = subject.run({"conftest.py": conftest, "test_probe.py": probe})
    assert run.outcome("test_probe.py::test_uses_the_learner_fixture") == "failed"
    assert run.reason("test_probe.py::test_uses_the_learner_fixture").startswith(
        "AssertionError: answer was 42"
    )
    assert run.outcome("test_probe.py::test_other") == "missing"


@pytest.mark.parametrize(
    "text, why",
    [
        ("raise SystemExit(3)\n\ndef test_a():\n    pass\n", "internal error"),
        ("import pytest\n\ndef test_a():\n    pytest.exit('bye')\n", "interrupted"),
        ("def test_a():\n    raise KeyboardInterrupt\n", "interrupted"),
    ],
)
def test_a_run_that_stops_early_is_neither_green_nor_a_catch(subject, text, why):
    run = subject.run({"test_app.py": text}, mutant="off-by-one")
    assert not run.green and not run.caught
    assert why in run.collection_errors["(pytest)"]
    assert run.problems() == run.collection_errors["(pytest)"]  # said as it is, no file name


def test_only_and_first_failure_narrow_a_run(subject):
    tests = GOOD_TESTS + "\n\ndef test_add_again():\n    assert add(1, 1) == 2\n"
    run = subject.run(
        {"test_app.py": tests},
        mutant="off-by-one",
        only=["test_app.py::test_neg", "test_app.py::test_add", "test_app.py::test_add_again"],
        first_failure=True,
    )
    assert run.failed == {"test_app.py::test_add": "assert 6 == 5"}  # stopped there
    assert run.passed == [] and run.caught
    run = subject.run({"test_app.py": tests}, only=["test_app.py::test_neg"])
    assert run.collected == 1 and run.passed == ["test_app.py::test_neg"]
