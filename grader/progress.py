"""A learner's progress, kept in SQLite inside the workspace: every attempt, best score, and
when each exercise first passed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import DateTime, Float, Integer, String, create_engine, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from .models import ExerciseResult


class Base(DeclarativeBase):
    pass


class Attempt(Base):
    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[str] = mapped_column(String(20), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    passed: Mapped[int] = mapped_column(Integer)


@dataclass
class ExerciseProgress:
    attempts: int
    best_score: float
    max_score: float
    last_score: float
    passed: bool  # the last attempt passed
    first_passed_at: datetime | None

    def to_dict(self) -> dict:
        return {
            "attempts": self.attempts,
            "best_score": self.best_score,
            "max_score": self.max_score,
            "last_score": self.last_score,
            "passed": self.passed,
            "first_passed_at": self.first_passed_at.isoformat() if self.first_passed_at else None,
        }


class ProgressStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._engine = None

    @property
    def engine(self):
        if self._engine is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._engine = create_engine(f"sqlite:///{self.path}")
            Base.metadata.create_all(self._engine)
        return self._engine

    def record(self, results: list[ExerciseResult]) -> None:
        now = datetime.now(UTC)
        with Session(self.engine) as session, session.begin():
            session.add_all(
                Attempt(
                    exercise_id=r.id,
                    at=now,
                    score=r.score,
                    max_score=r.max_score,
                    passed=int(r.passed),
                )
                for r in results
            )

    def forget(self, exercise_id: str) -> None:
        with Session(self.engine) as session, session.begin():
            for attempt in session.scalars(
                select(Attempt).where(Attempt.exercise_id == exercise_id)
            ):
                session.delete(attempt)

    def summary(self) -> dict[str, ExerciseProgress]:
        if not self.path.exists():
            return {}
        table: dict[str, ExerciseProgress] = {}
        with Session(self.engine) as session:
            stats = session.execute(
                select(
                    Attempt.exercise_id,
                    func.count(),
                    func.max(Attempt.score),
                    func.max(Attempt.max_score),
                    func.min(Attempt.at).filter(Attempt.passed == 1),
                ).group_by(Attempt.exercise_id)
            )
            for exercise_id, count, best, maximum, first_pass in stats:
                last = session.scalars(
                    select(Attempt)
                    .where(Attempt.exercise_id == exercise_id)
                    .order_by(Attempt.at.desc(), Attempt.id.desc())
                    .limit(1)
                ).one()
                table[exercise_id] = ExerciseProgress(
                    attempts=count,
                    best_score=best,
                    max_score=maximum,
                    last_score=last.score,
                    passed=bool(last.passed),
                    first_passed_at=first_pass,
                )
        return table
