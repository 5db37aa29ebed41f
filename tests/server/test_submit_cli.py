"""`grade submit` end to end: a student's workspace, packed by the CLI, sent to a running
server, graded there in bubblewrap against its hidden tests; and `grade token`, `grade serve`'s
refusals."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from cli.main import app, route
from grader.gradebook import Gradebook
from grader.server import create_app
from grader.server.submit import Grader
from grader.server.tokens import student_of

from .conftest import SOLUTION
from .live import running

runner = CliRunner()


def grade(*args: str):
    return runner.invoke(app, route(list(args)))


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    from tests.conftest import FIXTURE_CATALOG

    monkeypatch.setenv("GRADE_CATALOG", str(FIXTURE_CATALOG))
    monkeypatch.setenv("GRADE_WORKSPACE", str(tmp_path / "ws"))
    assert grade("start", "9.1.1").exit_code == 0
    return tmp_path / "ws" / "9.1.1-adder"


def test_grade_token_makes_a_token_for_a_student(settings):
    result = grade("token", "Ada Lovelace", "--db", settings.db, "--json")
    assert result.exit_code == 0, result.output
    made = json.loads(result.output)
    assert student_of(Gradebook(settings.db), made["token"]) == "Ada Lovelace"


def test_a_submit_round_trip_against_a_running_server(settings, workspace, bwrap):
    made = json.loads(grade("token", "Grace Hopper", "--db", settings.db, "--json").output)
    served = create_app(settings, Grader(Gradebook(settings.db), lambda slot: bwrap, 1))
    with running(served) as url:
        first = grade("submit", "9.1.1", "--server", url, "--token", made["token"], "--json")
        assert first.exit_code == 1, first.output  # the starter fails
        assert json.loads(first.output)["exercises"][0]["passed"] is False
        shutil.copy(SOLUTION, workspace / "calc.py")
        (workspace / "__pycache__").mkdir()
        (workspace / "__pycache__" / "junk.pyc").write_bytes(b"\0")
        second = grade("submit", "9.1.1", "--server", url, "--token", made["token"])
        assert second.exit_code == 0, second.output
        assert "9.1.1" in second.output and "8/8" in second.output.replace(" ", "")
        wrong = grade("submit", "9.1.1", "--server", url, "--token", "gst_wrong", "--json")
    assert wrong.exit_code == 2
    assert json.loads(wrong.output)["error"]["code"] == "submit-refused"
    grade_ = Gradebook(settings.db).grades("Grace Hopper")["Grace Hopper"]["9.1.1"]
    assert grade_.score == 8


def test_submit_says_so_when_the_server_is_unreachable(workspace):
    result = grade(
        "submit", "9.1.1", "--server", "http://127.0.0.1:9", "--token", "gst_x", "--json"
    )
    assert result.exit_code == 2
    assert json.loads(result.output)["error"]["code"] == "server-unreachable"


def test_submit_needs_a_server_and_a_token(workspace):
    assert grade("submit", "9.1.1").exit_code == 2


def test_serve_refuses_to_start_without_a_teacher_password(monkeypatch, settings):
    monkeypatch.delenv("GRADE_TEACHER_PASSWORD", raising=False)
    result = grade("serve", "--db", settings.db, "--json")
    assert result.exit_code == 2
    assert json.loads(result.output)["error"]["code"] == "no-teacher-password"


def test_serve_never_grades_unsandboxed(monkeypatch, settings):
    monkeypatch.setenv("GRADE_TEACHER_PASSWORD", "long enough password")
    result = grade("serve", "--db", settings.db, "--sandbox", "none", "--json")
    assert result.exit_code == 2
    assert json.loads(result.output)["error"]["code"] == "server-unsandboxed"


def test_grade_submit_starts_without_sqlalchemy():
    """A student's `grade submit` needs no gradebook: it starts as fast as `grade 2.1`."""
    import subprocess
    import sys

    code = "import sys, cli.main, grader.server.client; print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_grade_serve_serves_the_sign_in_page(settings, bwrap, tmp_path):
    """The command itself: uvicorn on the port asked for, pages behind the password file's
    password."""
    import os
    import subprocess
    import sys
    import time

    import httpx

    from tests.conftest import FIXTURE_CATALOG

    from .conftest import PASSWORD
    from .live import free_port

    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")
    port = free_port()
    env = {**os.environ, "GRADE_CATALOG": str(FIXTURE_CATALOG)}
    command = [sys.executable, "-m", "cli.main", "serve", "--db", settings.db, "--port", str(port),
               "--teacher-password-file", str(secret), "--sandbox", "bwrap", "--json"]  # fmt: skip
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/", follow_redirects=False)
                break
            except httpx.ConnectError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "grade serve did not start"
                time.sleep(0.1)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    finally:
        server.terminate()
        server.wait(10)
    assert json.loads(server.stdout.readline())["serving"] == f"http://127.0.0.1:{port}/"
