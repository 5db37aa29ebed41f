"""Record a student at most once per task, whatever fails around it.

A task may run twice: its worker was killed after recording but before acknowledging, or the
visibility timeout passed while it was still grading and another worker took it. Each time,
the grade is recorded only if no run of this very submission (student, content hash, hidden
suites, grader version) exists yet, newer than the run the batch saw when it started
(`after_run`: 0 for a normal batch, so any earlier run counts; the newest run id for
`--regrade`, so the regrade records once). The look and the insert happen under a lock on
that key: a PostgreSQL advisory lock, or a file lock beside a SQLite gradebook.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text

from ..gradebook import ExerciseRow, Gradebook, Run, Student
from ..gradebook import Submission as SubmissionRow
from ..text import MAX_NAME, clean_line


class AlreadyRecorded(Exception):
    """Another delivery of this task recorded the student first: ours is dropped."""

    def __init__(self, run: Recorded) -> None:
        super().__init__(f"already recorded (run {run.run_id})")
        self.run = run


@dataclass
class Recorded:
    run_id: int
    score: float
    max_score: float
    exercises: int


def newest_run(gradebook: Gradebook) -> int:
    with gradebook.session() as session:
        return session.scalar(select(func.max(Run.id))) or 0


def recorded(
    gradebook: Gradebook, student: str, content_hash: str, suites: str, version: str, after: int
) -> Recorded | None:
    """The newest run of this key after run `after`, with its points, if there is one."""
    with gradebook.session() as session:
        run_id = session.scalar(
            select(Run.id)
            .join(SubmissionRow, Run.submission_id == SubmissionRow.id)
            .join(Student, SubmissionRow.student_id == Student.id)
            .where(
                Student.name == clean_line(student)[:MAX_NAME],
                SubmissionRow.content_hash == content_hash,
                Run.suite_hash == suites,
                Run.grader_version == version,
                Run.id > after,
            )
            .order_by(Run.id.desc())
            .limit(1)
        )
        if run_id is None:
            return None
        score, max_score, count = session.execute(
            select(
                func.coalesce(func.sum(ExerciseRow.score), 0),
                func.coalesce(func.sum(ExerciseRow.max_score), 0),
                func.count(ExerciseRow.id),
            ).where(ExerciseRow.run_id == run_id)
        ).one()
    return Recorded(run_id, float(score), float(max_score), int(count))


@contextmanager
def key_lock(gradebook: Gradebook, key: str) -> Iterator[None]:
    """Exclusive, across processes and machines, for one key while the block runs."""
    engine = gradebook.engine
    if engine.dialect.name == "postgresql":
        number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        with engine.connect() as connection:
            connection.execute(text("select pg_advisory_lock(:k)"), {"k": number})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("select pg_advisory_unlock(:k)"), {"k": number})
                connection.commit()
    elif engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with open(Path(f"{engine.url.database}.lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    else:  # one process only (an in-memory database): nothing to race with
        yield


class RecordOnce:
    """A gradebook whose `record` refuses a second run of the same key (AlreadyRecorded);
    everything else is the gradebook's own."""

    def __init__(self, gradebook: Gradebook, after_run: int) -> None:
        self.gradebook = gradebook
        self.after_run = after_run

    def __getattr__(self, name: str):
        return getattr(self.gradebook, name)

    def record(self, student, content_hash, source, suite_hash, results, *, version, **kw) -> None:
        key = f"{student}\0{content_hash}\0{suite_hash}\0{version}"
        with key_lock(self.gradebook, key):
            found = recorded(
                self.gradebook, student, content_hash, suite_hash, version, self.after_run
            )
            if found is not None:
                raise AlreadyRecorded(found)
            self.gradebook.record(
                student, content_hash, source, suite_hash, results, version=version, **kw
            )
