"""`grade pack student`: the folder a teacher hands out for a server-graded course holds no
hidden test and no solution, and the CLI inside it starts exercises, refuses to grade locally,
and submits to a running course server."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app, route
from grader.catalog import project_root
from grader.gradebook import Gradebook
from grader.server import create_app
from grader.server.submit import Grader
from grader.server.tokens import make_token
from tests.conftest import FIXTURE_CATALOG

from .conftest import SOLUTION
from .live import running

runner = CliRunner()


def grade(*args: str):
    return runner.invoke(app, route(list(args)))


def _digests(paths) -> set[str]:
    return {hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


def test_the_pack_of_the_whole_course_holds_no_hidden_test_nor_solution(tmp_path, monkeypatch):
    monkeypatch.delenv("GRADE_CATALOG", raising=False)
    root = project_root()
    out = tmp_path / "pack"
    result = grade("pack", "student", str(out), "--json")
    assert result.exit_code == 0, result.output
    made = json.loads(result.output)
    assert len(made["exercises"]) == len(list(root.glob("exercises/*/*/exercise.toml")))

    packed = [p for p in out.rglob("*") if p.is_file()]
    parts = {part for p in packed for part in p.relative_to(out).parts}
    assert not parts & {"tests", "solutions"}, "a tests/ or solutions/ folder is in the pack"
    # nor any of their files under another name: compare contents, not only paths
    public = _digests(root.glob("exercises/*/*/starter/**/*"))
    public |= _digests(root.glob("exercises/*/*/*.*")) | _digests(root.glob("grader/**/*"))
    public |= _digests(root.glob("cli/**/*"))
    hidden = _digests(root.glob("exercises/*/*/tests/**/*")) | _digests(root.glob("solutions/**/*"))
    leaked = [p for p in packed if _digests([p]) & (hidden - public)]
    assert not leaked, f"hidden content in the pack: {leaked[:3]}"

    assert (out / "pyproject.toml").is_file() and (out / "grader" / "__init__.py").is_file()
    readme = (out / "README.md").read_text()
    assert "grade start" in readme and "grade submit" in readme and "feedback" in readme
    assert 'by = "server"' in (out / "course.toml").read_text()


def test_the_pack_needs_an_empty_folder_or_force_and_keeps_a_workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADE_CATALOG", str(FIXTURE_CATALOG))
    out = tmp_path / "pack"
    (out / "workspace").mkdir(parents=True)
    (out / "workspace" / "mine.py").write_text("x = 1\n")
    refused = grade("pack", "student", str(out), "--json")
    assert refused.exit_code == 2
    assert json.loads(refused.output)["error"]["code"] == "pack-target"
    assert not (out / "grader").exists()
    forced = grade("pack", "student", str(out), "--force", "--json")
    assert forced.exit_code == 0, forced.output
    assert json.loads(forced.output)["kept"] == ["workspace"]
    assert (out / "workspace" / "mine.py").read_text() == "x = 1\n"
    into_course = grade("pack", "student", str(FIXTURE_CATALOG), "--force")
    assert into_course.exit_code == 2 and "holds the course itself" in into_course.output


def _pack_cli(out: Path, *args: str) -> subprocess.CompletedProcess:
    """The `grade` of the pack itself (its own grader/ and cli/ first on the path), run as a
    student would in the pack's folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADE_")}
    env["PYTHONPATH"] = str(out)
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=out, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_student_starts_and_submits_from_the_pack(tmp_path, monkeypatch, settings, bwrap):
    token = make_token(Gradebook(settings.db), "Grace Hopper")
    served = create_app(settings, Grader(Gradebook(settings.db), lambda slot: bwrap, 1))
    out = tmp_path / "pack"
    monkeypatch.setenv("GRADE_CATALOG", str(FIXTURE_CATALOG))
    with running(served) as url:
        made = grade("pack", "student", str(out), "--server", url)
        assert made.exit_code == 0, made.output
        probe = subprocess.run(
            [sys.executable, "-c", "import cli, grader; print(cli.__file__, grader.__file__)"],
            cwd=out, env={**os.environ, "PYTHONPATH": str(out)}, capture_output=True, text=True,
        )  # fmt: skip
        assert probe.stdout.split() == [str(out / "cli/__init__.py"),
                                        str(out / "grader/__init__.py")]  # fmt: skip

        started = _pack_cli(out, "start", "9.1.1")
        assert started.returncode == 0, started.stderr
        folder = out / "workspace" / "9.1.1-adder"
        assert (folder / "calc.py").is_file()

        upcoming = json.loads(_pack_cli(out, "next", "--json").stdout)["next"]
        assert upcoming["command"] == "grade submit 9.1.1"  # the pack knows its server

        local = _pack_cli(out, "9.1.1")
        assert local.returncode != 0
        assert local.stderr.strip().count("\n") == 0, local.stderr
        assert f"grade submit 9.1.1 --server {url}" in local.stderr

        shutil.copy(SOLUTION, folder / "calc.py")
        sent = _pack_cli(out, "submit", "9.1.1", "--token", token, "--json")
    assert sent.returncode == 0, sent.stderr + sent.stdout
    assert json.loads(sent.stdout)["exercises"][0]["score"] == 8
    (listed,) = json.loads(_pack_cli(out, "list", "--json").stdout)["exercises"]
    assert (listed["progress"], listed["score"], listed["max_score"]) == ("passed", 8, 8)
    graded = Gradebook(settings.db).grades("Grace Hopper")["Grace Hopper"]["9.1.1"]
    assert graded.score == 8
