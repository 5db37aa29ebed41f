"""The teacher's gradebook: students, submissions, runs and results, in any SQLAlchemy database.

SQLite by default (`gradebook.db`), PostgreSQL or anything SQLAlchemy speaks by URL. Every
run records what produced it (grader version, image digest, hidden-suite hash), so a rerun can
skip submissions whose inputs are unchanged. Manual overrides live apart from runs and win over
any regrade; every change to one (set, changed, removed) is kept in its history, with who and
when. A run flagged for review keeps its reasons; an override counts as the review.

The gradebook also knows which exercises it grades (each batch registers its selection, with
the points each is worth) and each student's last state (graded, or why their submission could
not be graded), so that every export has a row for every student and a column for every
exercise, whether or not the student handed it in. New tables only: a gradebook made before
them gains them by `create_all` alone.

Several batches may write to one gradebook at once: the schema is created under a lock (or
retried when another process won the race), and students and submissions are got-or-created
with a retry on the unique constraint. Text from learner code is cleaned and fitted to its
column before it is stored.
"""

from __future__ import annotations

import difflib
import getpass
import os
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
    func,
    inspect,
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
from .standing import ClassView, ExerciseColumn, Standing, StudentState, standing
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


class OverrideEvent(Base):
    """One change to a manual grade: set or changed (a score), or removed (no score)."""

    __tablename__ = "override_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    exercise_id: Mapped[str] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    def to_dict(self) -> dict:
        return {
            "exercise": self.exercise_id,
            "action": "removed" if self.score is None else "set",
            "score": self.score,
            "reason": self.reason,
            "by": self.by,
            "at": self.at.isoformat() if self.at else None,
        }


class GradedExercise(Base):
    """An exercise this gradebook grades, and the points it is worth: each batch registers its
    selection, so a student who did not hand an exercise in still owes its points."""

    __tablename__ = "gradebook_exercises"

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    max_score: Mapped[float] = mapped_column(Float)


