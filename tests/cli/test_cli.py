"""The CLI's exit codes and --json output, against the fixture catalog."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from typer.testing import CliRunner

from cli.main import app, route
from tests.conftest import FIXTURE_CATALOG

runner = CliRunner()


@pytest.fixture(autouse=True)
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADE_CATALOG", str(FIXTURE_CATALOG))
    monkeypatch.setenv("GRADE_WORKSPACE", str(tmp_path / "ws"))
    return tmp_path / "ws"


def grade(*args: str):
    return runner.invoke(app, route(list(args)))


def as_json(result):
    return json.loads(result.stdout)


def test_bare_selector_means_run():
    assert route(["2.1", "--json"]) == ["run", "2.1", "--json"]
    assert route(["list"]) == ["list"]
    assert route(["--help"]) == ["--help"]


def test_list_json_shows_progress():
    result = grade("list", "--json")
    assert result.exit_code == 0
    [row] = as_json(result)["exercises"]
    assert row["id"] == "9.1.1" and row["progress"] == "not started" and row["max_score"] == 8


def test_show_json_gives_prompt_and_tasks_without_hints():
    data = as_json(grade("show", "9.1.1", "--json"))
    assert data["prompt"].startswith("# 9.1.1")
    assert data["tasks"] == [{"id": 1, "title": "add"}, {"id": 2, "title": "neg"}]
    assert "hint" not in json.dumps(data["tasks"])


def test_hint_json():
    data = as_json(grade("hint", "9.1.1", "--task", "2", "--json"))
    assert data["tasks"] == [{"id": 2, "title": "neg", "hint": "Return -x."}]
    assert grade("hint", "9.1.1", "--task", "7").exit_code == 2


def test_unknown_exercise_is_exit_2_with_one_line():
    result = grade("7.7.7")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "no exercise matches '7.7.7'" in result.stderr
    data = as_json(grade("7.7.7", "--json"))
    assert data["error"]["code"] == "unknown-selector"


def test_start_then_grade_the_starter_fails_with_hints(env, bwrap):
    started = as_json(grade("start", "9.1.1", "--json"))
    assert started["exercises"][0]["action"] == "created"
    result = grade("9.1.1", "--sandbox", "bwrap", "--json")
    assert result.exit_code == 1
    report = as_json(result)
    [exercise] = report["exercises"]
    assert exercise["score"] == 0 and exercise["max_score"] == 8 and not report["passed"]
    hints = {t["name"]: t["hint"] for t in exercise["tests"]}
    assert hints == {
        "test_adds": "add(2, 3) is 5.",  # the test's own hint
        "test_adds_cases": "Return a + b.",  # else its task's
        "test_negates": "Return -x.",
    }
    assert all("NotImplementedError" in t["message"] for t in exercise["tests"])
    # the learner's own traceback: their file's frames only, never a hidden test's source
    frames = [f for t in exercise["tests"] for f in t["error"]["frames"]]
    assert {(f["file"], f["function"], f["source"]) for f in frames} == {
        ("calc.py", "add", "    raise NotImplementedError"),
        ("calc.py", "neg", "    raise NotImplementedError"),
    }
    assert "learner(" not in result.stdout and "test_adder.py" not in result.stdout


def test_solved_exercise_exits_0_and_shows_in_list(env, bwrap):
    grade("start", "9.1.1")
    solution = FIXTURE_CATALOG / "solutions/9.1-fixture-topic/9.1.1-adder/calc.py"
    shutil.copyfile(solution, env / "9.1.1-adder" / "calc.py")
    result = grade("9.1.1", "--sandbox", "bwrap")
    assert result.exit_code == 0, result.stdout
    assert "8/8 points" in result.stdout
    [row] = as_json(grade("list", "--json"))["exercises"]
    assert row["progress"] == "passed" and row["score"] == 8


def test_grading_what_was_not_started_says_how_to_start(bwrap):
    result = grade("9.1.1", "--sandbox", "bwrap", "--json")
    assert result.exit_code == 1
    [exercise] = as_json(result)["exercises"]
    assert exercise["status"] == "not_started" and "grade start 9.1.1" in exercise["message"]


def test_start_keeps_edits_unless_forced(env):
    grade("start", "9.1.1")
    mine = env / "9.1.1-adder" / "calc.py"
    mine.write_text("mine\n")
    kept = as_json(grade("start", "9.1.1", "--json"))["exercises"][0]
    assert kept["action"] == "kept_edits" and mine.read_text() == "mine\n"
    forced = as_json(grade("start", "9.1.1", "--force", "--json"))["exercises"][0]
    assert forced["action"] == "overwritten" and "NotImplementedError" in mine.read_text()


def test_reset_json_reports_the_backup(env):
    grade("start", "9.1.1")
    (env / "9.1.1-adder" / "calc.py").write_text("mine\n")
    data = as_json(grade("reset", "9.1.1", "--json"))
    assert data["action"] == "overwritten" and data["backup"]


def test_check_passes_on_the_fixture_catalog(bwrap):
    result = grade("check", "--sandbox", "bwrap", "--json")
    assert result.exit_code == 0, result.stdout
    rows = {r["variant"]: r for r in as_json(result)["rows"]}
    assert rows["reference"]["ok"] and rows["reference"]["score"] == 8
    assert rows["alternative/via-sum"]["ok"] and rows["alternative/via-sum"]["score"] == 8
    assert rows["wrong/off-by-one"]["caught_by"] == ["test_adds"]  # it stops at the first failure


def test_check_fails_when_a_wrong_variant_slips_through(tmp_path, monkeypatch, bwrap):
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    reference = catalog / "solutions/9.1-fixture-topic/9.1.1-adder"
    harmless = tmp_path / "harmless"
    shutil.copytree(reference, harmless)
    (harmless / "calc.py").write_text((harmless / "calc.py").read_text() + "# a comment\n")
    monkeypatch.setenv("GRADE_CATALOG", str(catalog))
    saved = grade(
        "variant", "save", "9.1.1", "off-by-one", str(harmless), "--mistake", "only a comment"
    )
    assert saved.exit_code == 0, saved.output
    result = grade("check", "--sandbox", "bwrap", "--repeat", "2")
    assert result.exit_code == 1
    assert "0/1 wrong variants caught" in " ".join(result.stdout.split())
    rows = as_json(grade("check", "--sandbox", "bwrap", "--json"))["rows"]
    [slipped] = [r for r in rows if not r["ok"]]
    assert slipped["variant"] == "wrong/off-by-one"
    assert "no hidden test catches it" in slipped["problem"]


def test_lint_reports_layout_problems(tmp_path, monkeypatch):
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    (catalog / "exercises/9.1-fixture-topic/9.1.1-adder/starter/extra.py").write_text("")
    monkeypatch.setenv("GRADE_CATALOG", str(catalog))
    data = as_json(grade("lint", "--json"))
    assert data["problems"] and "extra.py" in data["problems"][0]
    assert grade("lint").exit_code == 1


def test_unknown_sandbox_is_a_usage_error():
    result = grade("9.1.1", "--sandbox", "chroot", "--json")
    assert result.exit_code == 2
    assert as_json(result)["error"]["code"] == "unknown-sandbox"


def test_none_sandbox_warns(env):
    grade("start", "9.1.1")
    result = grade("9.1.1", "--sandbox", "none")
    assert result.exit_code == 1
    assert "unsandboxed" in result.stderr


def test_new_scaffolds_an_exercise_that_lint_accepts_and_check_rejects(
    tmp_path, monkeypatch, bwrap
):
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    monkeypatch.setenv("GRADE_CATALOG", str(catalog))
    created = as_json(grade("new", "9.1.2", "doubler", "--title", "Double it", "--json"))
    assert any(
        p.endswith("9.1-fixture-topic/9.1.2-doubler/exercise.toml") for p in created["files"]
    )
    assert as_json(grade("lint", "--json"))["problems"] == []
    rows = as_json(grade("check", "9.1.2", "--sandbox", "bwrap", "--json"))["rows"]
    reference = next(r for r in rows if r["variant"] == "reference")
    assert not reference["ok"] and "not written yet" in reference["problem"]
    assert grade("new", "9.1.2", "doubler").exit_code == 2  # exists already
    assert grade("new", "9.2.1", "other").exit_code == 2  # no topic folder without --topic


def test_check_fails_when_a_correct_alternative_is_rejected(tmp_path, monkeypatch, bwrap):
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    alternative = catalog / "solutions/9.1-fixture-topic/9.1.1-adder/alternatives/via-sum/calc.py"
    alternative.write_text("def add(a, b):\n    return a + b\n\n\ndef neg(x):\n    return x\n")
    monkeypatch.setenv("GRADE_CATALOG", str(catalog))
    result = grade("check", "--sandbox", "bwrap", "--json")
    assert result.exit_code == 1
    [row] = [r for r in as_json(result)["rows"] if not r["ok"]]
    assert (
        row["variant"] == "alternative/via-sum" and "correct alternative/via-sum" in row["problem"]
    )


def test_student_commands_do_not_import_sqlalchemy():
    """`grade 2.1` must start fast: SQLAlchemy is for the teacher's gradebook only."""
    import subprocess
    import sys

    code = "import sys, cli.main, cli.render; print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_variant_open_then_save_writes_a_patch_check_catches(tmp_path, monkeypatch, bwrap):
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    monkeypatch.setenv("GRADE_CATALOG", str(catalog))
    folder = tmp_path / "review"
    assert grade("variant", "open", "9.1.1", "off-by-one", str(folder)).exit_code == 0
    assert "a + b + 1" in (folder / "calc.py").read_text()
    again = grade("variant", "open", "9.1.1", "off-by-one", str(folder))
    assert again.exit_code == 2 and "not empty" in again.output
    assert grade("variant", "open", "9.1.1", "neg-keeps-sign", str(tmp_path / "new")).exit_code == 0
    calc = tmp_path / "new" / "calc.py"
    calc.write_text(calc.read_text().replace("return -x", "return x"))
    wrong_quote = grade(
        "variant", "save", "9.1.1", "neg-keeps-sign", str(tmp_path / "new"), "--breaks", "nope"
    )
    assert wrong_quote.exit_code == 2 and "not a sentence" in wrong_quote.output
    saved = grade(
        "variant",
        "save",
        "9.1.1",
        "neg-keeps-sign",
        str(tmp_path / "new"),
        "--breaks",
        "`neg(x)` returns `-x`.",
        "--mistake",
        "forgets the sign",
    )
    assert saved.exit_code == 0, saved.output
    listed = as_json(grade("variant", "list", "9.1.1", "--json"))["variants"]
    assert [v["name"] for v in listed] == ["neg-keeps-sign", "off-by-one"]
    rows = as_json(grade("check", "--sandbox", "bwrap", "--json"))["rows"]
    assert all(r["ok"] for r in rows) and len(rows) == 5


