"""`grade serve --broker`: a student's submission graded by a real `grade worker` on a real
redis-server (both started by the test), recorded once in the server's gradebook, answered with
the feedback `grade` shows; and the ways it fails, each the server's 503, never the student's."""

from __future__ import annotations

import json
from dataclasses import replace

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from grader.gradebook import Gradebook, Run, Submission
from grader.server import create_app
from grader.server.broker import BrokerGrader
from grader.server.tokens import make_token
from tests.grader.test_distributed import ENV, redis_server, workers  # noqa: F401 (fixtures)

from .conftest import adder_zip

runner = CliRunner()


def _submit(client: TestClient, token: str, archive: bytes):
    return client.post(
        "/api/submit",
        headers={"Authorization": f"Bearer {token}"},
        data={"selector": "9.1.1"},
        files={"archive": ("submission.zip", archive, "application/zip")},
    )


def test_a_submission_is_graded_by_a_worker_on_the_broker(settings, redis_server, workers):  # noqa: F811
    workers(redis_server.url, settings.db, count=1)
    # sandbox none: this server grades nothing itself; the workers grade in bubblewrap
    served = replace(settings, broker=redis_server.url, sandbox="none", submits_per_window=9)
    token = make_token(Gradebook(settings.db), "Alan Turing")
    with TestClient(create_app(served)) as client:
        passed = _submit(client, token, adder_zip())
        assert passed.status_code == 200, passed.text
        body = passed.json()
        assert body["sandbox"] == "bwrap" and body["exercises"][0]["score"] == 8
        assert body["exercises"][0]["tests"][0]["name"]  # per-test feedback, as `grade` shows
        failed = _submit(client, token, adder_zip(b"def add(a, b):\n    return a - b\n"))
        assert failed.status_code == 200
        partly = failed.json()["exercises"][0]["score"]
        assert partly < 8
        refused = _submit(client, token, b"PK not a zip")
        assert refused.status_code == 400  # checked here: the broker never sees it
    grades = Gradebook(settings.db).grades("Alan Turing")["Alan Turing"]
    assert grades["9.1.1"].score == partly  # the latest submission counts
    with Gradebook(settings.db).session() as session:
        sources = session.scalars(select(Submission.source).join(Run)).all()
    assert sources.count("submitted to the course server") == 2  # recorded once each


def test_no_worker_answering_is_the_servers_503(settings, redis_server):  # noqa: F811
    book = Gradebook(settings.db)
    grader = BrokerGrader(book, redis_server.url, timeout=1.0)
    token = make_token(book, "Alan Turing")
    with TestClient(create_app(settings, grader)) as client:
        answer = _submit(client, token, adder_zip())
    assert answer.status_code == 503
    assert "no grading worker answered" in answer.json()["detail"]
    assert "9.1.1" not in book.grades("Alan Turing").get("Alan Turing", {})


def test_workers_on_another_gradebook_are_refused_loudly(settings, redis_server, workers, tmp_path):  # noqa: F811
    workers(redis_server.url, f"sqlite:///{tmp_path / 'elsewhere.db'}", count=1)
    token = make_token(Gradebook(settings.db), "Alan Turing")
    with TestClient(create_app(replace(settings, broker=redis_server.url))) as client:
        answer = _submit(client, token, adder_zip())
    assert answer.status_code == 503
    assert "same --db" in answer.json()["detail"]


def test_a_task_a_worker_refuses_is_the_servers_503(settings, redis_server, workers, copy_catalog):  # noqa: F811
    changed = next((copy_catalog / "exercises").rglob("test_adder.py"))
    changed.write_text(changed.read_text() + "\n# another version of the hidden tests\n")
    workers(redis_server.url, settings.db, count=1, env={**ENV, "GRADE_CATALOG": str(copy_catalog)})
    token = make_token(Gradebook(settings.db), "Alan Turing")
    with TestClient(create_app(replace(settings, broker=redis_server.url))) as client:
        answer = _submit(client, token, adder_zip())
    assert answer.status_code == 503
    assert "hidden suites differ" in answer.json()["detail"]
    assert Gradebook(settings.db).grades()["Alan Turing"] == {}  # nothing recorded


def test_grade_serve_says_so_when_the_broker_is_unreachable(monkeypatch, settings):
    monkeypatch.setenv("GRADE_TEACHER_PASSWORD", "long enough password")
    result = runner.invoke(
        app, ["serve", "--db", settings.db, "--broker", "redis://127.0.0.1:9/0", "--json"]
    )
    assert result.exit_code == 2, result.output
    assert json.loads(result.output)["error"]["code"] == "broker-unreachable"
