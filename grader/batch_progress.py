"""A batch's progress, kept in the gradebook while it runs, for the course server's live view.

A batch (local or on a broker) writing into a gradebook opens a row saying how many students it
expects, adds one outcome row per student as each lands (graded, skipped, problem, error, with
the points), and closes the row when it ends (finished, or interrupted). While it runs it
touches the row every `HEARTBEAT_SECONDS`; a batch killed outright (SIGKILL, a machine lost)
cannot close its row, so a running row silent for `SILENT_SECONDS` reads as interrupted. The
course server, which may run on another machine, reads only these rows: it never needs the
batch's process (the writer's and the reader's clocks are assumed to agree within a minute).

Two tables of their own, so that a gradebook made before them gains them by `create_all` alone
(no migration), and one made with them still opens in an older grader (it ignores them). A
failure to write progress never costs a grade: the batch goes on and says nothing more here."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import DateTime, Float, ForeignKey, String, Text, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from .gradebook import RETRIES, Base, Gradebook, _fit, _name, _now
from .text import MAX_NAME

RUNNING, FINISHED, INTERRUPTED = "running", "finished", "interrupted"
HEARTBEAT_SECONDS = 20.0  # how often a running batch touches its row, between outcomes too
SILENT_SECONDS = 120.0  # a running row untouched this long belongs to a batch that was killed


class BatchRow(Base):
    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(300))  # the submissions folder (or the broker)
    selection: Mapped[str] = mapped_column(Text, default="")  # exercise ids, space-separated
    expected: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(20), default=RUNNING)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class BatchOutcomeRow(Base):
    __tablename__ = "batch_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    student: Mapped[str] = mapped_column(String(MAX_NAME))
    state: Mapped[str] = mapped_column(String(20))
    score: Mapped[float] = mapped_column(Float, default=0.0)
    max_score: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


@dataclass
class Outcome:
    id: int
    student: str
    state: str
    score: float
    max_score: float
    message: str
    at: datetime

    def to_dict(self) -> dict:
        return {**self.__dict__, "at": _iso(self.at)}


@dataclass
class BatchProgress:
    id: int
    label: str
    selection: list[str]
    expected: int
    done: int
    state: str
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    outcomes: list[Outcome] = field(default_factory=list)  # newest first

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.expected) if self.expected else 100

    @property
    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for outcome in self.outcomes:
            found[outcome.state] = found.get(outcome.state, 0) + 1
        return found

    @property
    def average(self) -> float | None:
        """The mean percentage of the students with points so far (None before the first)."""
        scored = [o for o in self.outcomes if o.max_score]
        if not scored:
            return None
        return round(100 * sum(o.score / o.max_score for o in scored) / len(scored), 1)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "selection": self.selection,
            "expected": self.expected,
            "done": self.done,
            "percent": self.percent,
            "state": self.state,
            "started_at": _iso(self.started_at),
            "updated_at": _iso(self.updated_at),
            "finished_at": _iso(self.finished_at),
            "counts": self.counts,
            "average": self.average,
            "outcomes": [o.to_dict() for o in self.outcomes],
        }


def ensure_tables(gradebook: Gradebook) -> None:
    """Gradebooks made before batches were kept gain both tables (nothing else changes)."""
    for table in (BatchRow.__table__, BatchOutcomeRow.__table__):
        table.create(gradebook.engine, checkfirst=True)


class BatchLog:
    """The batch side: `start`, then `outcome` per student, then `finish`. Each write is its
    own short transaction, retried like the gradebook's; one that still fails is dropped (the
    grades are what matters) and the log stays quiet from then on."""

    def __init__(self, gradebook: Gradebook, heartbeat: float = HEARTBEAT_SECONDS) -> None:
        self.gradebook = gradebook
        self.batch_id: int | None = None
        self.finished = False
        self.heartbeat = heartbeat
        self._stopped = threading.Event()
        self._beating: threading.Thread | None = None

    def __enter__(self) -> BatchLog:
        return self

    def __exit__(self, kind, error, trace) -> None:  # noqa: ANN001
        """A batch that ended by an exception (Ctrl-C, a lost database) is not left running."""
        if not self.finished:
            self.finish(INTERRUPTED)

    def start(self, label: str, selection: list[str], expected: int) -> int | None:
        def write(session) -> int:
            row = BatchRow(label=_fit(label, 300), selection=" ".join(selection), expected=expected)
            session.add(row)
            session.flush()
            return row.id

        try:
            ensure_tables(self.gradebook)
            self.batch_id = _retried(self.gradebook, write)
        except SQLAlchemyError:
            self.batch_id = None
        if self.batch_id is not None:
            self._beating = threading.Thread(target=self._beat_until_finished, daemon=True)
            self._beating.start()
        return self.batch_id

    def beat(self) -> None:
        """Touch the row: the batch is alive, even while no student lands for a while."""
        if self.batch_id is None:
            return
        batch_id = self.batch_id

        def write(session) -> None:
            session.execute(
                update(BatchRow)
                .where(BatchRow.id == batch_id, BatchRow.state == RUNNING)
                .values(updated_at=_now())
            )

        self._quietly(write)

    def _beat_until_finished(self) -> None:
        while not self._stopped.wait(self.heartbeat):
            self.beat()

    def outcome(
        self, student: str, state: str, score: float, max_score: float, message: str = ""
    ) -> None:
        if self.batch_id is None:
            return
        batch_id = self.batch_id

        def write(session) -> None:
            session.add(
                BatchOutcomeRow(
                    batch_id=batch_id, student=_name(student), state=state[:20], score=score,
                    max_score=max_score, message=_fit(message, 2000),
                )
            )  # fmt: skip
            session.execute(
                update(BatchRow)
                .where(BatchRow.id == batch_id)
                .values(done=BatchRow.done + 1, updated_at=_now())
            )

        self._quietly(write)

    def finish(self, state: str = FINISHED) -> None:
        self.finished = True
        self._stopped.set()
        if self._beating is not None:
            self._beating.join()
        if self.batch_id is None:
            return
        batch_id = self.batch_id

        def write(session) -> None:
            now = _now()
            session.execute(
                update(BatchRow)
                .where(BatchRow.id == batch_id)
                .values(state=state, finished_at=now, updated_at=now)
            )

        self._quietly(write)

    def _quietly(self, write) -> None:
        try:
            _retried(self.gradebook, write)
        except SQLAlchemyError:
            self.batch_id = None


def batches(gradebook: Gradebook, limit: int = 20) -> list[BatchProgress]:
    """The newest batches first, without their outcomes."""
    with gradebook.session() as session:
        rows = session.scalars(select(BatchRow).order_by(BatchRow.id.desc()).limit(limit))
        return [_progress(row) for row in rows]


def progress(gradebook: Gradebook, batch_id: int, last: int = 200) -> BatchProgress | None:
    """One batch with its `last` outcomes, newest first (None when there is no such batch)."""
    with gradebook.session() as session:
        row = session.get(BatchRow, batch_id)
        if row is None:
            return None
        found = _progress(row)
        outcomes = session.scalars(
            select(BatchOutcomeRow)
            .where(BatchOutcomeRow.batch_id == batch_id)
            .order_by(BatchOutcomeRow.id.desc())
            .limit(last)
        )
        found.outcomes = [
            Outcome(o.id, o.student, o.state, o.score, o.max_score, o.message, o.at)
            for o in outcomes
        ]
    return found


def _progress(row: BatchRow) -> BatchProgress:
    state, finished_at = row.state, row.finished_at
    if state == RUNNING and _age(row.updated_at) > SILENT_SECONDS:
        state, finished_at = INTERRUPTED, row.updated_at  # killed: its last sign of life
    return BatchProgress(
        id=row.id,
        label=row.label,
        selection=row.selection.split(),
        expected=row.expected,
        done=row.done,
        state=state,
        started_at=row.started_at,
        updated_at=row.updated_at,
        finished_at=finished_at,
    )


def _age(moment: datetime) -> float:
    if moment.tzinfo is None:  # SQLite hands back naive datetimes: they were stored in UTC
        moment = moment.replace(tzinfo=UTC)
    return (datetime.now(UTC) - moment).total_seconds()


def _retried(gradebook: Gradebook, write):
    for attempt in range(RETRIES):
        try:
            with gradebook.session() as session, session.begin():
                return write(session)
        except SQLAlchemyError:
            if attempt == RETRIES - 1:
                raise
            time.sleep(0.02 * (attempt + 1))
    return None


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive datetimes: they were stored in UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()