def test_check_names_a_patch_that_no_longer_applies(tmp_path, monkeypatch):
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    calc = catalog / "solutions/9.1-fixture-topic/9.1.1-adder/calc.py"
    calc.write_text(calc.read_text().replace("return a + b", "return b + a"))
    monkeypatch.setenv("GRADE_CATALOG", str(catalog))
    data = as_json(grade("lint", "--json"))
    assert any("off-by-one.patch" in p and "no longer applies" in p for p in data["problems"])


# ------------------------------------------------------------------ review, hostile names

REVIEW = "the result stream disagrees with pytest's own session outcome"
LOUD_ERROR = """def add(a, b):
    raise ValueError("bad \\ud800 \\x1b]52;c;ZXZpbA==\\x07 \\x1b[2K end")


def neg(x):
    return -x
"""


def flagged_report(exercises, workspace, sandbox, limits):
    """A full-marks report whose run was flagged, as the forgery checks would flag it."""
    from grader.grading import report
    from grader.models import ExerciseResult, RunStatus, TestResult, TestStatus

    test = TestResult(name="test_adds", task=1, status=TestStatus.passed, points=8, earned=8)
    result = ExerciseResult(
        id="9.1.1",
        slug="adder",
        title="Add and negate",
        status=RunStatus.ok,
        score=8,
        max_score=8,
        tests=[test],
        review=[REVIEW],
    )
    return report(sandbox, [result], 0.0)


