"""The teacher's pages through the API: signed in only, CSRF on every form, every export."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from grader.exports import FORMATS
from grader.gradebook import Gradebook

from .conftest import PASSWORD, csrf_of, sign_in

PAGES = ["/", "/exercises/9.1.1", "/students/Ada%20Lovelace", "/tokens"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_a_stranger_to_sign_in(client, path):
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=/")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_download_is_401_without_a_session(client, fmt):
    assert client.get(f"/export/{fmt}").status_code == 401


def test_forms_that_change_things_are_refused_without_a_session(client):
    posted = client.post(
        "/students/Ada%20Lovelace/override",
        data={"exercise": "9.1.1", "score": "1"},
        follow_redirects=False,
    )
    assert posted.status_code == 303 and posted.headers["location"].startswith("/login")
    assert (
        client.post("/tokens", data={"student": "Ada"}, follow_redirects=False).status_code == 303
    )


def test_a_wrong_password_is_refused_and_signs_nobody_in(client):
    answer = sign_in(client, "guess")
    assert answer.status_code == 401 and "Wrong password." in answer.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_signing_in_needs_the_forms_csrf_token(client):
    client.get("/login")
    answer = client.post("/login", data={"password": PASSWORD, "csrf": "forged"})
    assert answer.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_in_returns_to_the_page_asked_for_and_never_off_site(client):
    form = client.get("/login?next=//evil.example/")
    assert 'name="next" value="/"' in form.text
    form = client.get("/login?next=/exercises/9.1.1")
    answer = client.post(
        "/login",
        data={"password": PASSWORD, "csrf": csrf_of(form.text), "next": "/exercises/9.1.1"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/exercises/9.1.1"


def test_the_overview_shows_the_class_scores_averages_and_charts(teacher):
    page = teacher.get("/")
    assert page.status_code == 200
    html = page.text
    for name in ("Ada Lovelace", "Grace Hopper", "Linus"):
        assert name in html
    assert "(problem)" in html  # Linus could not be graded
    assert "#86efac" in html and "#fca5a5" in html  # full marks green, nothing red
    assert "<tfoot><tr><th>Average</th><th>2.67</th>" in html
    assert html.count("<svg") == 2 and "Pass rate per exercise" in html
    assert "http" not in html.split("<body>")[1].replace("http://www.w3.org/2000/svg", "")


def test_the_exercise_page_ranks_failing_tests_with_their_hints(teacher):
    html = teacher.get("/exercises/9.1.1").text
    assert "test_adds" in html and "assert 1 == 3" in html
    assert teacher.get("/exercises/9.9.9").status_code == 404


def test_the_student_page_shows_scores_feedback_and_runs(teacher):
    html = teacher.get("/students/Grace%20Hopper").text
    assert "Total 0 / 8" in html
    assert "test_adds" in html and "assert 1 == 3" in html
    assert 'id="runs"' in html and "/subs/Grace" in html
    assert teacher.get("/students/Nobody").status_code == 404


def test_an_override_needs_the_csrf_token(teacher, settings):
    answer = teacher.post(
        "/students/Grace%20Hopper/override",
        data={"exercise": "9.1.1", "score": "7", "reason": "r", "csrf": "forged"},
    )
    assert answer.status_code == 403
    assert not Gradebook(settings.db).grades("Grace Hopper")["Grace Hopper"]["9.1.1"].overridden


def test_an_override_is_saved_with_its_reason_and_history(teacher, settings):
    csrf = csrf_of(teacher.get("/students/Grace%20Hopper").text)
    answer = teacher.post(
        "/students/Grace%20Hopper/override",
        data={"exercise": "9.1.1", "score": "7", "reason": "late fix accepted", "csrf": csrf},
    )
    assert answer.status_code == 200 and "Saved the manual grade of 9.1.1" in answer.text
    grade = Gradebook(settings.db).grades("Grace Hopper")["Grace Hopper"]["9.1.1"]
    assert (grade.score, grade.overridden, grade.reason) == (7, True, "late fix accepted")
    assert "teacher (web)" in answer.text  # the history says who
    removed = teacher.post(
        "/students/Grace%20Hopper/override",
        data={"exercise": "9.1.1", "remove": "1", "csrf": csrf},
    )
    assert removed.status_code == 200
    assert not Gradebook(settings.db).grades("Grace Hopper")["Grace Hopper"]["9.1.1"].overridden


def test_a_bad_override_says_why_and_changes_nothing(teacher, settings):
    csrf = csrf_of(teacher.get("/students/Grace%20Hopper").text)
    for score in ("99", "lots"):
        answer = teacher.post(
            "/students/Grace%20Hopper/override",
            data={"exercise": "9.1.1", "score": score, "csrf": csrf},
        )
        assert answer.status_code == 400 and 'role="alert"' in answer.text
    assert not Gradebook(settings.db).grades("Grace Hopper")["Grace Hopper"]["9.1.1"].overridden


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_export_downloads(teacher, fmt):
    answer = teacher.get(f"/export/{fmt}")
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    if fmt == "json":
        assert {s["student"] for s in json.loads(answer.text)["students"]} >= {"Ada Lovelace"}
    elif fmt in ("gradescope", "exercism", "feedback"):
        names = zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
        assert names and any("Ada" in name for name in names)
    else:
        assert "Ada Lovelace" in answer.text


def test_an_unknown_export_is_404(teacher):
    assert teacher.get("/export/xls").status_code == 404


def test_signing_out_ends_the_session(teacher):
    csrf = csrf_of(teacher.get("/").text)
    assert teacher.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert teacher.get("/", follow_redirects=False).status_code == 303


def test_the_session_cookie_is_signed(client):
    client.cookies.set("grade_session", "eyJ0ZWFjaGVyIjogdHJ1ZX0=.forged.sig")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_password_guessing_is_slowed_down(client):
    for _ in range(10):
        assert sign_in(client, "guess").status_code == 401
    answer = sign_in(client)
    assert answer.status_code == 429 and "Too many attempts" in answer.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_exercise_page_shows_a_failing_tests_hint(teacher, settings):
    from tests.conftest import adder_result

    from .conftest import META

    failed = adder_result(0, message="assert -1 == 3")
    failed.tests[0].hint = "Add, do not subtract."
    Gradebook(settings.db).record("Edsger", "h5", "/subs/E", "s", [failed], **META)
    html = teacher.get("/exercises/9.1.1").text
    assert "Add, do not subtract." in html
    row = html.split('id="failing"')[1]
    assert "<td>test_adds</td><td>2</td><td>3</td>" in row  # failed by two of three who ran it


def test_the_session_cookie_is_strict_and_secure_when_asked(settings):
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from grader.server import create_app

    plain = TestClient(create_app(settings))
    assert "samesite=strict" in plain.get("/login").headers["set-cookie"].lower()
    secure = TestClient(create_app(replace(settings, secure_cookies=True)))
    assert "secure" in secure.get("/login").headers["set-cookie"].lower()
