"""Grade a folder of students' submissions: one sandbox per student, students in parallel.

Each student's results are written to the gradebook as soon as they are graded, so a batch that
is killed midway resumes where it stopped: a student whose submission, hidden suites and grader
version are unchanged is skipped (unless `regrade`). Each student is opened (copied into scratch
space, within the disk budget) only while a worker grades them, and whatever goes wrong with one
student is reported on that student's row (and kept in the gradebook with its state, so that
every export has a row for them): the rest of the class is graded regardless. A file in the
folder that is neither a student's folder nor a .zip is set aside with a note.

A student's points here are their standing (grader.standing) on the batch's selection: the
same total every export shows, a missing exercise counting 0 of its points.

Stopping (`stop` set, as the command does on Ctrl-C, or KeyboardInterrupt in the caller's
thread): queued students are dropped, running sandboxes are killed, a student whose run was
cut short is not recorded, and the report says who was graded and who was not. Everything
graded before is in the gradebook already, so running the batch again resumes.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .batch_progress import FINISHED, BatchLog
from .batch_progress import INTERRUPTED as STOPPED
from .errors import GraderError
from .gradebook import Gradebook
from .grading import grade_units, suite_of
from .models import Exercise, ExerciseResult
from .sandbox import Sandbox
from .sandbox.base import RUNNING
from .staging import Limits, Unit, scratch_folder
from .standing import ExerciseColumn, Standing, columns_of
from .submissions import DISK_BUDGET, DiskBudget, Submission, discover, opened
from .text import clean, clean_line

STOP_GRACE = 5.0  # seconds the running students get to wind down once their sandboxes are killed
INTERRUPTED = "interrupted"


@dataclass
class StudentOutcome:
    student: str
    state: str  # graded | skipped | problem | error | interrupted (never recorded)
    message: str = ""
    score: float = 0.0  # their standing on the selection (stored totals when skipped)
    max_score: float = 0.0
    exercises: int = 0
    duration: float = 0.0
    review: list[str] = field(default_factory=list)  # "exercise: reason", empty when unflagged
    missing: list[str] = field(default_factory=list)  # selected exercises not handed in

    def __post_init__(self) -> None:
        self.student = clean_line(self.student)
        self.message = clean(self.message)
        self.review = [clean_line(reason) for reason in self.review]

    @property
    def needs_review(self) -> bool:
        return bool(self.review)

    def to_dict(self) -> dict:
        return {**self.__dict__, "needs_review": self.needs_review}

    def with_standing(self, standing: Standing) -> StudentOutcome:
        self.score, self.max_score = standing.total, standing.max_score
        self.missing = standing.missing
        return self


@dataclass
class BatchReport:
    students: list[StudentOutcome] = field(default_factory=list)
    duration: float = 0.0
    sandbox: str = ""
    disk_peak: int = 0  # most scratch bytes held at once (the budget's high-water mark)
    ignored: list[str] = field(default_factory=list)  # stray files in the folder, not students
    interrupted: bool = False
    not_graded: list[str] = field(default_factory=list)  # left when interrupted
    unfinished: int = 0  # workers still winding down when the batch returned (interrupted)

    @property
    def ok(self) -> bool:
        return not self.interrupted and all(s.state in ("graded", "skipped") for s in self.students)

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
            "ignored": self.ignored,
            "interrupted": self.interrupted,
            "not_graded": self.not_graded,
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
    stop: threading.Event | None = None,
    on_stopping: Callable[[], None] = lambda: None,
) -> BatchReport:
    if not root.is_dir():
        raise GraderError(
            "no-submissions",
            f"{root} is not a folder",
            "Give a folder holding one folder or .zip per student.",
        )
    stop = stop or threading.Event()
    RUNNING.reset()
    started = time.monotonic()
    report = BatchReport()
    suites = selection_hash(exercises)
    columns = columns_of(exercises)
    gradebook.register(columns)
    report.sandbox = make_sandbox(0).name
    slots: queue.Queue[int] = queue.Queue()
    for slot in range(jobs):
        slots.put(slot)
    budget = DiskBudget(disk_budget)
    with scratch_folder("grade-batch-") as scratch, BatchLog(gradebook) as log:
        submissions = discover(root, report.ignored)
        log.start(str(root), [e.id for e in exercises], len(submissions))  # the live view's
        on_start(len(submissions))

        def work(sub: Submission) -> StudentOutcome:
            if stop.is_set():
                return StudentOutcome(sub.student, INTERRUPTED)
            if sub.problem:
                return _problem(gradebook, columns, sub.student, "problem", sub.problem)
            with opened(sub, exercises, Path(scratch), budget) as student:
                if student.problem:
                    return _problem(gradebook, columns, sub.student, "problem", student.problem)
                if not regrade and gradebook.is_graded(
                    student.student, student.content_hash, suites, __version__
                ):
                    gradebook.set_state(student.student, "graded")
                    return StudentOutcome(
                        student.student,
                        "skipped",
                        "unchanged since its last grade",
                        exercises=len(student.exercises),
                        review=gradebook.review_of(student.student),
                    ).with_standing(gradebook.standing(student.student, columns))
                slot = slots.get()
                try:
                    if stop.is_set():
                        return StudentOutcome(sub.student, INTERRUPTED)
                    return _grade_student(
                        student, gradebook, make_sandbox(slot), suites, columns, stop
                    )
                finally:
                    slots.put(slot)

        def guarded(sub: Submission) -> StudentOutcome:
            try:
                return work(sub)
            except Exception as exc:  # never lose the rest of the batch, nor the name
                message = f"{type(exc).__name__}: {exc}"
                try:
                    return _problem(gradebook, columns, sub.student, "error", message)
                except Exception:
                    return StudentOutcome(sub.student, "error", message)

        pool = ThreadPoolExecutor(max_workers=jobs)
        futures: dict[Future, Submission] = {pool.submit(guarded, s): s for s in submissions}
        pending = set(futures)

        def collect(done: set[Future]) -> None:
            for future in done:
                if future.cancelled():
                    continue
                outcome = future.result()
                if outcome.state != INTERRUPTED:
                    report.students.append(outcome)
                    log.outcome(outcome.student, outcome.state, outcome.score,
                                outcome.max_score, outcome.message)  # fmt: skip
                    on_done(outcome)

        try:
            while pending and not stop.is_set():
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                collect(done)
        except KeyboardInterrupt:
            stop.set()
        if stop.is_set():
            report.interrupted = True
            on_stopping()
            for future in pending:
                future.cancel()
            RUNNING.stop_all()
            done, pending = wait(pending, timeout=STOP_GRACE)
            collect(done)
            report.unfinished = len(pending)
            graded = {s.student for s in report.students}
            report.not_graded = sorted(
                {s.student for s in submissions} - graded, key=lambda n: (n.casefold(), n)
            )
        pool.shutdown(wait=not report.interrupted, cancel_futures=True)
        log.finish(STOPPED if report.interrupted else FINISHED)
    if not report.unfinished:  # every worker is done: sandboxes may start again in this process
        RUNNING.reset()
    report.students.sort(key=lambda s: (s.student.casefold(), s.student))
    report.duration = round(time.monotonic() - started, 3)
    report.disk_peak = budget.peak
    return report


def _problem(
    gradebook: Gradebook, columns: list[ExerciseColumn], student: str, state: str, message: str
) -> StudentOutcome:
    """A student who could not be graded: kept in the gradebook with why, so that every export
    has their row; their points are whatever they had (0 of the selection when nothing)."""
    gradebook.set_state(student, state, message)
    return StudentOutcome(student, state, message).with_standing(
        gradebook.standing(student, columns)
    )


def _grade_student(
    sub: Submission,
    gradebook: Gradebook,
    sandbox: Sandbox,
    suites: str,
    columns: list[ExerciseColumn],
    stop: threading.Event,
) -> StudentOutcome:
    started = time.monotonic()
    units = [Unit(key=e.id, exercise=e, sources=[sub.folder_of(e)]) for e in sub.exercises]
    try:
        graded = grade_units(units, sandbox, Limits(jobs=1))
    except GraderError as exc:
        if stop.is_set():
            return StudentOutcome(sub.student, INTERRUPTED)
        return _problem(gradebook, columns, sub.student, "error", str(exc))
    if stop.is_set():  # its sandbox may have been killed mid-run: not a grade
        return StudentOutcome(sub.student, INTERRUPTED)
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
        exercises=len(results),
        duration=round(duration, 3),
        review=[f"{r.id}: {reason}" for r in results for reason in r.review],
    ).with_standing(gradebook.standing(sub.student, columns))