def test_grade_shows_needs_review_with_the_reason(monkeypatch, bwrap):
    monkeypatch.setattr("cli.commands.grade.grade_workspace", flagged_report)
    human = grade("9.1.1", "--sandbox", "bwrap")
    assert "needs review:" in human.stdout and REVIEW in " ".join(human.stdout.split())
    [exercise] = as_json(grade("9.1.1", "--sandbox", "bwrap", "--json"))["exercises"]
    assert exercise["review"] == [REVIEW] and exercise["score"] == 8


def _fake_grade_units(units, sandbox, limits=None):
    """Full marks for everyone; files holding FORGED are flagged."""
    from grader.models import ExerciseResult, RunStatus

    results = {}
    for unit in units:
        code = (unit.sources[0] / "calc.py").read_text()
        results[unit.key] = ExerciseResult(
            id=unit.exercise.id,
            slug=unit.exercise.meta.slug,
            title=unit.exercise.meta.title,
            status=RunStatus.ok,
            score=8,
            max_score=8,
            review=[REVIEW] if "FORGED" in code else [],
        )
    return results


def _class(root, **students):
    for name, code in students.items():
        (root / name / "9.1.1-adder").mkdir(parents=True)
        (root / name / "9.1.1-adder" / "calc.py").write_text(code)


