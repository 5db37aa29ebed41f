"""Bad input behind the commands: one clear line (or JSON object), exit 2, the file named."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.main import app, route
from grader.grading import grade_units
from grader.sandbox import get_sandbox
from grader.staging import Unit

runner = CliRunner()
TESTS = "exercises/9.1-fixture-topic/9.1.1-adder/tests/test_adder.py"


def grade(*args: str):
    return runner.invoke(app, route(list(args)))


@pytest.fixture
def broken(copy_catalog, monkeypatch, tmp_path):
    monkeypatch.setenv("GRADE_CATALOG", str(copy_catalog))
    monkeypatch.setenv("GRADE_WORKSPACE", str(tmp_path / "ws"))
    return copy_catalog


def test_a_hidden_test_with_a_syntax_error_is_exit_2_naming_the_file(broken):
    (broken / TESTS).write_text("def test_x(:\n    pass\n")
    assert grade("start", "9.1.1").exit_code == 0
    result = grade("9.1.1", "--json")
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "bad-tests" and f"{broken / TESTS}:1" in error["message"]
    human = grade("list")
    assert human.exit_code == 2 and "test_adder.py:1: the hidden tests cannot be read" in (
        human.stderr
    )
    assert human.stderr.count("\n") == 1


def test_a_broken_sections_file_is_exit_2_naming_it(broken):
    (broken / "exercises/sections.toml").write_text("[sections\n9 = 'x'\n")
    result = grade("list")
    assert result.exit_code == 2
    assert "sections.toml" in result.stderr and result.stderr.count("\n") == 1
    assert json.loads(grade("list", "--json").stdout)["error"]["code"] == "bad-toml"


@pytest.mark.parametrize(
    "args, words",
    [
        (["start", "--json"], "name what to start"),
        (["9.1.1", "--bogus", "--json"], "No such option: --bogus"),
        (["--bogus", "--json"], "No such option: --bogus"),
        (["hint", "--json"], "Missing argument"),
    ],
)
def test_usage_errors_honour_json(args, words):
    result = grade(*args)
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "usage" and words in error["message"]
    assert error["next_step"].startswith("See `grade")


def test_usage_errors_without_json_stay_human():
    result = grade("start")
    assert result.exit_code == 2 and "name what to start" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("slot", [0, 1, 2])
def test_every_bwrap_slot_runs_as_a_user_its_passwd_lists(tmp_path, adder, bwrap, slot):
    """`grade batch` gives each parallel bwrap sandbox its own uid (as root): the staged
    /etc/passwd must name the uid the code really runs as, in every slot."""
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "calc.py").write_text(
        "import os\nimport pwd\n\nUSER = pwd.getpwuid(os.getuid()).pw_name\n\n\n"
        "def add(a, b):\n    return a + b\n\n\ndef neg(x):\n    return -x\n"
    )
    box = get_sandbox("bwrap", slot=slot)
    [result] = grade_units([Unit("u", adder, [folder])], box).values()
    assert result.score == result.max_score, result.code_error


def test_usage_errors_are_recognised_as_typer_raises_them():
    from cli.main import USAGE_ERROR

    assert USAGE_ERROR.__name__ == "UsageError"
