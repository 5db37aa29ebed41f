"""Students' side of the server: tokens, the submit rules, their own results only, and a
submission graded for real in bubblewrap."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from grader.gradebook import Gradebook
from grader.server import create_app
from grader.server.submit import Grader
from grader.server.tokens import make_token, student_of

from .conftest import adder_zip, csrf_of, zip_of


def token(settings, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(Gradebook(settings.db), name)}"}


def submit(client: TestClient, headers: dict, data: bytes, selector: str = "9.1.1"):
    return client.post(
        "/api/submit",
        headers=headers,
        data={"selector": selector},
        files={"archive": ("work.zip", data, "application/zip")},
    )


def runs(settings) -> int:
    with Gradebook(settings.db).engine.connect() as connection:
        return connection.exec_driver_sql("select count(*) from runs").scalar_one()


def test_the_teacher_makes_a_token_on_the_tokens_page(teacher, settings):
    csrf = csrf_of(teacher.get("/tokens").text)
    page = teacher.post("/tokens", data={"student": "Ada Lovelace", "csrf": csrf})
    assert page.status_code == 200
    made = page.text.split('<code id="token">')[1].split("</code>")[0]
    assert student_of(Gradebook(settings.db), made) == "Ada Lovelace"
    assert teacher.post("/tokens", data={"student": "X", "csrf": "forged"}).status_code == 403


def test_a_new_token_revokes_the_old_one(settings):
    book = Gradebook(settings.db)
    old = make_token(book, "Ada Lovelace")
    new = make_token(book, "Ada Lovelace")
    assert student_of(book, old) is None and student_of(book, new) == "Ada Lovelace"


def test_the_gradebook_keeps_only_a_hash_of_each_token(settings):
    made = make_token(Gradebook(settings.db), "Ada Lovelace")
    with Gradebook(settings.db).engine.connect() as connection:
        stored = connection.exec_driver_sql("select digest from student_tokens").scalars().all()
    assert made not in stored and len(stored[0]) == 64


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer gst_not-a-token"}, {"Authorization": "Basic x"}]
)
def test_submitting_without_a_valid_token_is_401(client, headers):
    answer = submit(client, headers, adder_zip())
    assert answer.status_code == 401 and "token" in answer.json()["detail"]


def test_a_teacher_session_is_no_student_token(teacher):
    assert submit(teacher, {}, adder_zip()).status_code == 401
    assert teacher.get("/api/me").status_code == 401


def test_a_student_token_opens_no_teacher_page(client, settings):
    headers = token(settings, "Ada Lovelace")
    assert client.get("/", headers=headers, follow_redirects=False).status_code == 303
    assert client.get("/export/csv", headers=headers).status_code == 401


def test_a_student_sees_only_their_own_results(client, settings):
    mine = client.get("/api/me", headers=token(settings, "Grace Hopper")).json()
    assert mine["student"] == "Grace Hopper" and mine["total"] == 0
    assert mine["exercises"][0]["tests"][0]["message"] == "assert 1 == 3"
    assert "Ada" not in str(mine)


def test_an_upload_over_the_size_limit_is_413_and_changes_nothing(client, settings):
    before = runs(settings)
    big = zip_of({"9.1.1-adder/calc.py": b"x" * (70 << 10)})  # stored, not compressed
    answer = submit(client, token(settings, "Ada Lovelace"), big)
    assert answer.status_code == 413 and "larger than 64 KiB" in answer.json()["detail"]
    assert runs(settings) == before


def test_an_unknown_selection_is_400(client, settings):
    answer = submit(client, token(settings, "Ada Lovelace"), adder_zip(), selector="7.7.7")
    assert answer.status_code == 400


def test_submissions_per_token_are_limited(client, settings):
    headers = token(settings, "Ada Lovelace")
    for _ in range(2):  # refused for another reason, but counted
        assert submit(client, headers, adder_zip(), selector="7.7.7").status_code == 400
    answer = submit(client, headers, adder_zip())
    assert answer.status_code == 429 and int(answer.headers["retry-after"]) >= 1
    other = submit(client, token(settings, "Grace Hopper"), adder_zip(), selector="7.7.7")
    assert other.status_code == 400  # another student has their own allowance


@pytest.fixture
def graded_client(settings, bwrap) -> TestClient:
    book = Gradebook(settings.db)
    return TestClient(create_app(settings, Grader(book, lambda slot: bwrap, 1)))


@pytest.mark.parametrize(
    "files, why",
    [
        ({"notes.txt": b"hello"}, "nothing gradable"),
        ({"../9.1.1-adder/calc.py": b"x"}, "outside the archive"),
    ],
)
def test_a_bad_zip_is_400_and_changes_nothing(graded_client, settings, files, why):
    before = runs(settings)
    answer = submit(graded_client, token(settings, "Ada Lovelace"), zip_of(files))
    assert answer.status_code == 400 and why in answer.json()["detail"].lower()
    assert runs(settings) == before


def test_a_corrupt_zip_is_400(graded_client, settings):
    answer = submit(graded_client, token(settings, "Ada Lovelace"), b"PK\x03\x04 not a zip")
    assert answer.status_code == 400 and "zip" in answer.json()["detail"]


def test_a_submission_is_graded_in_bwrap_recorded_and_answered_like_grade_json(
    graded_client, settings
):
    headers = token(settings, "Grace Hopper")
    answer = submit(graded_client, headers, adder_zip())
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["sandbox"] == "bwrap" and report["passed"] is True
    assert report["score"] == report["max_score"] == 8
    assert {"grader_version", "exercises", "duration"} <= set(report)
    grade = Gradebook(settings.db).grades("Grace Hopper")["Grace Hopper"]["9.1.1"]
    assert grade.score == 8
    wrong = submit(graded_client, headers, adder_zip(b"def add(a, b):\n    return a - b\n"))
    failed = wrong.json()["exercises"][0]
    assert failed["passed"] is False and failed["tests"][0]["hint"]
    assert "return a - b" not in wrong.text  # feedback, never the hidden tests' source
    assert graded_client.get("/api/me", headers=headers).json()["total"] < 8


def test_an_upload_declared_far_over_the_limit_is_refused_before_it_is_read(client, settings):
    big = zip_of({"9.1.1-adder/calc.py": b"x" * (200 << 10)})
    answer = submit(client, token(settings, "Ada Lovelace"), big)
    assert answer.status_code == 413 and "64 KiB" in answer.json()["detail"]


def test_a_chunked_upload_is_cut_off_at_the_limit(client, settings):
    def chunks():
        for _ in range(20):
            yield b"x" * (16 << 10)

    answer = client.post(
        "/api/submit",
        headers={
            **token(settings, "Ada Lovelace"),
            "content-type": "multipart/form-data; boundary=b",
        },
        content=chunks(),
    )
    assert answer.status_code == 413


def test_a_sandbox_failure_is_the_servers_503_and_records_nothing(settings, monkeypatch):
    import grader.server.submit as module
    from grader.errors import SandboxUnavailable

    def broken(units, sandbox, limits):  # noqa: ANN001, ANN202
        raise SandboxUnavailable("sandbox-broken", "the sandbox failed", "")

    monkeypatch.setattr(module, "grade_units", broken)
    book = Gradebook(settings.db)
    client = TestClient(create_app(settings, Grader(book, lambda slot: object(), 1)))
    before = runs(settings)
    answer = submit(client, token(settings, "Ada Lovelace"), adder_zip())
    assert answer.status_code == 503 and "try again later" in answer.json()["detail"]
    assert runs(settings) == before
