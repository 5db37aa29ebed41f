"""The teacher's gradebook: students, submissions, runs and results, in any SQLAlchemy database.

SQLite by default (`gradebook.db`), PostgreSQL or anything SQLAlchemy speaks by URL. Every
run records what produced it (grader version, image digest, hidden-suite hash), so a rerun can
skip submissions whose inputs are unchanged. Manual overrides live apart from runs and win over
any regrade.
"""

from __future__ import annotations

from dataclasses import dataclass
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
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from .errors import GraderError
from .models import ExerciseResult


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Student(Base):
    __tablename__ = "students"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
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


class Gradebook:
    def __init__(self, url: str) -> None:
        try:
            self.engine: Engine = create_engine(url)
            Base.metadata.create_all(self.engine)
        except (ArgumentError, OperationalError, ImportError) as exc:
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
                    Student.name == student,
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
        """Store one student's run and its results in one transaction."""
        with self.session() as session, session.begin():
            person = self._student(session, student)
            submission = session.scalar(
                select(Submission).where(
                    Submission.student_id == person.id, Submission.content_hash == content_hash
                )
            )
            if submission is None:
                submission = Submission(student=person, content_hash=content_hash, source=source)
                session.add(submission)
            run = Run(
                submission=submission,
                grader_version=version,
                image_digest=image_digest,
                sandbox=sandbox,
                suite_hash=suite_hash,
                duration=round(duration, 3),
            )
            run.results = [
                ExerciseRow(
                    exercise_id=r.id,
                    title=r.title,
                    status=r.status.value,
                    score=r.score,
                    max_score=r.max_score,
                    message=r.message,
                    suite_hash=r.suite_hash,
                    duration=r.duration,
                    tests=[TestRow(**t.model_dump(mode="json")) for t in r.tests],
                )
                for r in results
            ]
            session.add(run)

    def override(self, student: str, exercise_id: str, score: float, reason: str) -> None:
        with self.session() as session, session.begin():
            person = session.scalar(select(Student).where(Student.name == student))
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
                        student_id=person.id, exercise_id=exercise_id, score=score, reason=reason
                    )
                )
            else:
                row.score, row.reason, row.created_at = score, reason, _now()

    @staticmethod
    def _student(session: Session, name: str) -> Student:
        person = session.scalar(select(Student).where(Student.name == name))
        if person is None:
            person = Student(name=name)
            session.add(person)
            session.flush()
        return person

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
