"""The live view of a batch: its page and the JSON its script polls, for teachers only."""

from __future__ import annotations

from grader.batch_progress import BatchLog
from grader.gradebook import Gradebook


def _batch(settings, expected: int = 3) -> BatchLog:
    log = BatchLog(Gradebook(settings.db))
    log.start("/term/submissions", ["9.1.1"], expected)
    return log


def test_batches_need_a_signed_in_teacher(client, settings):
    _batch(settings)
    assert client.get("/api/batches/1").status_code == 401
    assert client.get("/batches/1", follow_redirects=False).status_code == 303


def test_the_json_follows_the_batch_as_students_land(teacher, settings):
    log = _batch(settings)
    first = teacher.get("/api/batches/1").json()
    assert (first["done"], first["expected"], first["state"]) == (0, 3, "running")
    log.outcome("Ada Lovelace", "graded", 8, 8)
    log.outcome("<b>Eve</b>", "problem", 0, 8, "unreadable zip")
    now = teacher.get("/api/batches/1").json()
    assert (now["done"], now["percent"], now["average"]) == (2, 67, 50.0)
    assert now["counts"] == {"graded": 1, "problem": 1}
    assert [o["student"] for o in now["outcomes"]] == ["<b>Eve</b>", "Ada Lovelace"]
    log.finish()
    assert teacher.get("/api/batches/1").json()["state"] == "finished"
    assert teacher.get("/api/batches/9").status_code == 404


def test_the_pages_show_the_batch_and_the_overview_points_to_a_running_one(teacher, settings):
    log = _batch(settings)
    log.outcome("<b>Eve</b>", "problem", 0, 8, "unreadable zip")
    overview = teacher.get("/").text
    assert 'href="/batches/1"' in overview and "running" in overview
    page = teacher.get("/batches/1").text
    assert '<span id="done">1</span> / <span id="expected">3</span>' in page
    assert "&lt;b&gt;Eve&lt;/b&gt;" in page and "<b>Eve</b>" not in page
    assert '<script src="/static/batch.js"' in page
    script = teacher.get("/static/batch.js")
    assert script.status_code == 200 and "textContent" in script.text
    assert "/batches/1" in teacher.get("/batches").text
