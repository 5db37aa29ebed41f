"""A student's submission to the course server: checked, graded in this machine's sandbox
against the server's hidden tests, recorded in the gradebook, and answered with the feedback
`grade --json` shows.

The zip is opened exactly as a batch opens a student's zip (grader.submissions: no links, no
unsafe paths, size and depth limits, only the selected exercise folders). A zip that cannot be
graded is refused with why, and nothing is recorded: the gradebook changes only for a graded
submission."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import __version__
from ..batch import selection_hash
from ..errors import GraderError
from ..gradebook import Gradebook
from ..grading import grade_units, in_selection_order, report
from ..models import Exercise, GradeReport
from ..sandbox import Sandbox
from ..staging import Limits, Unit, scratch_folder
from ..standing import columns_of
from ..submissions import DiskBudget, Submission, opened

SOURCE = "submitted to the course server"  # a submission's source in the gradebook


class BadSubmission(Exception):
    """Why an upload cannot be graded, in one line a student can act on."""


class GradingFailed(Exception):
    """The server could not grade (its sandbox failed): the student's upload was not at fault."""


@contextmanager
def checked_upload(
    student: str, archive: Path, exercises: list[Exercise], budget: DiskBudget
) -> Iterator[Submission]:
    """A student's zip opened in a scratch folder of its own, exactly as a batch opens one;
    BadSubmission (nothing graded, nothing recorded) when it cannot be graded."""
    upload = Submission(student, archive, kind="zip")
    with (
        scratch_folder("grade-serve-") as scratch,
        opened(upload, exercises, scratch, budget) as sub,
    ):
        if sub.problem:
            raise BadSubmission(sub.problem)
        yield sub


class Grader:
    """Grades submissions, at most `jobs` at once, each in a sandbox slot of its own."""

    def __init__(
        self, gradebook: Gradebook, make_sandbox: Callable[[int], Sandbox], jobs: int
    ) -> None:
        self.gradebook = gradebook
        self.make_sandbox = make_sandbox
        self.budget = DiskBudget()
        self._slots = list(range(jobs))
        self._free = threading.Condition()

    def _slot(self) -> int:
        with self._free:
            self._free.wait_for(lambda: bool(self._slots))
            return self._slots.pop()

    def _release(self, slot: int) -> None:
        with self._free:
            self._slots.append(slot)
            self._free.notify()

    def grade(self, student: str, archive: Path, exercises: list[Exercise]) -> GradeReport:
        started = time.monotonic()
        with checked_upload(student, archive, exercises, self.budget) as sub:
            slot = self._slot()
            try:
                sandbox = self.make_sandbox(slot)
                units = [
                    Unit(key=e.id, exercise=e, sources=[sub.folder_of(e)]) for e in sub.exercises
                ]
                graded = grade_units(units, sandbox, Limits(jobs=1))
            except GraderError as exc:
                raise GradingFailed(str(exc)) from None
            finally:
                self._release(slot)
            results = [graded[u.key] for u in units]
            self.gradebook.register(columns_of(sub.exercises))
            self.gradebook.record(
                student,
                sub.content_hash,
                SOURCE,
                selection_hash(sub.exercises),
                results,
                version=__version__,
                sandbox=sandbox.name,
                image_digest=sandbox.image_digest,
                duration=time.monotonic() - started,
            )
        shown = in_selection_order(exercises, graded, lambda _: "Not in this submission.")
        return report(sandbox, shown, started)
