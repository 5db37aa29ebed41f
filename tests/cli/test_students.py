"""What a student meets: finding the workspace, their own traceback, a broken module as one
banner, a hung test named, hints shown as written, a compact watch screen, `grade next`."""

from __future__ import annotations

import io
import json
import re
import shutil

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli import render
from cli.main import app, route
from grader.models import (
    ExerciseResult,
    GradeReport,
    RunStatus,
    TestResult,
    TestStatus,
)
from grader.progress import ExerciseProgress
from tests.conftest import FIXTURE_CATALOG

runner = CliRunner()
SOLUTION = FIXTURE_CATALOG / "solutions/9.1-fixture-topic/9.1.1-adder/calc.py"
BRACKET_HINT = "`Mapped[int]` (not `Column`)"


def grade(*args: str):
    return runner.invoke(app, route(list(args)))


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADE_CATALOG", str(FIXTURE_CATALOG))
    monkeypatch.setenv("GRADE_WORKSPACE", str(tmp_path / "ws"))
    return tmp_path / "ws"


@pytest.fixture
def screen(monkeypatch):
    """What the terminal shows, 80 columns wide."""
    out = io.StringIO()
    monkeypatch.setattr(render, "console", Console(file=out, width=80, highlight=False))
    return out


def started_with(env, calc: str) -> None:
    assert grade("start", "9.1.1").exit_code == 0
    (env / "9.1.1-adder" / "calc.py").write_text(calc)


def graded_json(*extra: str) -> dict:
    result = grade("9.1.1", "--sandbox", "bwrap", "--json", *extra)
    return json.loads(result.stdout)["exercises"][0]


# ---------------------------------------------------------------- the workspace, found


