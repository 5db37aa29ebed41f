"""A class summary from the gradebook: how the class did overall and per exercise, and which
hidden tests failed most, with the hint each shows (the first thing to go over in class).

Pure: it reads a `ClassView`, so its totals are the same standings every export shows (a
missing exercise counts 0 of its points).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field

from .standing import GRADED, ClassView
from .text import clean_line, first_line


@dataclass
class ExerciseSummary:
    id: str
    title: str
    max_score: float
    handed_in: int  # students with a run or a manual grade
    missing: int
    mean: float  # over the whole class, a missing exercise counting 0
    median: float
    pass_rate: float  # share of the class with full points, 0..1


@dataclass
class FailedTest:
    exercise_id: str
    test: str
    failed: int  # students whose latest run failed it
    ran: int  # students whose latest run has it
    hint: str
    message: str  # the most common first line of its failure


@dataclass
class ClassReport:
    students: int
    not_graded: list[str]  # students whose last submission could not be graded
    max_score: float
    mean: float
    median: float
    mean_percent: float
    exercises: list[ExerciseSummary] = field(default_factory=list)
    most_failed: list[FailedTest] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _stats(values: list[float]) -> tuple[float, float]:
    if not values:
        return 0.0, 0.0
    return round(statistics.fmean(values), 2), round(statistics.median(values), 2)


def class_report(view: ClassView, top: int = 10) -> ClassReport:
    standings = view.standings()
    totals = [s.total for s in standings]
    mean, median = _stats(totals)
    maximum = standings[0].max_score if standings else sum(c.max_score for c in view.columns)
    report = ClassReport(
        students=len(standings),
        not_graded=[clean_line(s.student) for s in standings if s.state.state != GRADED],
        max_score=maximum,
        mean=mean,
        median=median,
        mean_percent=round(100 * mean / maximum, 1) if maximum else 0.0,
    )
    failed: Counter[tuple[str, str]] = Counter()
    ran: Counter[tuple[str, str]] = Counter()
    hints: dict[tuple[str, str], str] = {}
    messages: dict[tuple[str, str], Counter[str]] = {}
    for index, column in enumerate(view.columns):
        cells = [s.cells[index] for s in standings]
        scores = [c.score for c in cells]
        col_mean, col_median = _stats(scores)
        full = sum(1 for c in cells if not c.missing and c.score >= column.max_score > 0)
        report.exercises.append(
            ExerciseSummary(
                id=column.id,
                title=column.title,
                max_score=column.max_score,
                handed_in=sum(1 for c in cells if not c.missing),
                missing=sum(1 for c in cells if c.missing),
                mean=col_mean,
                median=col_median,
                pass_rate=round(full / len(cells), 3) if cells else 0.0,
            )
        )
        for cell in cells:
            if cell.grade is None or cell.grade.overridden:
                continue
            for test in cell.grade.tests:
                key = (column.id, clean_line(test["name"]))
                ran[key] += 1
                if test["status"] != "passed":
                    failed[key] += 1
                    if test.get("hint"):
                        hints.setdefault(key, test["hint"])
                    line = first_line(test.get("message") or test["status"], 120)
                    messages.setdefault(key, Counter())[line] += 1
    ranked = sorted(failed.items(), key=lambda item: (-item[1], item[0]))[:top]
    report.most_failed = [
        FailedTest(
            exercise_id=key[0],
            test=key[1],
            failed=count,
            ran=ran[key],
            hint=hints.get(key, ""),
            message=messages[key].most_common(1)[0][0] if key in messages else "",
        )
        for key, count in ranked
    ]
    return report
