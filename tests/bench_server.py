"""`make bench`: how long the course server takes to render the class overview of a big class
(200 students x 138 exercises, three hidden tests each) and one student's page, against the
target. Printed, never asserted. STUDENTS and EXERCISES change the class's size; RUNS the
number of timed renders (median shown)."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from grader.catalog import Catalog  # noqa: E402
from grader.gradebook import Gradebook  # noqa: E402
from grader.models import ExerciseResult, RunStatus, TestResult, TestStatus  # noqa: E402
from grader.server import ServerSettings, create_app  # noqa: E402
from grader.standing import ExerciseColumn  # noqa: E402

TARGET = 0.300  # s, the overview of 200 x 138
PASSWORD = "bench password"


def exercise_ids(count: int) -> list[str]:
    return [f"{1 + i // 12}.{1 + (i // 4) % 3}.{1 + i % 4}" for i in range(count)]


def result(exercise_id: str, student: int, index: int) -> ExerciseResult:
    passed = [(student + index + t) % 3 != 0 for t in range(3)]
    tests = [
        TestResult(
            name=f"test_{t}",
            task=1,
            status=TestStatus.passed if ok else TestStatus.failed,
            points=1,
            earned=1 if ok else 0,
            message="" if ok else "assert 1 == 2",
            hint="" if ok else "Read the prompt's second task.",
        )
        for t, ok in enumerate(passed)
    ]
    return ExerciseResult(
        id=exercise_id,
        slug="x",
        title=f"Exercise {exercise_id}",
        status=RunStatus.ok,
        score=sum(passed),
        max_score=3,
        tests=tests,
        suite_hash="s",
    )


def build(url: str, students: int, exercises: int) -> None:
    book = Gradebook(url)
    ids = exercise_ids(exercises)
    book.register([ExerciseColumn(i, f"Exercise {i}", 3) for i in ids])
    for s in range(students):
        results = [result(i, s, n) for n, i in enumerate(ids) if (s + n) % 17]
        book.record(
            f"Student {s:03d}", f"h{s}", "bench", "s", results,
            version="bench", sandbox="bwrap", image_digest=None, duration=1.0,
        )  # fmt: skip


def timed(client: TestClient, path: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = client.get(path)
        times.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.status_code
    return statistics.median(times)


def main() -> None:
    students = int(os.environ.get("STUDENTS", 200))
    exercises = int(os.environ.get("EXERCISES", 138))
    runs = int(os.environ.get("RUNS", 5))
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/gradebook.db"
        started = time.perf_counter()
        build(url, students, exercises)
        print(
            f"gradebook of {students} x {exercises} built in {time.perf_counter() - started:.1f} s"
        )
        settings = ServerSettings(
            db=url, teacher_password=PASSWORD, catalog=Catalog(ROOT), sandbox="bwrap"
        )
        client = TestClient(create_app(settings))
        form = client.get("/login").text
        csrf = form.split('name="csrf" value="')[1].split('"')[0]
        client.post("/login", data={"password": PASSWORD, "csrf": csrf})
        overview = timed(client, "/", runs)
        student = timed(client, "/students/Student%20100", runs)
        exercise = timed(client, f"/exercises/{exercise_ids(exercises)[-1]}", runs)
    print(f"overview      {overview * 1000:7.0f} ms   (target < {TARGET * 1000:.0f} ms)")
    print(f"student page  {student * 1000:7.0f} ms")
    print(f"exercise page {exercise * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
