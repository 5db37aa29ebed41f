"""Gradebook exports in the formats teachers' platforms read.

- csv: one row per student, one column per exercise, then total, max, percent, state (LMS import)
- json: everything, per student and exercise, overrides and missing exercises marked
- junit: one <testsuite> per student and exercise, one <testcase> per hidden test
- gradescope: <out>/<student>/results.json (Gradescope autograder results)
- exercism: <out>/<student>/<exercise>/results.json (Exercism test-runner interface, version 3)
- feedback: <out>/<student>.md, the feedback `grade` shows, to send back to each student
- canvas: a CSV for Canvas's gradebook import (Student, ID, SIS User ID, SIS Login ID, Section,
  then one column per exercise)
- moodle: a CSV for Moodle's grade import (a student column to map, one column per exercise, the
  total and a feedback column)

Every export is built from one `ClassView` (grader.standing): every student has a row (one whose
submission could not be graded says why), every exercise graded has a column, and a student's
total is the one definition there, a missing exercise counting 0 and marked `missing`.

Whatever a student wrote (their name, their code's messages) is cleaned before it is written:
CSV cells that a spreadsheet would run as a formula are quoted, JUnit stays well-formed XML, and
every student gets an export folder of their own. A run that needs review says so, with the
reasons, in every format; Gradescope shows it to instructors only. Student-visible files
(Gradescope, Exercism, feedback) carry only the first line of a failure message, so text the
learner's code read from the hidden tests cannot ride out in an exception.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

from .gradebook import Grade
from .standing import GRADED, ClassView, Standing
from .text import clean, clean_line, first_line

FORMATS = ("csv", "json", "junit", "gradescope", "exercism", "feedback", "canvas", "moodle")
FOLDER_FORMATS = ("gradescope", "exercism", "feedback")  # the others are one file
MISSING_TEXT = "missing: no submission for this exercise"


def review_notes(grades: dict[str, Grade]) -> list[str]:
    """`exercise: reason` for each flagged run not yet settled by an override."""
    return [
        f"{exercise_id}: {clean_line(reason)}"
        for exercise_id, grade in sorted(grades.items())
        if grade.needs_review
        for reason in grade.review
    ]


def _state_note(standing: Standing) -> str:
    """Why a student's submission could not be graded this time ("" when it was)."""
    if standing.state.state == GRADED:
        return ""
    return clean_line(f"{standing.state.state}: {standing.state.message}".strip(": "))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def csv_cell(text: str) -> str:
    """A text cell a spreadsheet shows as text: one starting like a formula gets a `'` first."""
    text = clean_line(text)
    return "'" + text if text.startswith(FORMULA_START) else text


def _points(value: float) -> str:
    return f"{value:g}"


def to_csv(view: ClassView) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "student",
            *(c.id for c in view.columns),
            "total",
            "max",
            "percent",
            "state",
            "note",
            "review",
        ]  # fmt: skip
    )
    for standing in view.standings():
        notes = review_notes(view.table[standing.student])
        review = ("needs review: " + "; ".join(notes)) if notes else ""
        writer.writerow(
            [
                csv_cell(standing.student),
                *("missing" if c.missing else _points(c.score) for c in standing.cells),
                _points(standing.total),
                _points(standing.max_score),
                standing.percent,
                standing.state.state,
                csv_cell(standing.state.message),
                csv_cell(review),
            ]
        )
    return out.getvalue()


def to_json(view: ClassView) -> str:
    students = []
    for standing in view.standings():
        cells = {}
        for cell in standing.cells:
            grade = cell.grade
            cells[cell.column.id] = {
                "title": cell.column.title,
                "score": cell.score,
                "max_score": cell.column.max_score,
                "status": grade.status if grade else "missing",
                "missing": cell.missing,
                "overridden": bool(grade and grade.overridden),
                "reason": clean(grade.reason) if grade else "",
                "graded_at": grade.graded_at.isoformat() if grade and grade.graded_at else None,
                "needs_review": bool(grade and grade.needs_review),
                "review": [clean(r) for r in grade.review] if grade else [],
            }
        students.append(
            {
                "student": clean_line(standing.student),
                "state": standing.state.state,
                "message": clean_line(standing.state.message),
                "exercises": cells,
                "total": standing.total,
                "max": standing.max_score,
                "percent": standing.percent,
                "missing": standing.missing,
                "needs_review": any(c["needs_review"] for c in cells.values()),
            }
        )
    return json.dumps({"students": students}, indent=2)