class StateRow(Base):
    """A student's last batch state: graded, or why their submission could not be graded."""

    __tablename__ = "student_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), unique=True)
    state: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


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
    def __init__(self, url: str, *, create: bool = True) -> None:
        """Open (and, with `create`, make) the gradebook. Without `create`, a gradebook that
        does not exist is an error: reading commands never leave an empty one behind."""
        if not create:
            _must_exist(url)
        try:
            self.engine: Engine = create_engine(url, **_engine_options(url))
            if not create and not inspect(self.engine).has_table("runs"):
                raise GraderError(
                    "no-gradebook",
                    f"no gradebook at {url}",
                    "Run `grade batch SUBMISSIONS` first, or pass --db.",
                )
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
                    state = session.scalar(select(StateRow).where(StateRow.student_id == person.id))
                    if state is None:
                        session.add(StateRow(student_id=person.id, state="graded", message=""))
                    else:
                        state.state, state.message, state.updated_at = "graded", "", _now()
                return
            except (IntegrityError, OperationalError):
                if attempt == RETRIES - 1:
                    raise
                time.sleep(0.02 * (attempt + 1))

    def register(self, columns: list[ExerciseColumn]) -> None:
        """Record the exercises a batch grades (their titles and points, newest wins). Another
        batch may register the same exercise at the same moment: the retry finds its row."""
        for attempt in range(RETRIES):
            try:
                with self.session() as session, session.begin():
                    known = {
                        row.exercise_id: row for row in session.scalars(select(GradedExercise))
                    }
                    for column in columns:
                        row = known.get(column.id)
                        if row is None:
                            row = GradedExercise(exercise_id=column.id)
                            session.add(row)
                        row.title, row.max_score = _fit(column.title, 200), column.max_score
                return
            except (IntegrityError, OperationalError):
                if attempt == RETRIES - 1:
                    raise
                time.sleep(0.02 * (attempt + 1))

    def set_state(self, student: str, state: str, message: str = "") -> None:
        """A student's last batch state; the student is added when new, so that a broken
        submission still gets its row in every export."""
        name = _name(student)
        for attempt in range(RETRIES):
            try:
                with self.session() as session, session.begin():
                    person = _get_or_add(session, Student, name=name)
                    row = session.scalar(select(StateRow).where(StateRow.student_id == person.id))
                    if row is None:
                        row = StateRow(student_id=person.id)
                        session.add(row)
                    row.state, row.message, row.updated_at = state[:20], clean(message), _now()
                return
            except (IntegrityError, OperationalError):
                if attempt == RETRIES - 1:
                    raise
                time.sleep(0.02 * (attempt + 1))

    def override(
        self, student: str, exercise_id: str, score: float, reason: str = "", by: str = ""
    ) -> tuple[float, str]:
        """Set a manual grade of 0..the exercise's points. Rerun without a reason, the
        previous reason stays. Returns (score, reason) as kept."""
        column = self._column(exercise_id)
        if not 0 <= score <= column.max_score:
            raise GraderError(
                "bad-score",
                f"{score:g} points is outside 0..{column.max_score:g} for {exercise_id}",
                f"Give a score between 0 and {column.max_score:g}.",
            )
        with self.session() as session, session.begin():
            person = self._student(session, student)
            row = session.scalar(
                select(Override).where(
                    Override.student_id == person.id, Override.exercise_id == exercise_id
                )
            )
            reason = clean(reason) or (row.reason if row else "")
            if row is None:
                session.add(
                    Override(
                        student_id=person.id, exercise_id=exercise_id, score=score, reason=reason
                    )
                )
            else:
                row.score, row.reason, row.created_at = score, reason, _now()
            session.add(
                OverrideEvent(
                    student_id=person.id,
                    exercise_id=exercise_id,
                    score=score,
                    reason=reason,
                    by=_fit(by or _who(), 100),
                )
            )
        return score, reason

    def remove_override(
        self, student: str, exercise_id: str, reason: str = "", by: str = ""
    ) -> None:
        """Drop a manual grade: the latest run's score counts again. The history keeps it."""
        with self.session() as session, session.begin():
            person = self._student(session, student)
            row = session.scalar(
                select(Override).where(
                    Override.student_id == person.id, Override.exercise_id == exercise_id
                )
            )
            if row is None:
                raise GraderError(
                    "no-override",
                    f"{clean_line(student)} has no manual grade on {exercise_id}",
                    "See them with `grade override STUDENT EXERCISE --history`.",
                )
            session.delete(row)
            session.add(
                OverrideEvent(
                    student_id=person.id,
                    exercise_id=exercise_id,
                    score=None,
                    reason=clean(reason),
                    by=_fit(by or _who(), 100),
                )
            )

    def override_history(self, student: str, exercise_id: str | None = None) -> list[dict]:
        """Every change to this student's manual grades, oldest first."""
        with self.session() as session:
            person = self._student(session, student)
            query = select(OverrideEvent).where(OverrideEvent.student_id == person.id)
            if exercise_id:
                query = query.where(OverrideEvent.exercise_id == exercise_id)
            return [e.to_dict() for e in session.scalars(query.order_by(OverrideEvent.id))]

    def _student(self, session: Session, student: str) -> Student:
        person = session.scalar(select(Student).where(Student.name == _name(student)))
        if person is None:
            names = list(session.scalars(select(Student.name)))
            raise GraderError(
                "unknown-student",
                f"no student named {clean_line(student)!r} in the gradebook",
                _did_you_mean(student, names, "Check the names with `grade export csv -o -`."),
            )
        return person

    def _column(self, exercise_id: str) -> ExerciseColumn:
        columns = {c.id: c for c in self.exercises()}
        if exercise_id not in columns:
            raise GraderError(
                "exercise-not-graded",
                f"{exercise_id} is not graded in this gradebook",
                _did_you_mean(
                    exercise_id,
                    list(columns),
                    f"It grades {', '.join(columns) or 'nothing yet'}.",
                ),
            )
        return columns[exercise_id]

    # ---------------------------------------------------------------- reading

    def students(self) -> list[str]:
        with self.session() as session:
            return list(session.scalars(select(Student.name).order_by(Student.name)))

    def exercises(self) -> list[ExerciseColumn]:
        """The exercises this gradebook grades, in curriculum order: those batches registered,
        and (for gradebooks older than the register) any that has a result, with its newest
        result's title and points. Two grouped queries, not a scan of every result."""
        with self.engine.connect() as connection:
            found = {
                ex: ExerciseColumn(ex, title, maximum)
                for ex, title, maximum in connection.execute(
                    select(
                        GradedExercise.exercise_id, GradedExercise.title, GradedExercise.max_score
                    )
                )
            }
            newest = (
                select(func.max(ExerciseRow.id)).group_by(ExerciseRow.exercise_id).scalar_subquery()
            )
            for ex, title, maximum in connection.execute(
                select(ExerciseRow.exercise_id, ExerciseRow.title, ExerciseRow.max_score).where(
                    ExerciseRow.id.in_(newest)
                )
            ):
                found.setdefault(ex, ExerciseColumn(ex, title, maximum))
        return sorted(found.values(), key=lambda c: c.sort_key)

    def states(self) -> dict[str, StudentState]:
        """student → their last batch state (students graded before states were kept: graded)."""
        with self.session() as session:
            rows = session.execute(
                select(Student.name, StateRow.state, StateRow.message).join(
                    StateRow, StateRow.student_id == Student.id, isouter=True
                )
            )
            return {
                name: StudentState(state or "graded", message or "")
                for name, state, message in rows
            }

    def grades(
        self,
        student: str | None = None,
        *,
        exercise_id: str | None = None,
        with_tests: bool = True,
    ) -> dict[str, dict[str, Grade]]:
        """student → exercise → the latest graded result, with overrides applied (one student's
        only, when named; one exercise's only, when named). `with_tests=False` leaves out each
        hidden test's result, which pages that show none do not need.

        Read as plain rows, never as ORM objects: the course server's overview of 200 students
        x 138 exercises reads 27,600 results on every view, and this is its one definition of
        a student's grade as much as every export's."""
        name = _name(student) if student else None

        def scoped(query):  # the student and exercise asked for, joining only when needed
            if name is not None:
                query = (
                    query.join(Run, Run.id == ExerciseRow.run_id)
                    .join(Submission, Submission.id == Run.submission_id)
                    .join(Student, Student.id == Submission.student_id)
                    .where(Student.name == name)
                )
            if exercise_id:
                query = query.where(ExerciseRow.exercise_id == exercise_id)
            return query

        table: dict[str, dict[str, Grade]] = {}
        latest: dict[int, Grade] = {}  # exercise result id → the grade it is
        with self.engine.connect() as connection:
            everyone = select(Student.name)
            if name is not None:
                everyone = everyone.where(Student.name == name)
            for found in connection.scalars(everyone):
                table[found] = {}
            query = (
                select(
                    Student.name, ExerciseRow.id, ExerciseRow.exercise_id, ExerciseRow.title,
                    ExerciseRow.score, ExerciseRow.max_score, ExerciseRow.status,
                    ExerciseRow.duration, Run.started_at,
                )
                .join(Submission, Submission.student_id == Student.id)
                .join(Run, Run.submission_id == Submission.id)
                .join(ExerciseRow, ExerciseRow.run_id == Run.id)
                .order_by(Run.started_at, Run.id)
            )  # fmt: skip
            if name is not None:
                query = query.where(Student.name == name)
            if exercise_id:
                query = query.where(ExerciseRow.exercise_id == exercise_id)
            chosen: dict[tuple[str, str], int] = {}
            for (
                who,
                row_id,
                ex,
                title,
                score,
                maximum,
                status,
                duration,
                started,
            ) in connection.execute(query):
                latest.pop(chosen.get((who, ex), -1), None)  # a newer run replaces it
                chosen[(who, ex)] = row_id
                grade = Grade(ex, title, score, maximum, status, [], started,
                              execution_time=duration)  # fmt: skip
                latest[row_id] = grade
                table.setdefault(who, {})[ex] = grade
            reviews = scoped(
                select(ReviewRow.exercise_result_id, ReviewRow.reason)
                .join(ExerciseRow, ExerciseRow.id == ReviewRow.exercise_result_id)
                .order_by(ReviewRow.id)
            )
            for row_id, reason in connection.execute(reviews):
                if row_id in latest:
                    latest[row_id].review.append(reason)
            if with_tests:
                keys = ("name", "task", "status", "points", "earned", "message", "hint")
                tests = scoped(
                    select(TestRow.exercise_result_id, *(getattr(TestRow, k) for k in keys))
                    .join(ExerciseRow, ExerciseRow.id == TestRow.exercise_result_id)
                    .order_by(TestRow.id)
                )
                for row_id, *values in connection.execute(tests):
                    if row_id in latest:
                        latest[row_id].tests.append(dict(zip(keys, values, strict=True)))
            overrides = select(
                Student.name, Override.exercise_id, Override.score, Override.reason
            ).join(Override, Override.student_id == Student.id)
            if name is not None:
                overrides = overrides.where(Student.name == name)
            if exercise_id:
                overrides = overrides.where(Override.exercise_id == exercise_id)
            for who, ex, score, reason in connection.execute(overrides):
                grade = table[who].get(ex)
                if grade is None:
                    grade = Grade(ex, ex, 0, 0, "override", [], None)
                    table[who][ex] = grade
                grade.score, grade.overridden, grade.reason = score, True, reason
        return table

    def view(self, columns: list[ExerciseColumn] | None = None) -> ClassView:
        """The whole class on these columns (default: every exercise the gradebook grades)."""
        return ClassView(columns or self.exercises(), self.grades(), self.states())

    def standing(self, student: str, columns: list[ExerciseColumn]) -> Standing:
        """One student's total on these columns, by the one definition (grader.standing)."""
        grades = self.grades(student).get(_name(student), {})
        state = self.states().get(_name(student))
        return standing(_name(student), grades, columns, state)

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


def _who() -> str:
    """Who sets a manual grade: GRADE_TEACHER, else the login name."""
    try:
        return os.environ.get("GRADE_TEACHER") or getpass.getuser()
    except (KeyError, OSError):
        return ""


def _did_you_mean(wrong: str, names: list[str], otherwise: str) -> str:
    near = difflib.get_close_matches(clean_line(wrong), names, n=3, cutoff=0.6)
    folded = [n for n in names if n.casefold() == clean_line(wrong).casefold()]
    near = list(dict.fromkeys(folded + near))[:3]
    if near:
        return "Did you mean " + " or ".join(repr(clean_line(n)) for n in near) + "?"
    return otherwise


def _must_exist(url: str) -> None:
    """A SQLite file that is not there is no gradebook (SQLite would create an empty one)."""
    if not url.startswith("sqlite"):
        return
    path = url.split("///", 1)[1] if "///" in url else ""
    path = path.split("?", 1)[0]
    if path in ("", ":memory:") or os.path.exists(path):
        return
    raise GraderError(
        "no-gradebook",
        f"no gradebook at {path}",
        "Run `grade batch SUBMISSIONS` first, or pass --db (or set GRADE_DB).",
    )


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