def test_workspace_is_found_from_inside_it(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADE_CATALOG", str(FIXTURE_CATALOG))
    monkeypatch.delenv("GRADE_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    assert grade("start", "9.1.1").exit_code == 0
    workspace = tmp_path / "workspace"
    for inside in (workspace / "9.1.1-adder", workspace):
        monkeypatch.chdir(inside)
        data = json.loads(grade("start", "9.1.1", "--json").stdout)
        assert data["workspace"] == str(workspace)
        assert data["exercises"][0]["action"] == "unchanged"
        [row] = json.loads(grade("list", "--json").stdout)["exercises"]
        assert row["progress"] == "started"
    assert not (workspace / "workspace").exists()
    assert not (workspace / "9.1.1-adder" / "workspace").exists()


def test_a_workspace_inside_a_workspace_is_refused(env):
    assert grade("start", "9.1.1").exit_code == 0
    result = grade("start", "9.1.1", "-w", str(env / "9.1.1-adder" / "workspace"), "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "nested-workspace"
    assert not (env / "9.1.1-adder" / "workspace").exists()


# ---------------------------------------------------------------- their own traceback


LOOP = "def add(a, b):\n    while True:\n        pass\n\n\ndef neg(x):\n    return -x\n"
TYPO = """def add(a, b):
    total = a + b
    return total.bit_lenght() and total


def neg(x):
    return -x
"""


def test_an_error_in_their_code_shows_their_traceback_only(env, bwrap):
    started_with(env, TYPO)
    exercise = graded_json()
    adds = next(t for t in exercise["tests"] if t["name"] == "test_adds")
    assert adds["error"]["raised"].startswith("AttributeError: 'int' object has no attribute")
    assert adds["error"]["frames"] == [
        {
            "file": "calc.py",
            "line": 3,
            "function": "add",
            "column": 0,
            "source": "    return total.bit_lenght() and total",
        }
    ]
    human = grade("9.1.1", "--sandbox", "bwrap").stdout
    assert "your code raised (in 2 tests): AttributeError" in human
    assert "calc.py, line 3, in add" in human and "return total.bit_lenght()" in human
    assert "test_adder.py" not in human and "learner(" not in human  # never the tests'


def test_an_error_behind_a_500_is_traced_to_their_code(tmp_path):
    """A request the app answers with 500: the exception the TestClient swallows is kept."""
    from fastapi import FastAPI

    from grader import testing
    from grader.trace import describe

    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "app_main.py").write_text(
        "from fastapi import FastAPI\napp = FastAPI()\n\n\n"
        "@app.get('/')\ndef home():\n    return {'n': undefined_name}\n"
    )
    import importlib.util

    spec = importlib.util.spec_from_file_location("app_main", folder / "app_main.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert isinstance(module.app, FastAPI)
    testing.server_errors.clear()
    assert testing.client_for(module.app).get("/").status_code == 500
    [error] = testing.server_errors
    found = describe(error, str(folder) + "/")
    assert found == {
        "trace": "app_main.py\t7\t0\thome",
        "raised": "NameError: name 'undefined_name' is not defined",
    }


# ---------------------------------------------------------------- a broken module: one banner


def test_a_syntax_error_is_one_banner_with_a_caret(env, bwrap, screen):
    started_with(env, "def add(a, b):\n    return a +* b\n\n\ndef neg(x):\n    return -x\n")
    exercise = graded_json()
    assert exercise["code_error"]["frames"][0]["line"] == 2
    assert exercise["code_error"]["frames"][0]["column"] == 15
    assert grade("9.1.1", "--sandbox", "bwrap").exit_code == 1
    out = screen.getvalue()
    assert out.count("SyntaxError") == 1, out
    lines = out.splitlines()
    source = next(i for i, line in enumerate(lines) if "return a +* b" in line)
    assert lines[source + 1].index("^") == lines[source].index("*")
    assert "hint" not in out and "│" not in out  # no rows, no hints: one banner
    assert "0/8 points" in out


def test_an_import_error_is_one_banner_too(env, bwrap):
    started_with(env, "import not_a_module\n")
    out = grade("9.1.1", "--sandbox", "bwrap").stdout
    assert out.count("No module named 'not_a_module'") == 1, out
    assert "calc.py, line 1" in out and "import not_a_module" in out


# ---------------------------------------------------------------- a hung test, named


def test_an_infinite_loop_names_the_test_that_hung(env, bwrap):
    started_with(env, LOOP)
    exercise = graded_json()
    assert exercise["status"] == "timeout"
    assert "in test_adds:" in exercise["message"]
    tests = {t["name"]: t for t in exercise["tests"]}
    assert tests["test_adds"]["status"] == "timeout"
    assert tests["test_negates"]["message"] == "did not run: the time ran out in test_adds"


def test_a_spinner_shows_while_grading_on_a_terminal(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(render, "err_console", Console(file=out, force_terminal=True))
    with render.busy("grading 9.1.1"):
        pass
    assert "grading 9.1.1" in out.getvalue()
    piped = io.StringIO()
    monkeypatch.setattr(render, "err_console", Console(file=piped, force_terminal=False))
    with render.busy("grading 9.1.1"):
        pass
    assert piped.getvalue() == ""


# ---------------------------------------------------------------- text that is not ours


def failing(name: str, hint: str = BRACKET_HINT, message: str = "assert 1 == 2") -> TestResult:
    return TestResult(
        name=name, task=1, status=TestStatus.failed, points=1, earned=0, message=message, hint=hint
    )


def report_of(*exercises: ExerciseResult) -> GradeReport:
    return GradeReport(grader_version="0", sandbox="bwrap", exercises=list(exercises))


def exercise(exercise_id: str = "9.1.1", tests: int = 1, title: str = "Add [x]") -> ExerciseResult:
    return ExerciseResult(
        id=exercise_id,
        slug="adder",
        title=title,
        status=RunStatus.ok,
        score=0,
        max_score=tests,
        tests=[failing(f"test_{i}_" + "long_name_" * 4) for i in range(tests)],
    )


def test_hints_and_titles_with_brackets_show_literally(screen):
    render.grade_report(report_of(exercise()))
    table = " ".join(screen.getvalue().split())
    assert "hint (task 1): `Mapped[int]` (not `Column`)" in table
    assert "9.1.1 · Add [x]" in table
    screen.truncate(0)
    render.watch_screen(report_of(exercise()), ["9.1.1"], {})
    watch = " ".join(screen.getvalue().split())
    assert "hint: `Mapped[int]` (not `Column`)" in watch
    assert "9.1.1 Add [x]: 0/1" in watch


# ---------------------------------------------------------------- watch


def test_the_first_watch_screen_fits_24_lines(screen):
    summary = {f"9.1.{i}": ExerciseProgress(1, 0, 10, 0, False, None) for i in range(1, 6)}
    report = report_of(*(exercise(f"9.1.{i}", tests=12, title="T" * 40) for i in range(1, 6)))
    render.watch_screen(report, [e.id for e in report.exercises], summary)
    lines = screen.getvalue().splitlines()
    assert len(lines) <= 24, "\n".join(lines)
    assert all(len(line) <= 80 for line in lines)
    assert "(best 0, 1 try)" in lines[1]
    assert "9 more failing tests: grade 9.1.1" in screen.getvalue()


def test_watch_with_no_sandbox_warns(env, monkeypatch):
    """Like every other command: `none` runs untrusted code, and says so."""
    from cli.commands import watch as watch_command

    monkeypatch.setattr(watch_command, "watch_loop", lambda *a, **k: None)
    grade("start", "9.1.1")
    result = grade("watch", "9.1.1", "--sandbox", "none")
    assert result.exit_code == 0
    assert "unsandboxed" in result.stderr


# ---------------------------------------------------------------- finding one's way


def test_did_you_mean_an_exercise_or_a_command(env):
    for typo, meant in (("9.11", "did you mean 9.1.1 or 9.1?"), ("add", "did you mean adder?")):
        result = grade(typo)
        assert result.exit_code == 2 and meant in result.stderr, result.stderr
    result = grade("lsit", "--json")
    assert "did you mean `grade list`?" in json.loads(result.stdout)["error"]["message"]


def test_plurals():
    assert render.plural(1, "try", "tries") == "1 try"
    assert render.plural(2, "try", "tries") == "2 tries"
    assert render.plural(1, "student") == "1 student"
    assert render.plural(0, "student") == "0 students"


def test_docker_unavailable_is_one_clear_line():
    from docker.errors import DockerException

    from grader.sandbox.container import docker_problem

    raw = DockerException(
        "Error while fetching server API version: ('Connection aborted.', "
        "FileNotFoundError(2, 'No such file or directory'))"
    )
    assert docker_problem(raw) == "its socket does not exist: is Docker installed and started?"
    assert "(" not in docker_problem(DockerException("something odd"))


def test_start_copies_the_prompt_and_keeps_the_learners_notes(env, tmp_path, monkeypatch):
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    monkeypatch.setenv("GRADE_CATALOG", str(catalog))
    prompt = catalog / "exercises/9.1-fixture-topic/9.1.1-adder/README.md"
    copy = env / "9.1.1-adder" / "README.md"
    grade("start", "9.1.1")
    assert copy.read_text() == prompt.read_text()
    prompt.write_text(prompt.read_text() + "\nA clarified sentence.\n")
    grade("start", "9.1.1")  # an unedited copy follows the course
    assert copy.read_text().endswith("A clarified sentence.\n")
    copy.write_text("my notes\n")
    data = json.loads(grade("start", "9.1.1", "--json").stdout)["exercises"][0]
    assert data["action"] == "kept_edits" and data["edited_files"] == ["README.md"]
    assert copy.read_text() == "my notes\n"
    assert grade("start", "9.1.1", "--force").exit_code == 0
    assert copy.read_text() == prompt.read_text()


def test_next_names_the_first_exercise_not_at_100(env, bwrap):
    data = json.loads(grade("next", "--json").stdout)
    assert data["next"]["id"] == "9.1.1" and data["next"]["command"] == "grade start 9.1.1"
    grade("start", "9.1.1")
    data = json.loads(grade("next", "--json").stdout)
    assert data["next"]["command"] == "grade 9.1.1" and data["next"]["progress"] == "started"
    shutil.copy(SOLUTION, env / "9.1.1-adder" / "calc.py")
    assert grade("9.1.1", "--sandbox", "bwrap").exit_code == 0
    data = json.loads(grade("next", "--json").stdout)
    assert data == {"next": None, "passed": 1, "total": 1}
    assert "All 1 exercise pass." in grade("next").stdout


# ---------------------------------------------------------------- what a student reads, whole

HUMAN = {
    "starter": None,
    "typo": TYPO,
    "syntax-error": "def add(a, b):\n    return a +* b\n\n\ndef neg(x):\n    return -x\n",
    "import-error": "import not_a_module\n",
    "infinite-loop": LOOP,
}


@pytest.mark.parametrize("case", sorted(HUMAN))
def test_the_human_report_of_common_mistakes(env, bwrap, monkeypatch, case):
    """The whole screen a student reads, kept in tests/golden/grade/human-*.txt."""
    from tests.goldens import assert_golden

    monkeypatch.setenv("COLUMNS", "80")
    assert grade("start", "9.1.1").exit_code == 0
    if HUMAN[case] is not None:
        (env / "9.1.1-adder" / "calc.py").write_text(HUMAN[case])
    result = grade("9.1.1", "--sandbox", "bwrap")
    assert result.exit_code == 1
    text = re.sub(r"\d+\.\d+ s\)", "- s)", result.stdout)
    assert_golden(f"grade/human-{case}.txt", text)
