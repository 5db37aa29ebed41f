"""What a worker does with one student: check the task is for this grader, grade, record once.

A worker grades only what it would grade the same way as every other worker: a task whose
grader version or hidden suites differ from the worker's own is refused (the task fails with
a message naming which, and nothing is recorded), so no mixed-version grades enter the
gradebook. Each pool process keeps its own sandbox (its own uid under bubblewrap) and its own
connection to the gradebook.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

from celery import Celery
from celery.signals import worker_process_init

from .. import __version__
from ..batch import StudentOutcome, _grade_student, selection_hash
from ..catalog import Catalog
from ..errors import GraderError
from ..gradebook import Gradebook
from ..sandbox import Sandbox, get_sandbox
from ..staging import scratch_folder
from ..standing import columns_of
from .app import RESULTS_KEPT, TASK
from .once import AlreadyRecorded, Recorded, RecordOnce, recorded
from .payload import BadPayload, unpack

MAX_DELIVERIES = 3  # a task whose worker was lost this often is not tried again


class Refused(Exception):
    """This worker must not grade the task: the message says why; nothing was recorded."""


@dataclass
class Setup:
    """What `grade worker` was started with; every pool process builds its own tools from it."""

    db: str
    sandbox: str
    catalog: Catalog
    first_slot: int = 0  # several workers on one machine each take their own slots
    _gradebook: Gradebook | None = field(default=None, repr=False)
    _sandbox: Sandbox | None = field(default=None, repr=False)

    def gradebook(self) -> Gradebook:
        if self._gradebook is None:
            self._gradebook = Gradebook(self.db)
        return self._gradebook

    def box(self) -> Sandbox:
        if self._sandbox is None:
            self._sandbox = get_sandbox(self.sandbox, slot=self.first_slot + _slot())
        return self._sandbox

    def forked(self) -> None:
        """A new pool process: connections and sandboxes are not shared across a fork."""
        if self._gradebook is not None:
            self._gradebook.engine.dispose(close=False)
        self._gradebook = None
        self._sandbox = None


SETUP: Setup | None = None


def _slot() -> int:
    """The pool process's index (0, 1, …): bubblewrap gives each slot its own uid."""
    from celery.utils.log import current_process_index

    return current_process_index(base=0) or 0


@worker_process_init.connect
def _new_process(**_: object) -> None:
    if SETUP is not None:
        SETUP.forked()


def register(app: Celery) -> None:
    app.task(name=TASK, bind=True)(_task)


def _task(task, payload: dict) -> dict:
    if SETUP is None:
        raise Refused("this process was not started by `grade worker`")
    if _deliveries(task) > MAX_DELIVERIES:  # something kills whichever worker grades it
        raise Refused(
            f"{payload.get('student')}: its worker was lost each of the last {MAX_DELIVERIES} "
            "times it was graded; it is not tried again (see the workers' logs)"
        )
    return grade_payload(payload, SETUP, hostname=task.request.hostname or "")


def _deliveries(task) -> int:
    """How many times this task has started, counted in the result store: late acknowledgement
    redelivers a task whose worker died, and a task that kills its worker must not loop."""
    key = f"grade-deliveries-{task.request.id}"
    client = task.app.backend.client
    count = int(client.incr(key))
    client.expire(key, RESULTS_KEPT)
    return count


class Feedback(RecordOnce):
    """RecordOnce that keeps the results it recorded: the course server's tasks ask for them
    (`feedback` in the payload), to answer the student test by test as `grade` does."""

    results: list | None = None

    def record(self, student, content_hash, source, suite_hash, results, **kw) -> None:  # noqa: ANN001
        super().record(student, content_hash, source, suite_hash, results, **kw)
        self.results = list(results)


def grade_payload(payload: dict, setup: Setup, hostname: str = "") -> dict:
    """Grade one task's student and record them once; the outcome as a dict for the batch
    (with each exercise's results too when the payload asks for `feedback`)."""
    selection = _check(payload, setup.catalog)
    student = str(payload["student"])
    gradebook = setup.gradebook()
    after = int(payload.get("after_run", 0))
    found = recorded(gradebook, student, payload["content_hash"], payload["suites"],
                     __version__, after)  # fmt: skip
    if found is not None:  # delivered again after it was recorded: report, don't regrade
        return _result(_from_record(student, found), setup, hostname, again=True)
    with scratch_folder("grade-task-") as scratch:  # swept by the next worker if this one dies
        try:
            sub = unpack(payload, selection, scratch)
        except BadPayload as exc:
            raise Refused(f"{student}: {exc}") from None
        book = Feedback(gradebook, after)
        try:
            outcome = _grade_student(sub, book, setup.box(), payload["suites"],
                                     columns_of(selection), threading.Event())  # fmt: skip
        except AlreadyRecorded as exc:
            return _result(_from_record(student, exc.run), setup, hostname, again=True)
    result = _result(outcome, setup, hostname)
    if payload.get("feedback") and book.results is not None:
        result["results"] = [r.model_dump(mode="json") for r in book.results]
        result["image_digest"] = setup.box().image_digest
    return result


def _check(payload: dict, catalog: Catalog) -> list:
    """The selection's exercises in this worker's catalog, if it grades them as the batch does."""
    version = payload.get("version")
    if version != __version__:
        raise Refused(
            f"grader version differs: the batch runs {version}, this worker {__version__}; "
            "run the same grader version on every machine"
        )
    try:
        selection = [catalog.get(ex_id) for ex_id in payload["selection"]]
    except (GraderError, KeyError) as exc:
        raise Refused(f"hidden suites differ: this worker lacks an exercise ({exc})") from None
    mine = selection_hash(selection)
    if mine != payload.get("suites"):
        raise Refused(
            f"hidden suites differ: the batch's hash is {payload.get('suites')}, this "
            f"worker's {mine}; give every machine the same exercises"
        )
    return selection


def _from_record(student: str, run: Recorded) -> StudentOutcome:
    return StudentOutcome(
        student,
        "graded",
        "recorded once, by an earlier delivery of this task",
        score=run.score,
        max_score=run.max_score,
        exercises=run.exercises,
    )


def _result(outcome: StudentOutcome, setup: Setup, hostname: str, again: bool = False) -> dict:
    return {
        "outcome": outcome.to_dict(),
        "sandbox": setup.box().name if not again else "",
        "worker": hostname or os.uname().nodename,
        "pid": os.getpid(),
        "at": time.time(),
    }
