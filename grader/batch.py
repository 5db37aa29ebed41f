"""Grade a folder of students' submissions: one sandbox per student, students in parallel.

Each student's results are written to the gradebook as soon as they are graded, so a batch that
is killed midway resumes where it stopped: a student whose submission, hidden suites and grader
version are unchanged is skipped (unless `regrade`). Each student is opened (copied into scratch
space, within the disk budget) only while a worker grades them, and whatever goes wrong with one
student is reported on that student's row: the rest of the class is graded regardless.
"""

from __future__ import annotations

import hashlib
import queue
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
from .staging import Limits, Unit, scratch_folder
from .submissions import DISK_BUDGET, DiskBudget, Submission, discover, opened
from .text import clean, clean_line


@dataclass
class StudentOutcome:
    student: str
    state: str  # graded | skipped | problem | error
    message: str = ""
    score: float = 0.0
    max_score: float = 0.0
    exercises: int = 0
    duration: float = 0.0
    review: list[str] = field(default_factory=list)  # "exercise: reason", empty when unflagged

    def __post_init__(self) -> None:
        self.student = clean_line(self.student)
        self.message = clean(self.message)
        self.review = [clean_line(reason) for reason in self.review]

    @property
    def needs_review(self) -> bool:
        return bool(self.review)

    def to_dict(self) -> dict:
        return {**self.__dict__, "needs_review": self.needs_review}


@dataclass
class BatchReport:
    students: list[StudentOutcome] = field(default_factory=list)
    duration: float = 0.0
    sandbox: str = ""
    disk_peak: int = 0  # most scratch bytes held at once (the budget's high-water mark)

    @property
    def ok(self) -> bool:
        return all(s.state in ("graded", "skipped") for s in self.students)

    @property
    def needs_review(self) -> list[str]:
        return [s.student for s in self.students if s.needs_review]

    def to_dict(self) -> dict:
        counts: dict[str, int] = {}
        for s in self.students:
            counts[s.state] = counts.get(s.state, 0) + 1
        return {
            "ok": self.ok,
            "sandbox": self.sandbox,
            "duration": self.duration,
            "counts": counts,
            "needs_review": self.needs_review,
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
    disk_budget: int = DISK_BUDGET,
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
    budget = DiskBudget(disk_budget)
    with scratch_folder("grade-batch-") as scratch:
        submissions = discover(root)
        on_start(len(submissions))

        def work(sub: Submission) -> StudentOutcome:
            if sub.problem:
                return StudentOutcome(sub.student, "problem", sub.problem)
            with opened(sub, exercises, Path(scratch), budget) as student:
                if student.problem:
                    return StudentOutcome(sub.student, "problem", student.problem)
                if not regrade and gradebook.is_graded(
                    student.student, student.content_hash, suites, __version__
                ):
                    return StudentOutcome(
                        student.student,
                        "skipped",
                        "unchanged since its last grade",
                        exercises=len(student.exercises),
                        review=gradebook.review_of(student.student),
                    )
                slot = slots.get()
                try:
                    return _grade_student(student, gradebook, make_sandbox(slot), suites)
                finally:
                    slots.put(slot)

        def guarded(sub: Submission) -> StudentOutcome:
            try:
                return work(sub)
            except Exception as exc:  # never lose the rest of the batch, nor the name
                return StudentOutcome(sub.student, "error", f"{type(exc).__name__}: {exc}")

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(guarded, sub) for sub in submissions]
            for future in as_completed(futures):
                outcome = future.result()
                report.students.append(outcome)
                on_done(outcome)
    report.students.sort(key=lambda s: (s.student.casefold(), s.student))
    report.duration = round(time.monotonic() - started, 3)
    report.disk_peak = budget.peak
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
        review=[f"{r.id}: {reason}" for r in results for reason in r.review],
    )