def to_junit(view: ClassView) -> str:
    """One <testsuite> per student and exercise; a run that needs review adds a failing
    `needs review` case with the reasons, so that no CI view shows it as all green. A student
    whose submission could not be graded gets a `submission` suite with an error saying why."""
    root = ET.Element("testsuites", name="fastapi-sqlalchemy-exercises")
    totals = {"tests": 0, "failures": 0, "errors": 0}

    def add_suite(title: str, classname: str):
        suite = ET.SubElement(root, "testsuite", name=title)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        return suite, counts, _CaseWriter(suite, counts, classname)

    def close(suite: ET.Element, counts: dict[str, int]) -> None:
        for key, value in counts.items():
            suite.set(key, str(value))
        for key in totals:
            totals[key] += counts[key]

    for standing in view.standings():
        name = clean_line(standing.student)
        if standing.state.state != GRADED:
            suite, counts, case = add_suite(f"{name} · submission", f"{name}.submission")
            case("submission", "error", _state_note(standing), standing.state.state)
            close(suite, counts)
        for cell in standing.cells:
            grade = cell.grade
            suite, counts, case = add_suite(
                f"{name} · {cell.column.id} {clean_line(cell.column.title)}",
                f"{name}.{cell.column.id}",
            )
            if grade is None:
                case("submitted", "failure", MISSING_TEXT, "missing")
            elif grade.overridden:
                case("manual grade", message=clean_line(grade.reason))
            for test in grade.tests if grade and not grade.overridden else []:
                status, message = test["status"], test.get("message", "")
                if status == "passed":
                    case(test["name"])
                elif status == "skipped":
                    case(test["name"], "skipped", message)
                elif status == "failed":
                    case(test["name"], "failure", message, "AssertionError")
                else:
                    case(test["name"], "error", message, status)
            if grade is not None and grade.needs_review:
                reasons = "; ".join(clean_line(r) for r in grade.review)
                case("needs review", "failure", f"needs review: {reasons}", "needs-review")
            close(suite, counts)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


class _CaseWriter:
    """Adds <testcase> elements to one suite, keeping its counts."""

    def __init__(self, suite: ET.Element, counts: dict[str, int], classname: str) -> None:
        self.suite, self.counts, self.classname = suite, counts, classname

    def __call__(self, name: str, outcome: str = "", message: str = "", kind: str = "") -> None:
        self.counts["tests"] += 1
        element = ET.SubElement(
            self.suite, "testcase", classname=self.classname, name=clean_line(name), time="0"
        )
        if outcome:
            self.counts[{"failure": "failures", "error": "errors"}.get(outcome, outcome)] += 1
            detail = ET.SubElement(element, outcome, message=clean(message))
            if kind:
                detail.set("type", clean_line(kind))


def gradescope_results(standing: Standing) -> dict:
    """Gradescope's results.json for one student's submission. A run that needs review adds a
    test only instructors see (`visibility: hidden`), with the reasons."""
    tests = []
    grades = {c.column.id: c.grade for c in standing.cells if c.grade is not None}
    for cell in standing.cells:
        column, grade = cell.column, cell.grade
        title = f"{column.id} {clean_line(column.title)}"
        if grade is None:
            tests.append(
                {
                    "name": title,
                    "number": column.id,
                    "score": 0,
                    "max_score": column.max_score,
                    "status": "failed",
                    "output": "Missing: no submission for this exercise.",
                    "tags": [column.id, "missing"],
                }
            )
            continue
        if grade.overridden:
            tests.append(
                {
                    "name": f"{title} (manual grade)",
                    "number": column.id,
                    "score": grade.score,
                    "max_score": column.max_score,
                    "output": clean(grade.reason),
                    "tags": [column.id],
                }
            )
            continue
        tests.extend(gradescope_tests(column.id, grade.tests))
        if grade.needs_review:
            tests.append(
                {
                    "name": f"{column.id} needs review",
                    "number": f"{column.id}.review",
                    "score": 0,
                    "max_score": 0,
                    "status": "failed",
                    "output": "needs review: " + "; ".join(clean_line(r) for r in grade.review),
                    "tags": [column.id, "needs review"],
                    "visibility": "hidden",
                }
            )
    notes = review_notes(grades)
    output = "Graded by fastapi-sqlalchemy-exercises."
    if standing.state.state != GRADED:
        output = f"Your submission could not be graded: {clean_line(standing.state.message)}"
    results = {
        "score": standing.total,
        "execution_time": round(sum(g.execution_time for g in grades.values()), 3),
        "output": output,
        "visibility": "visible",
        "tests": tests,
    }
    if notes:
        results["extra_data"] = {"needs_review": notes}
    return results


