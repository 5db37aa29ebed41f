"""`grade check`: every reference scores 100%, every starter less, every wrong variant is caught."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

from .grading import grade_units, suite_of
from .models import Exercise, ExerciseResult, TestStatus
from .sandbox import Sandbox
from .scoring import DID_NOT_RUN
from .staging import Limits, Unit

SLOW_SECONDS = 2.0


@dataclass
class CheckRow:
    exercise: str
    variant: str  # "reference", "starter", "alternative/<name>" or "wrong/<name>"
    ok: bool
    score: float = 0
    max_score: float = 0
    status: str = ""
    problem: str = ""
    caught_by: list[str] = field(default_factory=list)
    duration: float = 0.0


@dataclass
class CheckReport:
    rows: list[CheckRow]
    sandbox: str
    duration: float
    slow: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "sandbox": self.sandbox,
            "duration": self.duration,
            "slow": self.slow,
            "rows": [asdict(row) for row in self.rows],
        }


def layout_problems(exercise: Exercise) -> list[str]:
    """Files the contract requires, checked before anything runs."""
    problems = []
    files = set(exercise.meta.files)
    starter = (
        {
            p.relative_to(exercise.starter_dir).as_posix()
            for p in exercise.starter_dir.rglob("*")
            if p.is_file()
        }
        if exercise.starter_dir.is_dir()
        else set()
    )
    if starter != files:
        problems.append(f"starter/ holds {sorted(starter)}, exercise.toml lists {sorted(files)}")
    missing = [f for f in files if not (exercise.solution_root / f).is_file()]
    if missing:
        problems.append(f"reference solution lacks {missing}")
    if not exercise.prompt_path.is_file():
        problems.append("README.md (the prompt) is missing")
    if exercise.meta.kind == "code" and not exercise.wrong_dirs:
        problems.append("no known-wrong variant under solutions/.../wrong/")
    for alternative in exercise.alternative_dirs:
        missing = [f for f in files if not (alternative / f).is_file()]
        if missing:
            problems.append(f"alternatives/{alternative.name} lacks {missing} (give every file)")
    for wrong in exercise.wrong_dirs:
        extra = {p.relative_to(wrong).as_posix() for p in wrong.rglob("*") if p.is_file()} - files
        if extra:
            problems.append(f"wrong/{wrong.name} has files not in exercise.toml: {sorted(extra)}")
    try:
        specs, _ = suite_of(exercise)
    except Exception as exc:  # CatalogError with the test's location
        problems.append(str(exc))
        specs = []
    task_ids = {task.id for task in exercise.meta.tasks}
    for spec in specs:
        if spec.task not in task_ids:
            problems.append(f"{spec.id} is marked task {spec.task}, which exercise.toml lacks")
    untested = task_ids - {spec.task for spec in specs}
    if specs and untested:
        problems.append(f"no hidden test covers task(s) {sorted(untested)}")
    if exercise.prompt_path.is_file():
        prompt = exercise.prompt_path.read_text(encoding="utf-8")
        missing = [t.id for t in exercise.meta.tasks if f"## Task {t.id}" not in prompt]
        if missing:
            problems.append(f"README.md has no '## Task n' heading for task(s) {missing}")
    return problems


def check(exercises: list[Exercise], sandbox: Sandbox, limits: Limits | None = None) -> CheckReport:
    started = time.monotonic()
    rows: list[CheckRow] = []
    units: list[Unit] = []
    for exercise in exercises:
        problems = layout_problems(exercise)
        if problems:
            rows += [CheckRow(exercise.id, "layout", False, problem=p) for p in problems]
            continue
        # The variants live below the reference: leave them out of its copy.
        skip = ("wrong", "alternatives")
        units.append(
            Unit(f"{exercise.id}@reference", exercise, [exercise.solution_root], skip=skip)
        )
        for alternative in exercise.alternative_dirs:  # complete solutions of another design
            key = f"{exercise.id}@alternative/{alternative.name}"
            units.append(Unit(key, exercise, [alternative]))
        # A starter or a wrong variant only has to fail one test: stop at the first failure.
        units.append(Unit(f"{exercise.id}@starter", exercise, [exercise.starter_dir], True))
        for wrong in exercise.wrong_dirs:
            sources = [exercise.solution_root, wrong]
            key = f"{exercise.id}@wrong/{wrong.name}"
            units.append(Unit(key, exercise, sources, True, skip=skip))
    # Longest first: references run every test, the others stop at their first failure.
    units.sort(key=lambda u: u.stop_at_first_failure)
    results = grade_units(units, sandbox, limits)
    slow = []
    for unit in units:
        result = results[unit.key]
        variant = unit.key.split("@", 1)[1]
        rows.append(_judge(unit.exercise.id, variant, result))
        if variant == "reference" and result.duration > SLOW_SECONDS:
            slow.append(f"{unit.exercise.id} ({result.duration:.2f} s)")
    return CheckReport(rows, sandbox.name, round(time.monotonic() - started, 3), slow)


def _judge(exercise_id: str, variant: str, result: ExerciseResult) -> CheckRow:
    row = CheckRow(
        exercise_id,
        variant,
        ok=False,
        score=result.score,
        max_score=result.max_score,
        status=result.status.value,
        duration=result.duration,
    )
    failing = [
        t.name
        for t in result.tests
        if t.status is not TestStatus.passed and t.message != DID_NOT_RUN
    ]
    if variant == "reference" or variant.startswith("alternative/"):
        row.ok = result.passed
        if not row.ok:
            first = next((t for t in result.tests if t.status is not TestStatus.passed), None)
            detail = f"{first.name}: {first.message}" if first else result.message
            what = "reference" if variant == "reference" else f"correct {variant}"
            row.problem = f"{what} scores {result.score:g}/{result.max_score:g}: {detail}"
    else:
        row.ok = result.score < result.max_score
        row.caught_by = failing
        if not row.ok:
            row.problem = f"{variant} scores full marks: no hidden test catches it"
    return row
