"""Grade a folder of students' submissions: one sandbox per student, students in parallel.

Each student's results are written to the gradebook as soon as they are graded, so a batch that
is killed midway resumes where it stopped: a student whose submission, hidden suites and grader
version are unchanged is skipped (unless `regrade`).
"""

from __future__ import annotations

import hashlib
import queue
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .errors import GraderError
from .gradebook import Gradebook
from .grading import grade_units, suite_of
from .models import Exercise, ExerciseResult
from .sandbox import Sandbox
from .staging import Limits, Unit
from .submissions import Submission, discover


@dataclass
class StudentOutcome:
    student: str
    state: str  # graded | skipped | problem | error
    message: str = ""
    score: float = 0.0
    max_score: float = 0.0
    exercises: int = 0
    duration: float = 0.0

    def to_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass
class BatchReport:
    students: list[StudentOutcome] = field(default_factory=list)
    duration: float = 0.0
    sandbox: str = ""

    @property
    def ok(self) -> bool:
        return all(s.state in ("graded", "skipped") for s in self.students)

    def to_dict(self) -> dict:
        counts = {}
        for s in self.students:
            counts[s.state] = counts.get(s.state, 0) + 1
        return {
            "ok": self.ok,
            "sandbox": self.sandbox,
            "duration": self.duration,
            "counts": counts,
            "students": [s.to_dict() for s in self.students],
        }


def selection_hash(exercises: list[Exercise]) -> str:
    """One hash over the hidden suites of the selection: a changed test means regrade."""
    digest = hashlib.sha256()
    for exercise in exercises:
        digest.update(f"{exercise.id}:{suite_of(exercise)[1]}\n".encode())
    return digest.hexdigest()[:20]


def grade_batch(
    root: Path,
    exercises: list[Exercise],
    gradebook: Gradebook,
    make_sandbox: Callable[[int], Sandbox],
    *,
    jobs: int,
    regrade: bool = False,
    on_start: Callable[[int], None] = lambda total: None,
    on_done: Callable[[StudentOutcome], None] = lambda outcome: None,
) -> BatchReport:
    if not root.is_dir():
        raise GraderError(
            "no-submissions",
            f"{root} is not a folder",
            "Give a folder holding one folder or .zip per student.",
        )
    started = time.monotonic()
    report = BatchReport()
    suites = selection_hash(exercises)
    report.sandbox = make_sandbox(0).name
    slots: queue.Queue[int] = queue.Queue()
    for slot in range(jobs):
        slots.put(slot)
    with tempfile.TemporaryDirectory(prefix="grade-batch-") as scratch:
        submissions = discover(root, exercises, Path(scratch))
        on_start(len(submissions))

        def work(sub: Submission) -> StudentOutcome:
            if sub.problem:
                return StudentOutcome(sub.student, "problem", sub.problem)
            if not regrade and gradebook.is_graded(
                sub.student, sub.content_hash, suites, __version__
            ):
                return StudentOutcome(
                    sub.student,
                    "skipped",
                    "unchanged since its last grade",
                    exercises=len(sub.exercises),
                )
            slot = slots.get()
            try:
                return _grade_student(sub, gradebook, make_sandbox(slot), suites)
            finally:
                slots.put(slot)
                if sub.folder and sub.folder != sub.source:
                    shutil.rmtree(sub.folder, ignore_errors=True)

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(work, sub) for sub in submissions]
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except Exception as exc:  # never lose the rest of the batch
                    outcome = StudentOutcome("?", "error", f"{type(exc).__name__}: {exc}")
                report.students.append(outcome)
                on_done(outcome)
    report.students.sort(key=lambda s: s.student.lower())
    report.duration = round(time.monotonic() - started, 3)
    return report


def _grade_student(
    sub: Submission, gradebook: Gradebook, sandbox: Sandbox, suites: str
) -> StudentOutcome:
    started = time.monotonic()
    units = [Unit(key=e.id, exercise=e, sources=[sub.folder_of(e)]) for e in sub.exercises]
    try:
        graded = grade_units(units, sandbox, Limits(jobs=1))
    except GraderError as exc:
        return StudentOutcome(sub.student, "error", str(exc))
    results: list[ExerciseResult] = [graded[u.key] for u in units]
    duration = time.monotonic() - started
    gradebook.record(
        sub.student,
        sub.content_hash,
        str(sub.source),
        suites,
        results,
        version=__version__,
        sandbox=sandbox.name,
        image_digest=sandbox.image_digest,
        duration=duration,
    )
    return StudentOutcome(
        sub.student,
        "graded",
        score=sum(r.score for r in results),
        max_score=sum(r.max_score for r in results),
        exercises=len(results),
        duration=round(duration, 3),
    )
