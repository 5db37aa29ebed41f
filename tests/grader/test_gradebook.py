"""The gradebook on SQLite: review reasons, older gradebooks, several writers at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from grader.gradebook import Gradebook
from grader.text import student_name
from tests.conftest import adder_result as result

PROJECT = Path(__file__).resolve().parents[2]
META = {"version": "0.1.0", "sandbox": "bwrap", "image_digest": None, "duration": 1.0}
REASON = "the runner's reporter was replaced"


def test_review_reasons_are_kept_until_an_override_settles_them(tmp_path):
    book = Gradebook(f"sqlite:///{tmp_path / 'gb.db'}")
    book.record("Eve", "h1", "/subs/Eve", "s", [result(8, [REASON, "calls os._exit"])], **META)
    book.record("Ada", "h1", "/subs/Ada", "s", [result(8)], **META)
    grade = book.grades()["Eve"]["9.1.1"]
    assert grade.review == [REASON, "calls os._exit"] and grade.needs_review
    assert grade.score == 8  # a flag never changes the score
    assert book.review_of("Eve") == [f"9.1.1: {REASON}", "9.1.1: calls os._exit"]
    assert book.review_of("Ada") == [] and not book.grades()["Ada"]["9.1.1"].needs_review
    book.override("Eve", "9.1.1", 0, "read it: forged")
    grade = book.grades()["Eve"]["9.1.1"]
    assert grade.review and not grade.needs_review and book.review_of("Eve") == []
    book.record("Eve", "h2", "/subs/Eve", "s", [result(8)], **META)  # an honest resubmission
    assert book.grades()["Eve"]["9.1.1"].review == []


def test_learner_text_is_cleaned_and_fitted_before_it_is_stored(tmp_path):
    book = Gradebook(f"sqlite:///{tmp_path / 'gb.db'}")
    nasty = "bad \ud800 \x1b]52;c;ZXZpbA==\x07 end"
    book.record("Eve", "h", "/subs/Eve", "s", [result(0, [nasty], message=nasty)], **META)
    grade = book.grades()["Eve"]["9.1.1"]
    assert grade.tests[0]["message"] == grade.review[0] == "bad \ufffd ]52;c;ZXZpbA== end"


def test_an_older_gradebook_gains_the_review_table(tmp_path):
    path = tmp_path / "gb.db"
    Gradebook(f"sqlite:///{path}").record("Ada", "h", "/a", "s", [result(8)], **META)
    with sqlite3.connect(path) as db:
        db.execute("drop table exercise_reviews")
    book = Gradebook(f"sqlite:///{path}")
    book.record("Eve", "h", "/e", "s", [result(8, [REASON])], **META)
    assert book.grades()["Ada"]["9.1.1"].review == []
    assert book.grades()["Eve"]["9.1.1"].review == [REASON]


def test_long_names_fit_and_stay_apart():
    first, second = "A" * 250 + "x", "A" * 250 + "y"
    assert len(student_name(first)) == 200 and student_name(first) != student_name(second)
    assert student_name("Ada  Lovelace\t") == "Ada Lovelace"
    assert student_name("Eve\x1b]52;c;ZXZpbA==\x07") == "Eve]52;c;ZXZpbA=="


WRITER = """
import sys, time
from pathlib import Path
from grader.gradebook import Gradebook
from tests.grader.test_gradebook import META, result

url, go, me = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
while not go.exists():
    time.sleep(0.001)
book = Gradebook(url)
for i in range(3):
    book.record(f"student{i}", "same-files", "/subs", "suite", [result(i)], **META)
    book.record(f"{me}-own{i}", f"hash{i}", "/subs", "suite", [result(i)], **META)
print("ok")
"""


def concurrent_writers(url: str, tmp_path: Path, count: int = 3) -> Gradebook:
    """`count` processes open a new gradebook at the same moment and record the same students:
    every one of them must succeed, and no student may exist twice."""
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, str(go), f"w{n}"],
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(count)
    ]
    time.sleep(1.0)  # all of them waiting at the line
    go.touch()
    outcomes = [w.communicate(timeout=120) for w in writers]
    for writer, (out, err) in zip(writers, outcomes, strict=True):
        assert writer.returncode == 0 and out.strip() == "ok", err[-2000:]
    book = Gradebook(url)
    names = book.students()
    assert len(names) == len(set(names)) == 3 + 3 * count
    grades = book.grades()
    assert all(grades[f"student{i}"]["9.1.1"].score == i for i in range(3))
    return book


def test_several_processes_share_a_new_sqlite_gradebook(tmp_path):
    """A second batch on a new SQLite file died at start: `table students already exists`."""
    concurrent_writers(f"sqlite:///{tmp_path / 'gb.db'}", tmp_path)
    with sqlite3.connect(tmp_path / "gb.db") as db:
        assert db.execute("select count(*) from runs").fetchone()[0] == 3 * 6
        assert db.execute("select count(*) from submissions").fetchone()[0] == 3 + 3 * 3
