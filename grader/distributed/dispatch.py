"""`grade batch --broker`: enqueue one task per student and gather the outcomes as they arrive.

The batch side of the distributed case. It discovers and opens students exactly as a local
batch does (problems and unchanged students never leave this machine), sends each remaining
student's checked files in one task, and reports every outcome through the same callbacks and
the same report as `grade_batch`, so the command's progress bar, JSON and exit codes are the
same. Workers record into the shared gradebook; this side only reads it (skip-unchanged).

Two ways a batch ends early, each said in the report: the broker goes away (`broker_lost`:
students without a result are errors, and rerunning resumes, since recorded students are
skipped), or Ctrl-C (`interrupted`: nothing more is enqueued, queued tasks are withdrawn, and
the report says who was saved).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

import kombu.exceptions
import redis.exceptions
from kombu.utils.url import maybe_sanitize_url

from .. import __version__
from ..batch import BatchReport, StudentOutcome, selection_hash
from ..batch_progress import FINISHED, BatchLog
from ..batch_progress import INTERRUPTED as STOPPED
from ..errors import GraderError
from ..gradebook import Gradebook
from ..models import Exercise
from ..staging import scratch_folder
from ..submissions import DISK_BUDGET, DiskBudget, Submission, discover, opened
from .app import QUEUE, TASK, make_app
from .once import newest_run
from .payload import pack

BROKER_ERRORS = (
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,
    TimeoutError,
)
INTERRUPTED = "interrupted"  # a student neither graded nor recorded because of Ctrl-C
POLL = 0.2  # seconds between looks at the results while waiting


@dataclass
class DistributedReport(BatchReport):
    broker: str = ""  # the broker's URL, without its password
    broker_lost: str = ""  # why the batch stopped waiting, when the broker went away
    interrupted: bool = False
    withdrawn: int = 0  # queued tasks taken back on Ctrl-C

    @property
    def ok(self) -> bool:
        return not self.broker_lost and not self.interrupted and super().ok

    @property
    def saved(self) -> int:
        return sum(s.state == "graded" for s in self.students)

    def to_dict(self) -> dict:
        return {
            **super().to_dict(),
            "ok": self.ok,
            "broker": self.broker,
            "broker_lost": self.broker_lost,
            "interrupted": self.interrupted,
            "withdrawn": self.withdrawn,
        }


def check_broker(broker: str) -> None:
    """Fail at once, in one line, when the broker (and its result store) cannot be reached."""
    app = make_app(broker)
    try:
        app.backend.client.ping()  # the same Redis: refused at once when nothing listens
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=5)
    except (*BROKER_ERRORS, OSError, ValueError) as exc:
        raise GraderError(
            "broker-unreachable",
            f"cannot reach the broker at {maybe_sanitize_url(broker)}: {_first_line(exc)}",
            "Start Redis there (redis-server) or fix --broker (redis://HOST:6379/0).",
        ) from None


def workers_listening(broker: str, wait: float = 0.5) -> int:
    """How many workers answer on this broker now (a batch without any waits for the first)."""
    try:
        return len(make_app(broker).control.ping(timeout=wait) or [])
    except BROKER_ERRORS:
        return 0


def grade_batch_on_broker(
    root: Path,
    exercises: list[Exercise],
    gradebook: Gradebook,
    broker: str,
    *,
    regrade: bool = False,
    disk_budget: int = DISK_BUDGET,
    on_start: Callable[[int], None] = lambda total: None,
    on_done: Callable[[StudentOutcome], None] = lambda outcome: None,
    stop: threading.Event | None = None,
) -> DistributedReport:
    """Grade the class on the broker's workers. `stop` set (the command sets it on Ctrl-C) or a
    KeyboardInterrupt ends the batch as interrupted: nothing more is enqueued."""
    stop = stop or threading.Event()
    if not root.is_dir():
        raise GraderError(
            "no-submissions",
            f"{root} is not a folder",
            "Give a folder holding one folder or .zip per student.",
        )
    check_broker(broker)
    app = make_app(broker)
    started = time.monotonic()
    report = DistributedReport(sandbox="workers", broker=maybe_sanitize_url(broker))
    suites = selection_hash(exercises)
    after = newest_run(gradebook) if regrade else 0
    budget = DiskBudget(disk_budget)
    pending: dict[str, str] = {}  # task id → student
    sandboxes: set[str] = set()
    left: list[Submission] = []
    log = BatchLog(gradebook)  # what the course server's live view reads

    def finish(outcome: StudentOutcome) -> None:
        report.students.append(outcome)
        log.outcome(outcome.student, outcome.state, outcome.score, outcome.max_score,
                    outcome.message)  # fmt: skip
        on_done(outcome)

    def collect() -> None:
        for task_id, meta in app.backend.get_many(set(pending), interval=0, max_iterations=1):
            student = pending.pop(task_id, None)
            if student is not None:
                finish(_outcome(student, meta, sandboxes))

    try:
        with scratch_folder("grade-batch-") as scratch, log:
            submissions = discover(root)
            log.start(str(root), [e.id for e in exercises], len(submissions))
            on_start(len(submissions))
            left = list(submissions)
            looked = time.monotonic()
            while left and not stop.is_set():
                sub = left[0]
                prepared = _prepare(sub, exercises, gradebook, scratch, budget,
                                    suites, after, regrade)  # fmt: skip
                if isinstance(prepared, StudentOutcome):
                    finish(prepared)
                else:
                    task_id = str(uuid.uuid4())
                    app.send_task(TASK, args=[prepared], queue=QUEUE, task_id=task_id)
                    pending[task_id] = sub.student
                left.pop(0)
                if pending and time.monotonic() - looked > 0.5:
                    collect()
                    looked = time.monotonic()
            while pending and not stop.is_set():
                collect()
                if pending:
                    stop.wait(POLL)
            log.finish(STOPPED if stop.is_set() else FINISHED)
        if stop.is_set():
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        report.interrupted = True
        try:  # results that arrived since the last look are saved students: say so
            collect()
        except (*BROKER_ERRORS, KeyboardInterrupt):
            pass
        report.withdrawn = _withdraw(app, list(pending))
        for student in [*pending.values(), *(s.student for s in left)]:
            report.students.append(StudentOutcome(student, INTERRUPTED, "not graded: Ctrl-C"))
    except BROKER_ERRORS as exc:
        report.broker_lost = (
            f"lost the broker at {report.broker}: {_first_line(exc)}. Students with a result "
            "are saved; run the batch again to grade the rest."
        )
        for student in [*pending.values(), *(s.student for s in left)]:
            report.students.append(
                StudentOutcome(student, "error", "no result: the broker was lost; rerun to resume")
            )
    report.sandbox = ", ".join(sorted(sandboxes)) or "workers"
    report.students.sort(key=lambda s: (s.student.casefold(), s.student))
    report.duration = round(time.monotonic() - started, 3)
    report.disk_peak = budget.peak
    return report


def _prepare(
    sub: Submission,
    exercises: list[Exercise],
    gradebook: Gradebook,
    scratch: Path,
    budget: DiskBudget,
    suites: str,
    after: int,
    regrade: bool,
) -> StudentOutcome | dict:
    """The student's outcome when it is settled here (a problem, unchanged), else the task's
    payload. A fault is this student's error, never the batch's."""
    try:
        if sub.problem:
            return StudentOutcome(sub.student, "problem", sub.problem)
        with opened(sub, exercises, scratch, budget) as student:
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
            payload = pack(student, exercises, suites, __version__)
            payload["after_run"] = after
            return payload
    except Exception as exc:
        return StudentOutcome(sub.student, "error", f"{type(exc).__name__}: {exc}")


def _outcome(student: str, meta: dict, sandboxes: set[str]) -> StudentOutcome:
    """A task's stored result as the student's outcome."""
    result = meta.get("result")
    if meta.get("status") == "SUCCESS" and isinstance(result, dict):
        if result.get("sandbox"):
            sandboxes.add(str(result["sandbox"]))
        known = {f.name for f in fields(StudentOutcome)}
        data = {k: v for k, v in dict(result.get("outcome") or {}).items() if k in known}
        data.setdefault("student", student)
        data.setdefault("state", "error")
        return StudentOutcome(**data)
    if meta.get("status") == "REVOKED":
        return StudentOutcome(student, INTERRUPTED, "withdrawn before a worker graded it")
    if isinstance(result, BaseException):
        kind, message = type(result).__name__, str(result)
    elif isinstance(result, dict):
        kind, message = str(result.get("exc_type", "error")), result.get("exc_message", "")
        if isinstance(message, list | tuple):
            message = " ".join(str(m) for m in message)
    else:
        kind, message = "error", str(result)
    if kind == "Refused":
        return StudentOutcome(student, "error", f"refused by the worker: {message}")
    return StudentOutcome(student, "error", f"the worker failed: {kind}: {message}")


def _withdraw(app, task_ids: list[str]) -> int:
    """Ask the workers to drop these queued tasks; a task already running still finishes."""
    if not task_ids:
        return 0
    try:
        app.control.revoke(task_ids)
    except BROKER_ERRORS:
        return 0
    return len(task_ids)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