def gradescope_tests(exercise_id: str, tests: list[dict]) -> list[dict]:
    """One Gradescope test per hidden test: name, points, the failure's first line and hint."""
    out = []
    for index, test in enumerate(tests, start=1):
        output = first_line(test.get("message", ""))
        if test.get("hint") and test["status"] != "passed":
            output = f"{output}\nHint: {clean(test['hint'])}".strip()
        out.append(
            {
                "name": f"{exercise_id} {clean_line(test['name'])}",
                "number": f"{exercise_id}.{index}",
                "score": test["earned"],
                "max_score": test["points"],
                "status": "passed" if test["status"] == "passed" else "failed",
                "output": output,
                "tags": [exercise_id, f"task {test['task']}"],
            }
        )
    return out


def exercism_results(grade: Grade | None, problem: str = "") -> dict:
    """Exercism's results.json (version 3) for one exercise of one submission; a run that needs
    review carries `needs_review` with the reasons. A missing exercise (or a submission that
    could not be graded) is an `error` saying so."""
    if grade is None:
        return {"version": 3, "status": "error", "message": problem or MISSING_TEXT, "tests": []}
    tests = []
    for test in grade.tests:
        status = {"passed": "pass", "failed": "fail"}.get(test["status"], "error")
        entry = {
            "name": clean_line(test["name"]),
            "status": status,
            "test_code": "",
            "task_id": test["task"],
        }
        if status != "pass":
            entry["message"] = first_line(test.get("message") or test["status"])
        tests.append(entry)
    if tests and all(t["status"] == "error" for t in tests):
        results = {
            "version": 3,
            "status": "error",
            "message": tests[0].get("message", "the tests did not run"),
            "tests": [],
        }
    else:
        status = "pass" if tests and all(t["status"] == "pass" for t in tests) else "fail"
        results = {"version": 3, "status": status, "tests": tests}
    if grade.needs_review:
        results["needs_review"] = [clean_line(r) for r in grade.review]
    return results


# ------------------------------------------------------------------ LMS gradebook imports

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def to_canvas(view: ClassView) -> str:
    """Canvas's gradebook import: the identity columns Canvas's own export starts with (only one
    of Student, ID and SIS User ID need be filled; we know the name), then one column per
    exercise, which Canvas turns into an assignment when it is new. A missing exercise is 0, as
    Canvas itself counts unsubmitted work in its final score; a student who could not be graded
    at all has empty cells, so that the import leaves their grades to the teacher."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CANVAS_IDENTITY, *(f"{c.id} {clean_line(c.title)}" for c in view.columns)])
    for standing in view.standings():
        ungraded = standing.state.state != GRADED and all(c.missing for c in standing.cells)
        writer.writerow(
            [
                csv_cell(standing.student),
                "",
                "",
                "",
                "",
                *("" if ungraded else _points(c.score) for c in standing.cells),
            ]
        )
    return out.getvalue()


def to_moodle(view: ClassView) -> str:
    """Moodle's CSV grade import: every column is mapped in Moodle's import form ("Identify user
    by" the student column, each exercise to a grade item). One column per exercise, the total,
    and a feedback column naming missing exercises and submissions that could not be graded
    (Moodle imports feedback with its grade, so both are always there)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "Student",
            *(f"{c.id} {clean_line(c.title)}" for c in view.columns),
            "Total",
            "Feedback",
        ]  # fmt: skip
    )
    for standing in view.standings():
        notes = []
        if standing.state.state != GRADED:
            notes.append(_state_note(standing))
        if standing.missing:
            notes.append("missing: " + ", ".join(standing.missing))
        writer.writerow(
            [
                csv_cell(standing.student),
                *(_points(c.score) for c in standing.cells),
                _points(standing.total),
                csv_cell("; ".join(notes)),
            ]
        )
    return out.getvalue()


# ------------------------------------------------------------------ feedback for students

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#!])")


def md_text(text: object) -> str:
    """Learner-made text as Markdown that shows it as written (no link, no HTML, no table cell
    break)."""
    return _MD_SPECIAL.sub(r"\\\1", clean_line(text))


