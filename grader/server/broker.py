"""`grade serve --broker URL`: students' submissions graded by the `grade worker`s of the class
(grader.distributed) instead of this machine's sandbox pool.

The server checks the upload exactly as it does for local grading (grader.submissions), then
sends the checked files as one task, like `grade batch --broker` does, asking for the results
too (`feedback`), and waits for the answer while the student's request waits. The worker
grades in its own sandbox and records the run in its gradebook, which must be this server's:
an answer whose run is not in this server's gradebook is refused as a misconfiguration, so a
student never gets feedback that the teacher's pages will not show.

A worker refuses a task whose grader version or hidden suites differ from its own; no worker
answering in time, a lost broker, a refusal: each is the server's failure (503, try again
later), never the student's, and nothing is recorded by the server."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from celery import states
from kombu.utils.url import maybe_sanitize_url

from .. import __version__
from ..batch import selection_hash
from ..distributed.app import QUEUE, TASK, make_app
from ..distributed.dispatch import BROKER_ERRORS, check_broker
from ..distributed.once import newest_run, recorded
from ..distributed.payload import pack
from ..gradebook import Gradebook
from ..grading import in_selection_order
from ..models import Exercise, ExerciseResult, GradeReport
from ..standing import columns_of
from ..submissions import DiskBudget
from .submit import SOURCE, GradingFailed, checked_upload

ANSWER_TIMEOUT = 240.0  # seconds a submission waits for a worker (the client waits 300)
POLL = 0.1  # seconds between looks at the task's result


class BrokerGrader:
    """Grades a submission on the broker's workers; the same contract as submit.Grader."""

    def __init__(self, gradebook: Gradebook, broker: str, timeout: float = ANSWER_TIMEOUT) -> None:
        check_broker(broker)  # unreachable: one line when the server starts, not per student
        self.gradebook = gradebook
        self.broker = maybe_sanitize_url(broker)
        self.app = make_app(broker)
        self.timeout = timeout
        self.budget = DiskBudget()

    def grade(self, student: str, archive: Path, exercises: list[Exercise]) -> GradeReport:
        started = time.monotonic()
        suites = selection_hash(exercises)
        with checked_upload(student, archive, exercises, self.budget) as sub:
            payload = pack(sub, exercises, suites, __version__)
            content_hash = sub.content_hash
        after = newest_run(self.gradebook)  # a resubmission is graded again, and recorded once
        payload.update(source=SOURCE, after_run=after, feedback=True)
        self.gradebook.register(columns_of(exercises))
        answer = self._ask(payload)
        if recorded(self.gradebook, student, content_hash, suites, __version__, after) is None:
            raise GradingFailed(
                "the workers record into another gradebook than this server's: start them "
                "with the same --db"
            )
        results = [ExerciseResult.model_validate(r) for r in answer.get("results") or []]
        if not results:
            raise GradingFailed("a worker graded it but its feedback was lost: submit again")
        graded = {r.id: r for r in results}
        shown = in_selection_order(exercises, graded, lambda _: "Not in this submission.")
        return GradeReport(
            grader_version=__version__,
            sandbox=str(answer.get("sandbox") or "workers"),
            image_digest=answer.get("image_digest"),
            exercises=shown,
            duration=round(time.monotonic() - started, 3),
        )

    def _ask(self, payload: dict) -> dict:
        """Send the task and wait for its answer; every way it fails is a GradingFailed. The
        answer is polled with plain reads of the result store (one per POLL), which several
        request threads may do at once, unlike Celery's shared result consumer."""
        task_id = str(uuid.uuid4())
        backend = self.app.backend
        deadline = time.monotonic() + self.timeout
        try:
            self.app.send_task(TASK, args=[payload], queue=QUEUE, task_id=task_id)
            while (meta := backend.get_task_meta(task_id))["status"] not in states.READY_STATES:
                if time.monotonic() > deadline:
                    _quietly(lambda: self.app.control.revoke(task_id))
                    raise GradingFailed(f"no grading worker answered within {self.timeout:.0f} s")
                time.sleep(POLL)
            _quietly(lambda: backend.forget(task_id))  # the student's feedback: not kept a week
        except BROKER_ERRORS as exc:
            raise GradingFailed(f"the broker at {self.broker} is unreachable ({exc})") from None
        answer = meta.get("result")
        if meta["status"] != states.SUCCESS or not isinstance(answer, dict):
            raise GradingFailed(f"the grading worker did not grade it: {_why(answer)}")
        return answer


def _why(result: object) -> str:
    if isinstance(result, dict) and "exc_message" in result:
        message = result["exc_message"]
        return " ".join(map(str, message)) if isinstance(message, list | tuple) else str(message)
    return str(result)


def _quietly(action) -> None:  # noqa: ANN001
    try:
        action()
    except BROKER_ERRORS:
        pass
