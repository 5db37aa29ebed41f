"""Exports written from a gradebook a hostile class filled: each stays safe to open and honest."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from grader.exports import (
    exercism_results,
    feedback_markdown,
    folders,
    gradescope_results,
    to_csv,
    to_json,
    to_junit,
    write,
)
from grader.gradebook import Grade
from grader.standing import ClassView, ExerciseColumn

COLUMNS = [ExerciseColumn("9.1.1", "Add and negate", 8.0)]
NASTY = "bad \ud800 \x1b]52;c;ZXZpbA==\x07 \x1b[2K\x00\x0b\ufffe end"
HIDDEN_SOURCE = "def test_adds(learner):  # the hidden test's source"


def grade(score: float, message: str = "", review: list[str] | None = None) -> Grade:
    test = {
        "name": "test_adds",
        "task": 1,
        "status": "passed" if score == 8 else "failed",
        "points": 8.0,
        "earned": score,
        "message": message,
        "hint": "add(2, 3) is 5.",
    }
    return Grade("9.1.1", "Add and negate", score, 8.0, "ok", [test], datetime.now(UTC),
                 review=review or [])  # fmt: skip


FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR", " =1+1"]


def test_csv_cells_that_look_like_formulas_are_text():
    table = {name: {"9.1.1": grade(8)} for name in FORMULAS}
    table["flagged"] = {"9.1.1": grade(8, review=["=cmd|' /C calc'!A0"])}
    rows = list(csv.reader(io.StringIO(to_csv(ClassView.of(table)))))
    for row in rows[1:]:
        for cell in (row[0], row[-1]):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    names = {row[0] for row in rows[1:]}
    assert '\'=HYPERLINK("http://x","y")' in names and "'+1" in names and "Tab" in names


def test_junit_is_well_formed_whatever_the_names_and_messages_hold():
    table = {f"eve{NASTY}": {"9.1.1": grade(0, NASTY, review=[NASTY])}, "ok": {}}
    text = to_junit(ClassView.of(table))
    root = ET.fromstring(text.encode("utf-8"))  # expat: refuses what XML 1.0 forbids
    assert root.tag == "testsuites"
    assert "\x1b" not in text and "\x07" not in text and "\x00" not in text
    failures = [f.get("message") for f in root.iter("failure")]
    assert any(m.startswith("needs review: bad \ufffd") for m in failures)


def test_every_student_gets_an_export_folder_of_their_own(tmp_path):
    """`Zoë`/`Zoé` both became `Zo_ez` and two CJK names both `student`: one overwrote the other."""
    names = ["Zoë", "Zoé", "张伟", "李娜", "ada", "Ada", "a/b", "a_b", "..", "CON", "x" * 300]
    table = {name: {"9.1.1": grade(float(i % 9))} for i, name in enumerate(names)}
    chosen = folders(names)
    assert len({f.casefold() for f in chosen.values()}) == len(names)
    assert all("/" not in f and f not in (".", "..") for f in chosen.values())
    assert chosen["Zoë"] == "Zoë" and chosen["张伟"] == "张伟"
    files = write("gradescope", ClassView.of(table), tmp_path / "out")
    assert len(files) == len(names) and all(f.parent.parent == tmp_path / "out" for f in files)
    for name, folder in chosen.items():  # each file holds its own student's score
        data = json.loads((tmp_path / "out" / folder / "results.json").read_text())
        assert data["score"] == table[name]["9.1.1"].score
    files = write("exercism", ClassView.of(table), tmp_path / "ex")
    assert len(files) == len(names)


def test_student_visible_exports_show_only_a_short_first_line():
    """Hidden test source the learner's code read and raised must not ride out in exports."""
    message = "AssertionError: wrong\n" + HIDDEN_SOURCE + "\n" + "y" * 5000
    scope = gradescope_results(
        ClassView.of({"s": {"9.1.1": grade(0, message)}}, COLUMNS).standing("s")
    )
    exercism = exercism_results(grade(0, message))
    feedback = feedback_markdown(ClassView.of({"s": {"9.1.1": grade(0, message)}}).standing("s"))
    assert "AssertionError: wrong" in feedback and "Hint (task 1):** add(2, 3) is 5." in feedback
    for text in (json.dumps(scope), json.dumps(exercism), feedback):
        assert "AssertionError: wrong" in text
        assert HIDDEN_SOURCE not in text and "y" * 400 not in text


@pytest.mark.parametrize("fmt", ["csv", "json", "junit", "gradescope", "exercism"])
def test_a_run_that_needs_review_says_so_in_every_format(tmp_path, fmt):
    reason = "the result stream disagrees with pytest's own session outcome"
    table = {
        "forger": {"9.1.1": grade(8, review=[reason])},
        "honest": {"9.1.1": grade(8)},
    }
    files = write(fmt, ClassView.of(table), tmp_path / f"out-{fmt}")
    text = {f.relative_to(tmp_path).as_posix(): f.read_text() for f in files}
    flagged = [path for path, body in text.items() if reason in body]
    if fmt in ("gradescope", "exercism"):
        assert flagged and all(path.split("/")[1] == "forger" for path in flagged)
    else:
        [body] = text.values()
        assert ("needs review" in body or '"needs_review": true' in body) and reason in body
    if fmt == "csv":
        rows = {r["student"]: r for r in csv.DictReader(io.StringIO(next(iter(text.values()))))}
        assert rows["forger"]["review"] == f"needs review: 9.1.1: {reason}"
        assert rows["honest"]["review"] == "" and rows["forger"]["9.1.1"] == "8"
    if fmt == "json":
        data = json.loads(next(iter(text.values())))
        by_name = {s["student"]: s for s in data["students"]}
        assert by_name["forger"]["needs_review"] and not by_name["honest"]["needs_review"]
        assert by_name["forger"]["exercises"]["9.1.1"]["review"] == [reason]
    if fmt == "gradescope":
        data = json.loads(text["out-gradescope/forger/results.json"])
        [review] = [t for t in data["tests"] if "needs review" in t["name"]]
        assert review["visibility"] == "hidden" and review["max_score"] == 0  # instructors only
        assert data["score"] == 8 and data["extra_data"]["needs_review"] == [f"9.1.1: {reason}"]
    if fmt == "exercism":
        data = json.loads(text["out-exercism/forger/9.1.1/results.json"])
        assert data["needs_review"] == [reason] and data["status"] == "pass"


def test_an_override_is_the_teachers_review():
    flagged = grade(8, review=["reaches into the runner"])
    flagged.overridden, flagged.score, flagged.reason = True, 2, "read it: forged"
    table = {"forger": {"9.1.1": flagged}}
    assert json.loads(to_json(ClassView.of(table)))["students"][0]["needs_review"] is False
    assert "needs review" not in to_csv(ClassView.of(table))
