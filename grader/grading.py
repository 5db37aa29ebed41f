"""Grade units in one sandbox run: stage → run → parse → score."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

from . import __version__
from .course import course_of, graded_by_server
from .errors import CatalogError, GraderError, SandboxUnavailable
from .expected import cached_specs, suite_hash
from .models import Exercise, ExerciseResult, GradeReport, TestSpec
from .results import outcomes, sandbox_started
from .sandbox import Sandbox
from .scoring import not_started, score
from .staging import Limits, Unit, fill, reserve
from .text import clean
from .workspace import Workspace


@cache
def _suite(tests_dir: Path, mtime_ns: int) -> tuple[tuple[TestSpec, ...], str]:
    digest = suite_hash(tests_dir)
    return tuple(cached_specs(tests_dir, digest)), digest


def suite_of(exercise: Exercise) -> tuple[list[TestSpec], str]:
    """The hidden suite's expected tests and hash (cached while its files are unchanged)."""
    tests_dir = exercise.tests_dir
    if not tests_dir.is_dir():  # a student pack: the hidden tests stayed with the teacher
        raise _no_hidden_tests(exercise)
    newest = max((p.stat().st_mtime_ns for p in tests_dir.rglob("*")), default=0)
    specs, digest = _suite(tests_dir, newest)
    return list(specs), digest


def _no_hidden_tests(exercise: Exercise) -> GraderError:
    root = exercise.root.parents[2]  # <course>/exercises/<topic>/<exercise>
    if course_of(root).graded_by_server:
        return graded_by_server(root, [exercise.id])
    return CatalogError(
        "no-hidden-tests",
        f"{exercise.id} has no hidden tests ({exercise.tests_dir} is missing)",
        "Put its tests/ folder back, or grade it on the course server with `grade submit`.",
    )


def grade_units(
    units: list[Unit], sandbox: Sandbox, limits: Limits | None = None
) -> dict[str, ExerciseResult]:
    """Run every unit in one sandbox and score each; results are keyed by unit key."""
    if not units:
        return {}
    job = reserve(units, limits or Limits())
    nproc_rlimit = getattr(sandbox, "nproc_rlimit", True)
    suites: dict[str, tuple[list[TestSpec], str]] = {}

    def prepare() -> None:  # while the sandbox starts and its runner imports
        suites.update((u.exercise.id, suite_of(u.exercise)) for u in units)  # may refuse
        fill(job, sandbox.sandbox_uid, nproc_rlimit)

    try:
        raw = sandbox.run(job, prepare)
        results = _score(units, suites, raw, sandbox)
        for unit in units:  # the lines of the learner's tracebacks, from the staged copy
            add_sources(results[unit.key], job.path / "units" / unit.key)
    finally:
        job.cleanup()
    return results


def _score(
    units: list[Unit], suites: dict[str, tuple[list[TestSpec], str]], raw, sandbox: Sandbox
) -> dict[str, ExerciseResult]:
    if not sandbox_started(raw) and not (raw.wall_timed_out or raw.output_exceeded):
        detail = raw.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise SandboxUnavailable(
            "sandbox-failed",
            f"the {sandbox.name} sandbox failed to start (exit {raw.returncode}): {detail[0]}",
            "Check the sandbox setup (see README: Sandboxes); learner code never ran.",
        )
    verdicts = outcomes(
        raw, [u.key for u in units], {u.key: u.exercise.meta.timeout for u in units}
    )
    results: dict[str, ExerciseResult] = {}
    for unit in units:
        specs, digest = suites[unit.exercise.id]
        results[unit.key] = score(unit.exercise.meta, specs, verdicts[unit.key], digest)
    return results


MAX_SOURCE_BYTES = 1 << 20


GENERIC_FUNCTIONS = {"<module>", "<lambda>", "<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>"}
DEFINED = re.compile(r"^\s*(?:async\s+def|def|class)\s+([A-Za-z_]\w*)", re.MULTILINE)


def add_sources(result: ExerciseResult, folder: Path) -> None:
    """Fill each traceback frame's `source` with its line, read from the learner's files as
    they were staged (never from anything their code wrote while it ran). The frames come from
    inside the sandbox, where the learner's code could forge them: a frame that is not a line
    of a file they submitted is dropped, a function name their files do not define becomes
    `?`, so a traceback shows nothing but their own files."""
    files: dict[str, tuple[list[str], set[str]]] = {}
    errors = [t.error for t in result.tests if t.error] + [result.code_error]
    for error in errors:
        if error is None:
            continue
        kept = []
        for frame in error.frames:
            if frame.file not in files:
                text = _read_lines(folder, frame.file)
                files[frame.file] = (text, set(DEFINED.findall("\n".join(text))))
            text, defined = files[frame.file]
            if not 0 < frame.line <= len(text):
                continue
            frame.source = clean(text[frame.line - 1].rstrip())[:200]
            if frame.function not in GENERIC_FUNCTIONS and frame.function not in defined:
                frame.function = "?"
            kept.append(frame)
        error.frames = kept


def _read_lines(folder: Path, name: str) -> list[str]:
    path = folder / name
    try:
        if not path.resolve().is_relative_to(folder.resolve()) or not path.is_file():
            return []
        with path.open("rb") as fh:
            return fh.read(MAX_SOURCE_BYTES).decode("utf-8", "replace").splitlines()
    except OSError:
        return []


def report(sandbox: Sandbox, results: list[ExerciseResult], started: float) -> GradeReport:
    return GradeReport(
        grader_version=__version__,
        sandbox=sandbox.name,
        image_digest=sandbox.image_digest,
        exercises=results,
        duration=round(time.monotonic() - started, 3),
    )


def grade_workspace(
    exercises: list[Exercise], workspace: Workspace, sandbox: Sandbox, limits: Limits | None = None
) -> GradeReport:
    """Grade the learner's folders for these exercises; ones not started score 0."""
    started = time.monotonic()
    units = [
        Unit(key=e.id, exercise=e, sources=[workspace.folder(e)])
        for e in exercises
        if workspace.is_started(e)
    ]
    graded = grade_units(units, sandbox, limits)
    results = in_selection_order(exercises, graded, lambda e: f"Run `grade start {e.id}`.")
    workspace.record_results([graded[k] for k in graded])
    return report(sandbox, results, started)


def in_selection_order(
    exercises: list[Exercise],
    graded: dict[str, ExerciseResult],
    why_missing: Callable[[Exercise], str],
) -> list[ExerciseResult]:
    """One result per selected exercise, in the selection's order: its grade, or 0 points with
    `why_missing(exercise)` for one that was not handed in."""
    results = []
    for exercise in exercises:
        if exercise.id in graded:
            results.append(graded[exercise.id])
        else:
            specs, _ = suite_of(exercise)
            results.append(not_started(exercise.meta, specs, why_missing(exercise)))
    return results
