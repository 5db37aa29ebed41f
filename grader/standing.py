"""A student's standing: the one definition of their total, used by the batch table, `--json`
and every export.

The columns are the exercises graded (a batch's selection, or every exercise the gradebook
grades), each worth the points of its hidden suite. A student's total is the sum over those
columns of the manual grade if there is one, else the latest run's score, else 0 for an
exercise they did not hand in, which is marked `missing` rather than shown as a plain 0. The
maximum is the sum of the columns' points, the same for every student.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .models import Exercise, TestSpec

if TYPE_CHECKING:  # the gradebook pulls in SQLAlchemy
    from .gradebook import Grade

MISSING = "missing"
OVERRIDDEN = "overridden"
GRADED = "graded"


def suite_points(specs: Iterable[TestSpec]) -> float:
    """What an exercise is worth: every hidden test's points times its cases (the one formula)."""
    return float(sum(spec.points * spec.cases for spec in specs))


@dataclass(frozen=True)
class ExerciseColumn:
    id: str
    title: str
    max_score: float

    @property
    def sort_key(self) -> tuple[int, ...]:
        return tuple(int(p) for p in self.id.split(".") if p.isdigit())


def columns_of(exercises: list[Exercise]) -> list[ExerciseColumn]:
    """The columns of a selection of the catalog, each worth its hidden suite's points."""
    from .grading import suite_of

    return [ExerciseColumn(e.id, e.meta.title, suite_points(suite_of(e)[0])) for e in exercises]


@dataclass(frozen=True)
class StudentState:
    """How the student's last batch went: graded, or why it could not grade them."""

    state: str = GRADED  # graded | problem | error
    message: str = ""


@dataclass
class Cell:
    column: ExerciseColumn
    grade: Grade | None

    @property
    def state(self) -> str:
        if self.grade is None:
            return MISSING
        return OVERRIDDEN if self.grade.overridden else GRADED

    @property
    def missing(self) -> bool:
        return self.grade is None

    @property
    def score(self) -> float:
        return self.grade.score if self.grade else 0.0


@dataclass
class Standing:
    student: str
    cells: list[Cell]
    state: StudentState = field(default_factory=StudentState)

    @property
    def total(self) -> float:
        return round(sum(cell.score for cell in self.cells), 4)

    @property
    def max_score(self) -> float:
        return round(sum(cell.column.max_score for cell in self.cells), 4)

    @property
    def percent(self) -> float:
        return round(100 * self.total / self.max_score, 1) if self.max_score else 0.0

    @property
    def missing(self) -> list[str]:
        return [cell.column.id for cell in self.cells if cell.missing]

    def cell(self, exercise_id: str) -> Cell | None:
        return next((c for c in self.cells if c.column.id == exercise_id), None)


def standing(
    student: str,
    grades: dict[str, Grade],
    columns: list[ExerciseColumn],
    state: StudentState | None = None,
) -> Standing:
    return Standing(
        student,
        [Cell(column, grades.get(column.id)) for column in columns],
        state or StudentState(),
    )


@dataclass
class ClassView:
    """Everything an export needs: the columns, every student's grades and state."""

    columns: list[ExerciseColumn]
    table: dict[str, dict[str, Grade]]
    states: dict[str, StudentState] = field(default_factory=dict)

    @property
    def students(self) -> list[str]:
        return sorted(self.table, key=lambda name: (name.casefold(), name))

    def standing(self, student: str) -> Standing:
        return standing(student, self.table[student], self.columns, self.states.get(student))

    def standings(self) -> list[Standing]:
        return [self.standing(student) for student in self.students]

    @classmethod
    def of(
        cls,
        table: dict[str, dict[str, Grade]],
        columns: list[ExerciseColumn] | None = None,
        states: dict[str, StudentState] | None = None,
    ) -> ClassView:
        """A view of `table`; without columns, those its grades hold (for tests and tools)."""
        if columns is None:
            seen: dict[str, ExerciseColumn] = {}
            for grades in table.values():
                for grade in grades.values():
                    seen.setdefault(
                        grade.exercise_id,
                        ExerciseColumn(grade.exercise_id, grade.title, grade.max_score),
                    )
            columns = sorted(seen.values(), key=lambda c: c.sort_key)
        return cls(columns, table, states or {})
