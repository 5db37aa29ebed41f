"""Reads the pages need beyond what the gradebook offers every command: a student's runs. (The
class's grades and columns are the gradebook's own `grades()` and `exercises()`, the one
definition every export uses too.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..gradebook import (
    ExerciseRow,
    Gradebook,
    Run,
    Student,
    Submission,
    _name,
)


@dataclass
class RunSummary:
    started_at: datetime
    source: str
    sandbox: str
    duration: float
    scores: list[tuple[str, float, float]]  # exercise, score, max


def runs_of(gradebook: Gradebook, student: str) -> list[RunSummary]:
    """Every run of this student's submissions, newest first."""
    runs: dict[int, RunSummary] = {}
    with gradebook.session() as session:
        rows = session.execute(
            select(
                Run,
                Submission.source,
                ExerciseRow.exercise_id,
                ExerciseRow.score,
                ExerciseRow.max_score,
            )
            .join(Submission, Run.submission_id == Submission.id)
            .join(Student, Submission.student_id == Student.id)
            .join(ExerciseRow, ExerciseRow.run_id == Run.id)
            .where(Student.name == _name(student))
            .order_by(Run.started_at.desc(), Run.id.desc(), ExerciseRow.id)
        )
        for run, source, exercise_id, score, maximum in rows:
            summary = runs.setdefault(
                run.id, RunSummary(run.started_at, source, run.sandbox, run.duration, [])
            )
            summary.scores.append((exercise_id, score, maximum))
    return list(runs.values())