def feedback_markdown(standing: Standing) -> str:
    """The feedback `grade` shows, for one student: per exercise the score, each hidden test's
    name and points, the first line of each failure and the hints of the tasks that failed.
    Never a hidden test's source, never more than a failure's first line."""
    lines = [
        f"# Feedback for {md_text(standing.student)}",
        "",
        f"**Total: {_points(standing.total)}/{_points(standing.max_score)} points "
        f"({standing.percent}%)**",
        "",
    ]
    if standing.state.state != GRADED:
        lines += [
            f"Your last submission could not be graded: {md_text(standing.state.message)}",
            "",
        ]
    for cell in standing.cells:
        column, grade = cell.column, cell.grade
        heading = f"## {column.id} {md_text(column.title)}: "
        if grade is None:
            lines += [f"{heading}missing (0/{_points(column.max_score)} points)", "",
                      "This exercise was not in your submission.", ""]  # fmt: skip
            continue
        lines += [f"{heading}{_points(grade.score)}/{_points(column.max_score)} points", ""]
        if grade.overridden:
            lines += [
                "Graded by hand" + (f": {md_text(grade.reason)}" if grade.reason else "."),
                "",
            ]
            continue
        if grade.tests:
            lines += ["| | test | points | feedback |", "|---|---|---|---|"]
        hints: dict[int, str] = {}
        for test in grade.tests:
            passed = test["status"] == "passed"
            message = "" if passed else first_line(test.get("message") or test["status"])
            if not passed and test.get("hint"):
                hints.setdefault(test["task"], test["hint"])
            name = clean_line(test["name"]).removeprefix("test_").replace("_", " ")
            lines.append(
                f"| {'✓' if passed else '✗'} | {md_text(name)} | "
                f"{_points(test['earned'])}/{_points(test['points'])} | {md_text(message)} |"
            )
        if grade.tests:
            lines.append("")
        for task, hint in sorted(hints.items()):
            lines += [f"**Hint (task {task}):** {clean(hint).strip()}", ""]
    return "\n".join(lines).rstrip() + "\n"


WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)


def _safe(name: str) -> str:
    """A folder name that keeps the student's name readable (any script, NFC) but holds no
    separator, control character or character a common filesystem refuses."""
    name = unicodedata.normalize("NFC", clean_line(name))
    name = re.sub(r'[\x00-\x1f<>:"/\\|?*\s]+', "_", name).strip("._ ")
    while len(name.encode()) > 100:
        name = name[:-1]
    if WINDOWS_RESERVED.match(name):
        name = "_" + name
    return name or "student"


def folders(students: list[str]) -> dict[str, str]:
    """A folder of its own for every student, unique even on a case-insensitive filesystem:
    a name that would clash gets a short hash of the student's full name."""
    taken: set[str] = set()
    chosen: dict[str, str] = {}
    for student in sorted(students, key=lambda n: (n.casefold(), n)):
        folder = _safe(student)
        if folder.casefold() in taken:
            digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()
            folder, length = f"{folder}~{digest[:8]}", 8
            while folder.casefold() in taken:  # the same start and hash prefix: longer hash
                length += 4
                folder = f"{_safe(student)}~{digest[:length]}"
        taken.add(folder.casefold())
        chosen[student] = folder
    return chosen


TEXT_EXPORTS = {
    "csv": to_csv,
    "json": to_json,
    "junit": to_junit,
    "canvas": to_canvas,
    "moodle": to_moodle,
}
SUFFIX = {"csv": "csv", "json": "json", "junit": "xml", "canvas": "csv", "moodle": "csv"}


def render(fmt: str, view: ClassView) -> str:
    """A one-file export as text (for `-o -`)."""
    return TEXT_EXPORTS[fmt](view)


def write(fmt: str, view: ClassView, out: Path) -> list[Path]:
    """Write one export; returns the files written."""
    if fmt in TEXT_EXPORTS:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render(fmt, view), encoding="utf-8")
        return [out]
    written = []
    named = folders(view.students)
    for standing in view.standings():
        folder = out / named[standing.student]
        if fmt == "gradescope":
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / "results.json"
            path.write_text(json.dumps(gradescope_results(standing), indent=2))
            written.append(path)
        elif fmt == "feedback":
            out.mkdir(parents=True, exist_ok=True)
            path = out / f"{named[standing.student]}.md"
            path.write_text(feedback_markdown(standing), encoding="utf-8")
            written.append(path)
        else:
            problem = _state_note(standing)
            for cell in standing.cells:
                if cell.grade is not None and cell.grade.overridden:
                    continue
                path = folder / cell.column.id / "results.json"
                path.parent.mkdir(parents=True, exist_ok=True)
                results = exercism_results(cell.grade, problem if cell.missing else "")
                path.write_text(json.dumps(results, indent=2))
                written.append(path)
    return written
