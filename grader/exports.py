"""Gradebook exports in the formats teachers' platforms read.

- csv: one row per student, one column per exercise, then total, max and percent (LMS import)
- json: everything, per student and exercise, overrides marked
- junit: one <testsuite> per student and exercise, one <testcase> per hidden test
- gradescope: <out>/<student>/results.json (Gradescope autograder results)
- exercism: <out>/<student>/<exercise>/results.json (Exercism test-runner interface, version 3)

Whatever a student wrote (their name, their code's messages) is cleaned before it is written:
CSV cells that a spreadsheet would run as a formula are quoted, JUnit stays well-formed XML, and
every student gets an export folder of their own. A run that needs review says so, with the
reasons, in every format; Gradescope shows it to instructors only. Student-visible files
(Gradescope, Exercism) carry only the first line of a failure message, so text the learner's
code read from the hidden tests cannot ride out in an exception.
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
from .models import Exercise
from .text import clean, clean_line, first_line

FORMATS = ("csv", "json", "junit", "gradescope", "exercism")
Table = dict[str, dict[str, Grade]]


def _columns(table: Table, exercises: list[Exercise]) -> list[tuple[str, str, float]]:
    """(id, title, max score) per exercise: the selection, else whatever the gradebook holds."""
    if exercises:
        from .grading import suite_of

        return [
            (e.id, e.meta.title, sum(s.points * s.cases for s in suite_of(e)[0])) for e in exercises
        ]
    seen: dict[str, tuple[str, float]] = {}
    for grades in table.values():
        for grade in grades.values():
            seen.setdefault(grade.exercise_id, (grade.title, grade.max_score))
    ids = sorted(seen, key=lambda i: tuple(int(p) for p in i.split(".") if p.isdigit()))
    return [(i, seen[i][0], seen[i][1]) for i in ids]


def _score(grades: dict[str, Grade], exercise_id: str) -> float:
    grade = grades.get(exercise_id)
    return grade.score if grade else 0.0


def _students(table: Table) -> list[str]:
    return sorted(table, key=lambda name: (name.casefold(), name))


def review_notes(grades: dict[str, Grade]) -> list[str]:
    """`exercise: reason` for each flagged run not yet settled by an override."""
    return [
        f"{exercise_id}: {clean_line(reason)}"
        for exercise_id, grade in sorted(grades.items())
        if grade.needs_review
        for reason in grade.review
    ]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def csv_cell(text: str) -> str:
    """A text cell a spreadsheet shows as text: one starting like a formula gets a `'` first."""
    text = clean_line(text)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(table: Table, exercises: list[Exercise]) -> str:
    columns = _columns(table, exercises)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *(c[0] for c in columns), "total", "max", "percent", "review"])
    maximum = sum(c[2] for c in columns)
    for student in _students(table):
        scores = [_score(table[student], c[0]) for c in columns]
        total = sum(scores)
        percent = round(100 * total / maximum, 1) if maximum else 0.0
        notes = review_notes(table[student])
        review = ("needs review: " + "; ".join(notes)) if notes else ""
        writer.writerow(
            [
                csv_cell(student),
                *(f"{s:g}" for s in scores),
                f"{total:g}",
                f"{maximum:g}",
                percent,
                csv_cell(review),
            ]
        )
    return out.getvalue()


def to_json(table: Table, exercises: list[Exercise]) -> str:
    columns = _columns(table, exercises)
    students = []
    for student in _students(table):
        grades = table[student]
        cells = {}
        for exercise_id, title, maximum in columns:
            grade = grades.get(exercise_id)
            cells[exercise_id] = {
                "title": title,
                "score": grade.score if grade else 0.0,
                "max_score": maximum,
                "status": grade.status if grade else "missing",
                "overridden": bool(grade and grade.overridden),
                "reason": clean(grade.reason) if grade else "",
                "graded_at": grade.graded_at.isoformat() if grade and grade.graded_at else None,
                "needs_review": bool(grade and grade.needs_review),
                "review": [clean(r) for r in grade.review] if grade else [],
            }
        total = sum(c["score"] for c in cells.values())
        students.append(
            {
                "student": clean_line(student),
                "exercises": cells,
                "total": total,
                "max": sum(c[2] for c in columns),
                "needs_review": any(c["needs_review"] for c in cells.values()),
            }
        )
    return json.dumps({"students": students}, indent=2)


def to_junit(table: Table, exercises: list[Exercise]) -> str:
    """One <testsuite> per student and exercise; a run that needs review adds a failing
    `needs review` case with the reasons, so that no CI view shows it as all green."""
    columns = _columns(table, exercises)
    root = ET.Element("testsuites", name="fastapi-sqlalchemy-exercises")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for student in _students(table):
        name = clean_line(student)
        for exercise_id, title, _ in columns:
            grade = table[student].get(exercise_id)
            suite = ET.SubElement(
                root, "testsuite", name=f"{name} · {exercise_id} {clean_line(title)}"
            )
            counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
            case = _CaseWriter(suite, counts, f"{name}.{exercise_id}")
            if grade is None:
                case("submitted", "failure", "no submission for this exercise")
            for test in grade.tests if grade else []:
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
            for key, value in counts.items():
                suite.set(key, str(value))
            for key in totals:
                totals[key] += counts[key]
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


def gradescope_results(grades: dict[str, Grade], columns) -> dict:
    """Gradescope's results.json for one student's submission. A run that needs review adds a
    test only instructors see (`visibility: hidden`), with the reasons."""
    tests = []
    for exercise_id, title, maximum in columns:
        grade = grades.get(exercise_id)
        if grade is None:
            tests.append(
                {
                    "name": f"{exercise_id} {clean_line(title)}",
                    "number": exercise_id,
                    "score": 0,
                    "max_score": maximum,
                    "status": "failed",
                    "output": "No submission for this exercise.",
                    "tags": [exercise_id],
                }
            )
            continue
        if grade.overridden:
            tests.append(
                {
                    "name": f"{exercise_id} {clean_line(title)} (manual grade)",
                    "number": exercise_id,
                    "score": grade.score,
                    "max_score": maximum,
                    "output": clean(grade.reason),
                    "tags": [exercise_id],
                }
            )
            continue
        for index, test in enumerate(grade.tests, start=1):
            output = first_line(test.get("message", ""))
            if test.get("hint") and test["status"] != "passed":
                output = f"{output}\nHint: {clean(test['hint'])}".strip()
            tests.append(
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
        if grade.needs_review:
            tests.append(
                {
                    "name": f"{exercise_id} needs review",
                    "number": f"{exercise_id}.review",
                    "score": 0,
                    "max_score": 0,
                    "status": "failed",
                    "output": "needs review: " + "; ".join(clean_line(r) for r in grade.review),
                    "tags": [exercise_id, "needs review"],
                    "visibility": "hidden",
                }
            )
    notes = review_notes(grades)
    results = {
        "score": round(sum(_score(grades, c[0]) for c in columns), 4),
        "execution_time": round(sum(g.execution_time for g in grades.values()), 3),
        "output": "Graded by fastapi-sqlalchemy-exercises.",
        "visibility": "visible",
        "tests": tests,
    }
    if notes:
        results["extra_data"] = {"needs_review": notes}
    return results


def exercism_results(grade: Grade) -> dict:
    """Exercism's results.json (version 3) for one exercise of one submission; a run that needs
    review carries `needs_review` with the reasons."""
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


def write(fmt: str, table: Table, exercises: list[Exercise], out: Path) -> list[Path]:
    """Write one export; returns the files written."""
    if fmt in ("csv", "json", "junit"):
        text = {"csv": to_csv, "json": to_json, "junit": to_junit}[fmt](table, exercises)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        return [out]
    written = []
    columns = _columns(table, exercises)
    named = folders(list(table))
    for student in _students(table):
        folder = out / named[student]
        if fmt == "gradescope":
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / "results.json"
            path.write_text(json.dumps(gradescope_results(table[student], columns), indent=2))
            written.append(path)
        else:
            for exercise_id, _, _ in columns:
                grade = table[student].get(exercise_id)
                if grade is None or grade.overridden:
                    continue
                path = folder / exercise_id / "results.json"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(exercism_results(grade), indent=2))
                written.append(path)
    return written
