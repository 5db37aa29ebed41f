"""The teacher's gradebook: students, submissions, runs and results, in any SQLAlchemy database.

SQLite by default (`gradebook.db`), PostgreSQL or anything SQLAlchemy speaks by URL. Every
run records what produced it (grader version, image digest, hidden-suite hash), so a rerun can
skip submissions whose inputs are unchanged. Manual overrides live apart from runs and win over
any regrade. A run flagged for review keeps its reasons; an override counts as the review.

Several batches may write to one gradebook at once: the schema is created under a lock (or
retried when another process won the race), and students and submissions are got-or-created
with a retry on the unique constraint. Text from learner code is cleaned and fitted to its
column before it is stored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from .errors import GraderError
from .models import ExerciseResult
from .text import MAX_NAME, clean, clean_line

RETRIES = 8
SCHEMA_LOCK = 0x67726164  # PostgreSQL advisory lock key for creating the schema ("grad")


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Student(Base):
    __tablename__ = "students"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME), unique=True)
    submissions: Mapped[list[Submission]] = relationship(back_populates="student")


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("student_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    student: Mapped[Student] = relationship(back_populates="submissions")
    runs: Mapped[list[Run]] = relationship(back_populates="submission")


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    grader_version: Mapped[str] = mapped_column(String(40))
    image_digest: Mapped[str | None] = mapped_column(String(100))
    sandbox: Mapped[str] = mapped_column(String(20))
    suite_hash: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    duration: Mapped[float] = mapped_column(Float, default=0.0)
    submission: Mapped[Submission] = relationship(back_populates="runs")
    results: Mapped[list[ExerciseRow]] = relationship(
        back_populates="run", cascade="all, delete-orphan"
    )


class ExerciseRow(Base):
    __tablename__ = "exercise_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    exercise_id: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    message: Mapped[str] = mapped_column(Text, default="")
    suite_hash: Mapped[str] = mapped_column(String(64))
    duration: Mapped[float] = mapped_column(Float, default=0.0)
    run: Mapped[Run] = relationship(back_populates="results")
    tests: Mapped[list[TestRow]] = relationship(
        back_populates="exercise_result",
        cascade="all, delete-orphan",
        order_by="TestRow.id",
        lazy="selectin",
    )
    reviews: Mapped[list[ReviewRow]] = relationship(
        cascade="all, delete-orphan", order_by="ReviewRow.id", lazy="selectin"
    )


class ReviewRow(Base):
    """Why a teacher should read this exercise's submission before trusting its score.

    A table of its own rather than a column, so that gradebooks made before it gain it by
    `create_all` alone."""

    __tablename__ = "exercise_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_result_id: Mapped[int] = mapped_column(ForeignKey("exercise_results.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)


class TestRow(Base):
    """One hidden test's result within one exercise result."""

    __tablename__ = "test_results"
    __test__ = False  # not a pytest test class

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_result_id: Mapped[int] = mapped_column(ForeignKey("exercise_results.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    task: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(20))
    points: Mapped[float] = mapped_column(Float)
    earned: Mapped[float] = mapped_column(Float)
    message: Mapped[str] = mapped_column(Text, default="")
    hint: Mapped[str] = mapped_column(Text, default="")
    exercise_result: Mapped[ExerciseRow] = relationship(back_populates="tests")

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "task": self.task,
            "status": self.status,
            "points": self.points,
            "earned": self.earned,
            "message": self.message,
            "hint": self.hint,
        }


class Override(Base):
    __tablename__ = "overrides"
    __table_args__ = (UniqueConstraint("student_id", "exercise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"))
    exercise_id: Mapped[str] = mapped_column(String(20))
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


@dataclass
class Grade:
    """One cell of the gradebook: a student's standing on one exercise."""

    exercise_id: str
    title: str
    score: float
    max_score: float
    status: str
    tests: list[dict]
    graded_at: datetime | None
    overridden: bool = False
    reason: str = ""
    execution_time: float = 0.0
    review: list[str] = field(default_factory=list)  # why the run needs a teacher's eyes

    @property
    def needs_review(self) -> bool:
        """A flagged run nobody has decided on yet: an override is the teacher's decision."""
        return bool(self.review) and not self.overridden


class Gradebook:
    def __init__(self, url: str) -> None:
        try:
            self.engine: Engine = create_engine(url, **_engine_options(url))
            _create_schema(self.engine)
        except (ArgumentError, DBAPIError, ImportError) as exc:
            raise GraderError(
                "bad-db",
                f"cannot open the gradebook at {url}: {exc}",
                "Pass a SQLAlchemy URL such as sqlite:///gradebook.db.",
            ) from None

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # ---------------------------------------------------------------- writing

    def is_graded(self, student: str, content_hash: str, suite_hash: str, version: str) -> bool:
        """A complete run of this very submission by this grader on these hidden suites exists."""
        with self.session() as session:
            found = session.scalar(
                select(Run.id)
                .join(Submission)
                .join(Student)
                .where(
                    Student.name == _name(student),
                    Submission.content_hash == content_hash,
                    Run.suite_hash == suite_hash,
                    Run.grader_version == version,
                )
                .limit(1)
            )
        return found is not None

    def record(
        self,
        student: str,
        content_hash: str,
        source: str,
        suite_hash: str,
        results: list[ExerciseResult],
        *,
        version: str,
        sandbox: str,
        image_digest: str | None,
        duration: float,
    ) -> None:
        """Store one student's run and its results in one transaction. Another batch may add
        the same student or submission between our look and our insert: the unique constraint
        then fails our transaction, and the retry finds their row."""
        name = _name(student)
        for attempt in range(RETRIES):
            try:
                with self.session() as session, session.begin():
                    person = _get_or_add(session, Student, name=name)
                    submission = _get_or_add(
                        session,
                        Submission,
                        student_id=person.id,
                        content_hash=content_hash,
                        defaults={"source": clean(source)},
                    )
                    run = Run(
                        submission_id=submission.id,
                        grader_version=version,
                        image_digest=image_digest,
                        sandbox=sandbox,
                        suite_hash=suite_hash,
                        duration=round(duration, 3),
                    )
                    run.results = [_exercise_row(r) for r in results]
                    session.add(run)
                return
            except (IntegrityError, OperationalError):
                if attempt == RETRIES - 1:
                    raise
                time.sleep(0.02 * (attempt + 1))

    def override(self, student: str, exercise_id: str, score: float, reason: str) -> None:
        with self.session() as session, session.begin():
            person = session.scalar(select(Student).where(Student.name == _name(student)))
            if person is None:
                raise GraderError(
                    "unknown-student",
                    f"no student named {student!r} in the gradebook",
                    "Check the name with `grade export json`.",
                )
            row = session.scalar(
                select(Override).where(
                    Override.student_id == person.id, Override.exercise_id == exercise_id
                )
            )
            if row is None:
                session.add(
                    Override(
                        student_id=person.id,
                        exercise_id=exercise_id,
                        score=score,
                        reason=clean(reason),
                    )
                )
            else:
                row.score, row.reason, row.created_at = score, clean(reason), _now()

    # ---------------------------------------------------------------- reading

    def students(self) -> list[str]:
        with self.session() as session:
            return list(session.scalars(select(Student.name).order_by(Student.name)))

    def grades(self) -> dict[str, dict[str, Grade]]:
        """student → exercise → the latest graded result, with overrides applied."""
        table: dict[str, dict[str, Grade]] = {}
        with self.session() as session:
            rows = session.execute(
                select(Student.name, ExerciseRow, Run.started_at, Run.id)
                .join(Submission, Submission.student_id == Student.id)
                .join(Run, Run.submission_id == Submission.id)
                .join(ExerciseRow, ExerciseRow.run_id == Run.id)
                .order_by(Run.started_at, Run.id)
            )
            for name, row, started, _ in rows:
                table.setdefault(name, {})[row.exercise_id] = Grade(
                    exercise_id=row.exercise_id,
                    title=row.title,
                    score=row.score,
                    max_score=row.max_score,
                    status=row.status,
                    tests=[test.to_dict() for test in row.tests],
                    graded_at=started,
                    execution_time=row.duration,
                    review=[r.reason for r in row.reviews],
                )
            for name in session.scalars(select(Student.name)):
                table.setdefault(name, {})
            overrides = session.execute(
                select(Student.name, Override).join(Override, Override.student_id == Student.id)
            )
            for name, override in overrides:
                grade = table[name].get(override.exercise_id)
                if grade is None:
                    grade = Grade(
                        override.exercise_id, override.exercise_id, 0, 0, "override", [], None
                    )
                    table[name][override.exercise_id] = grade
                grade.score, grade.overridden, grade.reason = override.score, True, override.reason
        return table

    def review_of(self, student: str) -> list[str]:
        """`exercise: reason` for each exercise whose latest run is flagged and not overridden."""
        latest: dict[str, ExerciseRow] = {}
        with self.session() as session:
            person = session.scalar(select(Student.id).where(Student.name == _name(student)))
            if person is None:
                return []
            rows = session.scalars(
                select(ExerciseRow)
                .join(Run, ExerciseRow.run_id == Run.id)
                .join(Submission, Run.submission_id == Submission.id)
                .where(Submission.student_id == person)
                .order_by(Run.started_at, Run.id)
            )
            for row in rows:
                latest[row.exercise_id] = row
            overridden = set(
                session.scalars(select(Override.exercise_id).where(Override.student_id == person))
            )
            return [
                f"{exercise_id}: {review.reason}"
                for exercise_id, row in sorted(latest.items())
                if exercise_id not in overridden
                for review in row.reviews
            ]


def _get_or_add(session: Session, model: type[Base], defaults: dict | None = None, **key):
    """The row with these unique values, added (and flushed, for its id) if missing."""
    row = session.scalar(select(model).filter_by(**key))
    if row is None:
        row = model(**key, **(defaults or {}))
        session.add(row)
        session.flush()
    return row


def _engine_options(url: str) -> dict:
    """SQLite: wait for another batch's write instead of failing at once."""
    return {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {}


def _create_schema(engine: Engine) -> None:
    """Create missing tables, safely when another process does the same at the same moment:
    PostgreSQL serialises it with an advisory lock; elsewhere, losing the race ("already
    exists", a locked database) means trying again, and the second look finds the tables."""
    for attempt in range(RETRIES):
        try:
            with engine.begin() as connection:
                _lock_schema(connection)
                Base.metadata.create_all(connection)
            return
        except (OperationalError, ProgrammingError, IntegrityError) as exc:
            if attempt == RETRIES - 1 or not _lost_race(exc):
                raise
            time.sleep(0.05 * (attempt + 1))


def _lock_schema(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("select pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})


def _lost_race(exc: Exception) -> bool:
    message = str(exc).lower()
    return any(
        sign in message for sign in ("already exists", "database is locked", "duplicate key")
    )


def _name(student: str) -> str:
    return clean_line(student)[:MAX_NAME]


def _fit(value: str, size: int) -> str:
    value = clean(value)
    return value if len(value) <= size else value[: size - 1] + "…"


def _exercise_row(result: ExerciseResult) -> ExerciseRow:
    """A result as rows, its learner-made text cleaned and fitted to the columns."""
    return ExerciseRow(
        exercise_id=_fit(result.id, 20),
        title=_fit(result.title, 200),
        status=_fit(result.status.value, 20),
        score=result.score,
        max_score=result.max_score,
        message=clean(result.message),
        suite_hash=_fit(result.suite_hash, 64),
        duration=result.duration,
        tests=[
            TestRow(
                name=_fit(t.name, 300),
                task=t.task,
                status=_fit(t.status.value, 20),
                points=t.points,
                earned=t.earned,
                message=clean(t.message),
                hint=clean(t.hint),
            )
            for t in result.tests
        ],
        reviews=[ReviewRow(reason=clean(reason)) for reason in result.review],
    )