def test_batch_table_and_exports_show_needs_review(tmp_path, monkeypatch, bwrap):
    monkeypatch.setattr("grader.batch.grade_units", _fake_grade_units)
    _class(tmp_path / "subs", forger="# FORGED\n", honest="# honest\n")
    db = f"sqlite:///{tmp_path / 'gb.db'}"
    batch = grade("batch", str(tmp_path / "subs"), "--db", db, "--sandbox", "bwrap", "--jobs", "1")
    assert batch.exit_code == 0, batch.output
    lines = [line for line in batch.stdout.splitlines() if line.strip().startswith("forger")]
    assert lines and "needs review" in lines[0]
    assert "9.1.1: the result stream disagrees" in batch.stdout  # the reason, folded to fit
    assert "session outcome" in batch.stdout and "1 needs review" in batch.stdout
    data = as_json(grade("batch", str(tmp_path / "subs"), "--db", db, "--sandbox", "bwrap",
                         "--jobs", "1", "--json", "--regrade"))  # fmt: skip
    assert data["needs_review"] == ["forger"]
    students = {s["student"]: s for s in data["students"]}
    assert students["forger"]["review"] == [f"9.1.1: {REVIEW}"]
    assert students["forger"]["score"] == 8 and students["honest"]["review"] == []
    skipped = as_json(grade("batch", str(tmp_path / "subs"), "--db", db, "--sandbox", "bwrap",
                            "--json"))  # fmt: skip
    assert {s["student"]: s["review"] for s in skipped["students"]}["forger"]
    exported = grade("export", "csv", "-o", str(tmp_path / "g.csv"), "--db", db)
    assert "needs review (1): forger" in exported.stderr  # status on stderr: stdout is data
    assert REVIEW in (tmp_path / "g.csv").read_text()


def test_escape_sequences_in_names_never_reach_the_terminal(tmp_path, bwrap):
    """A folder named with a clipboard write and an erase-line sequence, on a colour terminal."""
    import os
    import subprocess
    import sys

    name = "Eve\x1b]52;c;ZXZpbA==\x07\x1b[2K\x1b[1A[bold red]x"
    _class(tmp_path / "subs", **{name: "def add(a, b):\n    return a + b\n"})
    env = {**os.environ, "GRADE_CATALOG": str(FIXTURE_CATALOG), "FORCE_COLOR": "1"}
    argv = [sys.executable, "-m", "cli.main", "batch", str(tmp_path / "subs"), "--db",
            f"sqlite:///{tmp_path / 'gb.db'}", "--sandbox", "bwrap", "--jobs", "1"]  # fmt: skip
    out = subprocess.run(argv, env=env, capture_output=True)
    shown = out.stdout + out.stderr
    assert b"\x1b[" in shown  # a colour terminal indeed
    assert b"\x1b]52" not in shown and b"\x07" not in shown  # no clipboard write
    text = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", shown)  # Rich's own colours and cursor moves
    # the student's erase-line and cursor-up arrive as text: had they kept their ESC, the
    # line above would have lost them with Rich's
    assert b"Eve]52;c;ZXZpbA==[2K[1A[bold red]x" in text  # text, markup and all
    assert out.returncode == 0


def test_a_lone_surrogate_in_a_message_is_shown_not_a_crash(env, bwrap):
    """`grade 2.1.1` exited 4 when a failure message held "\\ud800"."""
    grade("start", "9.1.1")
    (env / "9.1.1-adder" / "calc.py").write_text(LOUD_ERROR)
    result = grade("9.1.1", "--sandbox", "bwrap")
    assert result.exit_code == 1, result.output
    assert "ValueError: bad \ufffd" in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


def test_hints_with_brackets_are_shown_as_written(env, monkeypatch, tmp_path):
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    toml = catalog / "exercises/9.1-fixture-topic/9.1.1-adder/exercise.toml"
    toml.write_text(
        toml.read_text().replace(
            'hint = "Return -x."', 'hint = "Use Annotated[float, Field(gt=0)]."'
        )
    )
    monkeypatch.setenv("GRADE_CATALOG", str(catalog))
    grade("start", "9.1.1")
    result = grade("9.1.1", "--sandbox", "none")
    assert "Annotated[float, Field(gt=0)]" in " ".join(result.stdout.split())
