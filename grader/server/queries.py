"""Reads the pages need beyond what the gradebook offers every command: a student's runs, and
the class's grades without loading every hidden test's result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..gradebook import (
    ExerciseRow,
    Grade,
    Gradebook,
    GradedExercise,
    Override,
    ReviewRow,
    Run,
    Student,
    Submission,
    TestRow,
    _name,
)
from ..standing import ExerciseColumn


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


def class_grades(
    gradebook: Gradebook, exercise_id: str | None = None, with_tests: bool = False
) -> dict[str, dict[str, Grade]]:
    """`Gradebook.grades()` for a page: the same latest grades with overrides applied, read as
    plain rows rather than ORM objects, and each hidden test's result only when asked for (and
    then for one exercise), so that the overview of a big class stays fast."""
    table: dict[str, dict[str, Grade]] = {}
    latest: dict[int, Grade] = {}
    only = (
        (lambda q: q.where(ExerciseRow.exercise_id == exercise_id))
        if exercise_id
        else (lambda q: q)
    )
    with gradebook.engine.connect() as session:  # plain rows: no ORM objects for 27,000 cells
        for name in session.scalars(select(Student.name)):
            table[name] = {}
        rows = session.execute(
            only(
                select(
                    Student.name,
                    ExerciseRow.id,
                    ExerciseRow.exercise_id,
                    ExerciseRow.title,
                    ExerciseRow.score,
                    ExerciseRow.max_score,
                    ExerciseRow.status,
                    ExerciseRow.duration,
                    Run.started_at,
                )
                .join(Submission, Submission.student_id == Student.id)
                .join(Run, Run.submission_id == Submission.id)
                .join(ExerciseRow, ExerciseRow.run_id == Run.id)
            ).order_by(Run.started_at, Run.id)
        )
        chosen: dict[tuple[str, str], int] = {}
        grades: dict[int, Grade] = {}
        for name, row_id, ex, title, score, maximum, status, duration, started in rows:
            previous = chosen.get((name, ex))
            if previous is not None:
                grades.pop(previous, None)
            chosen[(name, ex)] = row_id
            grade = Grade(ex, title, score, maximum, status, [], started, execution_time=duration)
            grades[row_id] = grade
            table.setdefault(name, {})[ex] = grade
        latest = grades
        for row_id, reason in session.execute(
            only(
                select(ReviewRow.exercise_result_id, ReviewRow.reason).join(
                    ExerciseRow, ExerciseRow.id == ReviewRow.exercise_result_id
                )
            )
        ):
            if row_id in latest:
                latest[row_id].review.append(reason)
        if with_tests and exercise_id:
            keys = ("name", "task", "status", "points", "earned", "message", "hint")
            tests = session.execute(
                select(TestRow.exercise_result_id, *(getattr(TestRow, k) for k in keys))
                .join(ExerciseRow, ExerciseRow.id == TestRow.exercise_result_id)
                .where(ExerciseRow.exercise_id == exercise_id)
                .order_by(TestRow.id)
            )
            for row_id, *values in tests:
                if row_id in latest:
                    latest[row_id].tests.append(dict(zip(keys, values, strict=True)))
        overrides = session.execute(
            select(Student.name, Override.exercise_id, Override.score, Override.reason).join(
                Override, Override.student_id == Student.id
            )
        )
        for name, ex, score, reason in overrides:
            if exercise_id and ex != exercise_id:
                continue
            grade = table[name].get(ex)
            if grade is None:
                grade = Grade(ex, ex, 0, 0, "override", [], None)
                table[name][ex] = grade
            grade.score, grade.overridden, grade.reason = score, True, reason
    return table


def graded_exercises(gradebook: Gradebook) -> list[ExerciseColumn]:
    """`Gradebook.exercises()` in one grouped query rather than a scan of every result."""
    with gradebook.engine.connect() as connection:
        found = {
            ex: ExerciseColumn(ex, title, maximum)
            for ex, title, maximum in connection.execute(
                select(GradedExercise.exercise_id, GradedExercise.title, GradedExercise.max_score)
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
