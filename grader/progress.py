"""A learner's progress, kept in SQLite inside the workspace: every attempt, best score, and
when each exercise first passed.

The standard library's sqlite3 is enough for one small table and keeps `grade` quick to start
(SQLAlchemy serves the teacher's gradebook, where any database must do).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .models import ExerciseResult

SCHEMA = """
create table if not exists attempts (
    id integer primary key,
    exercise_id text not null,
    at text not null,
    score real not null,
    max_score real not null,
    passed integer not null
);
create index if not exists ix_attempts_exercise on attempts (exercise_id);
"""


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

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path)
        conn.executescript(SCHEMA)
        return conn

    def record(self, results: list[ExerciseResult]) -> None:
        now = datetime.now(UTC).isoformat()
        with closing(self._connect()) as conn, conn:
            conn.executemany(
                "insert into attempts (exercise_id, at, score, max_score, passed) "
                "values (?, ?, ?, ?, ?)",
                [(r.id, now, r.score, r.max_score, int(r.passed)) for r in results],
            )

    def forget(self, exercise_id: str) -> None:
        with closing(self._connect()) as conn, conn:
            conn.execute("delete from attempts where exercise_id = ?", (exercise_id,))

    def summary(self) -> dict[str, ExerciseProgress]:
        if not self.path.exists():
            return {}
        with closing(self._connect()) as conn:
            rows = conn.execute(
                """
                select exercise_id, count(*), max(score), max(max_score),
                       min(case when passed = 1 then at end),
                       (select a.score from attempts a where a.exercise_id = t.exercise_id
                        order by a.id desc limit 1),
                       (select a.passed from attempts a where a.exercise_id = t.exercise_id
                        order by a.id desc limit 1)
                from attempts t group by exercise_id
                """
            ).fetchall()
        return {
            exercise_id: ExerciseProgress(
                attempts=count,
                best_score=best,
                max_score=maximum,
                last_score=last,
                passed=bool(last_passed),
                first_passed_at=datetime.fromisoformat(first) if first else None,
            )
            for exercise_id, count, best, maximum, first, last, last_passed in rows
        }
