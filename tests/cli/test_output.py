"""One output object per command: warnings reach both modes, no command branches on --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import output
from cli.main import app, route
from tests.conftest import FIXTURE_CATALOG

runner = CliRunner()
COMMANDS = Path(__file__).resolve().parents[2] / "cli" / "commands"
NOT_YET: set[str] = set()  # every command speaks through cli.output


def grade(*args: str):
    return runner.invoke(app, route(list(args)))


@pytest.fixture(autouse=True)
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADE_CATALOG", str(FIXTURE_CATALOG))
    monkeypatch.setenv("GRADE_WORKSPACE", str(tmp_path / "ws"))


def test_the_sandbox_warning_is_in_the_json_too():
    grade("start", "9.1.1")
    result = grade("9.1.1", "--sandbox", "none", "--json")
    assert result.exit_code == 1
    [warning] = json.loads(result.stdout)["warnings"]
    assert "unsandboxed" in warning and result.stderr == ""
    human = grade("9.1.1", "--sandbox", "none")
    assert "warning:" in human.stderr and "unsandboxed" in human.stderr


def test_watch_json_lines_carry_the_warning(monkeypatch):
    from cli.commands import watch as watch_command
    from grader.models import GradeReport

    def one_report(exercises, space, box, on_report, **_):
        on_report(GradeReport(grader_version="0", sandbox=box.name, exercises=[]), [])

    monkeypatch.setattr(watch_command, "watch_loop", one_report)
    grade("start", "9.1.1")
    result = grade("watch", "9.1.1", "--sandbox", "none", "--json")
    line = json.loads(result.stdout.splitlines()[0])
    assert line["sandbox"] == "none" and "unsandboxed" in line["warnings"][0]


def test_output_renders_for_a_person_and_dumps_for_json(capsys):
    seen = []
    output.Output(as_json=False).success({"a": 1}, seen.append)
    assert seen == [{"a": 1}] and capsys.readouterr().out == ""
    with output.Output(as_json=True).busy("grading"):  # no spinner in JSON
        pass
    output.Output(as_json=True).success({"a": 1}, seen.append)
    assert json.loads(capsys.readouterr().out) == {"a": 1} and len(seen) == 1


@pytest.mark.parametrize(
    "module", sorted(p.name for p in COMMANDS.glob("*.py") if p.name not in NOT_YET)
)
def test_no_command_branches_on_json(module):
    source = (COMMANDS / module).read_text()
    assert "if as_json" not in source and "not as_json" not in source
    assert "emit_json" not in source and "typer.echo" not in source
