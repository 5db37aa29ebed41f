"""Gradebook exports in the formats teachers' platforms read.

- csv: one row per student, one column per exercise, then total, max and percent (LMS import)
- json: everything, per student and exercise, overrides marked
- junit: one <testsuite> per student and exercise, one <testcase> per hidden test
- gradescope: <out>/<student>/results.json (Gradescope autograder results)
- exercism: <out>/<student>/<exercise>/results.json (Exercism test-runner interface, version 3)
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .gradebook import Grade
from .models import Exercise

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


def to_csv(table: Table, exercises: list[Exercise]) -> str:
    columns = _columns(table, exercises)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *(c[0] for c in columns), "total", "max", "percent"])
    maximum = sum(c[2] for c in columns)
    for student in sorted(table, key=str.lower):
        scores = [_score(table[student], c[0]) for c in columns]
        total = sum(scores)
        percent = round(100 * total / maximum, 1) if maximum else 0.0
        writer.writerow(
            [student, *(f"{s:g}" for s in scores), f"{total:g}", f"{maximum:g}", percent]
        )
    return out.getvalue()


def to_json(table: Table, exercises: list[Exercise]) -> str:
    columns = _columns(table, exercises)
    students = []
    for student in sorted(table, key=str.lower):
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
                "reason": grade.reason if grade else "",
                "graded_at": grade.graded_at.isoformat() if grade and grade.graded_at else None,
            }
        total = sum(c["score"] for c in cells.values())
        students.append(
            {
                "student": student,
                "exercises": cells,
                "total": total,
                "max": sum(c[2] for c in columns),
            }
        )
    return json.dumps({"students": students}, indent=2)


def to_junit(table: Table, exercises: list[Exercise]) -> str:
    columns = _columns(table, exercises)
    root = ET.Element("testsuites", name="fastapi-sqlalchemy-exercises")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for student in sorted(table, key=str.lower):
        for exercise_id, title, _ in columns:
            grade = table[student].get(exercise_id)
            suite = ET.SubElement(root, "testsuite", name=f"{student} · {exercise_id} {title}")
            counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
            if grade is None:
                case = ET.SubElement(
                    suite, "testcase", classname=f"{student}.{exercise_id}", name="submitted"
                )
                ET.SubElement(case, "failure", message="no submission for this exercise")
                counts["tests"] += 1
                counts["failures"] += 1
            for test in grade.tests if grade else []:
                counts["tests"] += 1
                case = ET.SubElement(
                    suite,
                    "testcase",
                    classname=f"{student}.{exercise_id}",
                    name=test["name"],
                    time="0",
                )
                if test["status"] == "passed":
                    continue
                if test["status"] == "skipped":
                    counts["skipped"] += 1
                    ET.SubElement(case, "skipped", message=test.get("message", ""))
                elif test["status"] == "failed":
                    counts["failures"] += 1
                    ET.SubElement(
                        case, "failure", message=test.get("message", ""), type="AssertionError"
                    )
                else:
                    counts["errors"] += 1
                    ET.SubElement(
                        case, "error", message=test.get("message", ""), type=test["status"]
                    )
            for key, value in counts.items():
                suite.set(key, str(value))
            for key in totals:
                totals[key] += counts[key]
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def gradescope_results(grades: dict[str, Grade], columns) -> dict:
    """Gradescope's results.json for one student's submission."""
    tests = []
    for exercise_id, title, maximum in columns:
        grade = grades.get(exercise_id)
        if grade is None:
            tests.append(
                {
                    "name": f"{exercise_id} {title}",
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
                    "name": f"{exercise_id} {title} (manual grade)",
                    "number": exercise_id,
                    "score": grade.score,
                    "max_score": maximum,
                    "output": grade.reason,
                    "tags": [exercise_id],
                }
            )
            continue
        for index, test in enumerate(grade.tests, start=1):
            output = test.get("message", "")
            if test.get("hint") and test["status"] != "passed":
                output = f"{output}\nHint: {test['hint']}".strip()
            tests.append(
                {
                    "name": f"{exercise_id} {test['name']}",
                    "number": f"{exercise_id}.{index}",
                    "score": test["earned"],
                    "max_score": test["points"],
                    "status": "passed" if test["status"] == "passed" else "failed",
                    "output": output,
                    "tags": [exercise_id, f"task {test['task']}"],
                }
            )
    return {
        "score": round(sum(_score(grades, c[0]) for c in columns), 4),
        "execution_time": round(sum(g.execution_time for g in grades.values()), 3),
        "output": "Graded by fastapi-sqlalchemy-exercises.",
        "visibility": "visible",
        "tests": tests,
    }


def exercism_results(grade: Grade) -> dict:
    """Exercism's results.json (version 3) for one exercise of one submission."""
    tests = []
    for test in grade.tests:
        status = {"passed": "pass", "failed": "fail"}.get(test["status"], "error")
        entry = {"name": test["name"], "status": status, "test_code": "", "task_id": test["task"]}
        if status != "pass":
            entry["message"] = test.get("message") or test["status"]
        tests.append(entry)
    if tests and all(t["status"] == "error" for t in tests):
        return {
            "version": 3,
            "status": "error",
            "message": tests[0].get("message", "the tests did not run"),
            "tests": [],
        }
    status = "pass" if tests and all(t["status"] == "pass" for t in tests) else "fail"
    return {"version": 3, "status": status, "tests": tests}


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "student"


def write(fmt: str, table: Table, exercises: list[Exercise], out: Path) -> list[Path]:
    """Write one export; returns the files written."""
    if fmt in ("csv", "json", "junit"):
        text = {"csv": to_csv, "json": to_json, "junit": to_junit}[fmt](table, exercises)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        return [out]
    written = []
    columns = _columns(table, exercises)
    for student in sorted(table, key=str.lower):
        folder = out / _safe(student)
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
