"""`grade check`: every reference scores 100%, every starter less, every wrong variant is caught,
and (with `repeat`) every unit scores the same each time, under load if asked."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field

from . import mutation, variants
from .grading import grade_units, suite_of
from .models import Exercise, ExerciseResult, TestStatus
from .sandbox import Sandbox
from .scoring import DID_NOT_RUN
from .staging import Limits, Unit
from .stress import cpu_stress

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
    flagged: list[str] = field(default_factory=list)  # the result's "needs review" reasons


@dataclass
class CheckReport:
    rows: list[CheckRow]
    sandbox: str
    duration: float
    slow: list[str] = field(default_factory=list)
    repeat: int = 1
    stress: bool = False

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    @property
    def flagged(self) -> int:
        """Rows the forgery checks or the static scan flagged: each a false alarm on honest
        code, since every unit `grade check` runs is a solution, a starter or a known mistake."""
        return sum(1 for row in self.rows if row.flagged)

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "flagged": self.flagged,
            "sandbox": self.sandbox,
            "duration": self.duration,
            "repeat": self.repeat,
            "stress": self.stress,
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
    if exercise.meta.kind == "code" and not exercise.wrong_patches:
        problems.append("no known-wrong variant (solutions/.../wrong/<name>.patch)")
    stray = [p.name for p in _stray_variant_entries(exercise)]
    if stray:
        problems.append(f"wrong/ holds {stray}: variants are <name>.patch files only")
    for alternative in exercise.alternative_dirs:
        missing = [f for f in files if not (alternative / f).is_file()]
        if missing:
            problems.append(f"alternatives/{alternative.name} lacks {missing} (give every file)")
    if exercise.prompt_path.is_file():
        prompt = exercise.prompt_path.read_text(encoding="utf-8")
        problems += variants.problems(exercise.solution_root, prompt, sorted(files))
        problems += mutation.problems(exercise.tests_dir, prompt, exercise.starter_dir)
    problems += suite_kit_problems(exercise)
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


# What a hidden suite takes from the kit (grader.pytest_plugin, grader.testing), never builds
# itself: pattern, what it is, what to use instead. Reading or updating an app's overrides stays
# allowed (exercises about overrides do); setting one by key is the kit's job.
KIT_ONLY = [
    (
        re.compile(r"poolclass\s*=\s*StaticPool"),
        "StaticPool",
        "build the database with the `db_engine` fixture",
    ),
    (
        re.compile(r"dependency_overrides\s*\[|setitem\([^)]*dependency_overrides"),
        "dependency_overrides",
        "override dependencies with the `overrides` or `db_client` fixture",
    ),
    (
        re.compile(r"before_cursor_execute"),
        "before_cursor_execute",
        "count statements with the `sql_counter` fixture",
    ),
]


def suite_kit_problems(exercise: Exercise) -> list[str]:
    """A hidden suite that builds its own engine, dependency overrides or statement counter."""
    found = []
    for path in sorted(exercise.tests_dir.glob("*.py")) if exercise.tests_dir.is_dir() else []:
        text = path.read_text(encoding="utf-8", errors="replace")
        for pattern, what, instead in KIT_ONLY:
            if pattern.search(text):
                found.append(f"tests/{path.name} uses {what} itself: {instead}")
    return found


def _stray_variant_entries(exercise: Exercise) -> list:
    folder = exercise.solution_root / "wrong"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix != ".patch" or not p.is_file())


def check(
    exercises: list[Exercise],
    sandbox: Sandbox,
    limits: Limits | None = None,
    repeat: int = 1,
    stress: bool = False,
) -> CheckReport:
    started = time.monotonic()
    rows: list[CheckRow] = []
    checked = []
    for exercise in exercises:
        problems = layout_problems(exercise)
        if problems:
            rows += [CheckRow(exercise.id, "layout", False, problem=p) for p in problems]
        else:
            checked.append(exercise)
    with _materialised(checked) as variant_dirs:
        units = _units(checked, variant_dirs)
        with cpu_stress(enabled=stress):
            runs = [grade_units(units, sandbox, limits) for _ in range(max(1, repeat))]
    slow = []
    for unit in units:
        result = runs[0][unit.key]
        variant = unit.key.split("@", 1)[1]
        row = _judge(unit.exercise.id, variant, result)
        scores = [run[unit.key].score for run in runs]
        if len(set(scores)) > 1 and row.ok:
            row.ok = False
            row.problem = (
                f"{variant} scored {', '.join(f'{s:g}' for s in scores)} in {len(runs)} runs: "
                "the suite depends on timing or load (wait on events, not on time)"
            )
        for run in runs[1:]:  # a later run may break the rule the first one kept
            again = _judge(unit.exercise.id, variant, run[unit.key])
            if row.ok and not again.ok:
                row.ok, row.problem = False, f"in a repeated run: {again.problem}"
        rows.append(row)
        if variant == "reference" and result.duration > SLOW_SECONDS:
            slow.append(f"{unit.exercise.id} ({result.duration:.2f} s)")
    return CheckReport(
        rows, sandbox.name, round(time.monotonic() - started, 3), slow, max(1, repeat), stress
    )


@contextmanager
def _materialised(exercises: list[Exercise]) -> Iterator[dict]:
    """Every exercise's wrong variants applied to copies of its reference, for the block."""
    with ExitStack() as stack:
        folders: dict = {}
        for exercise in exercises:
            ref = exercise.solution_root
            folders.update(stack.enter_context(variants.materialised(exercise.wrong_patches, ref)))
        yield folders


def _units(exercises: list[Exercise], variant_dirs: dict) -> list[Unit]:
    units: list[Unit] = []
    for exercise in exercises:
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
        for patch in exercise.wrong_patches:
            key = f"{exercise.id}@wrong/{patch.stem}"
            units.append(Unit(key, exercise, [variant_dirs[patch]], True))
    # Longest first: references run every test, the others stop at their first failure.
    units.sort(key=lambda u: u.stop_at_first_failure)
    return units


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
    if result.review:  # honest code marked "needs review": the checks would cry wolf
        row.flagged = list(result.review)
        if row.ok:
            row.ok = False
            row.problem = f"{variant} is flagged for review: {'; '.join(result.review[:2])}"
    return row
