"""Pure scoring: expected tests + reported records → an ExerciseResult. Fails closed."""

from __future__ import annotations

from .contract import BROKEN_KEY, RAISED_KEY, TRACE_KEY, decode_frames
from .expected import base_id
from .models import (
    CodeError,
    CodeFrame,
    ExerciseMeta,
    ExerciseResult,
    RunStatus,
    TestResult,
    TestSpec,
    TestStatus,
)
from .results import UnitOutcome
from .standing import suite_points

DID_NOT_RUN = "did not run"
LEARNER_KEYS = (TRACE_KEY, RAISED_KEY, BROKEN_KEY)
HUNG = "still running when the time ran out: an infinite loop or a blocking call?"
SEVERITY = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}
RUN_TO_TEST = {
    RunStatus.timeout: TestStatus.timeout,
    RunStatus.oom: TestStatus.oom,
    RunStatus.crash: TestStatus.crash,
    RunStatus.output_limit: TestStatus.crash,
    RunStatus.no_results: TestStatus.crash,
}


def merge_records(records: list[dict]) -> dict[str, dict]:
    """One record per test id, the worst outcome winning (a passed call then a failed teardown)."""
    merged: dict[str, dict] = {}
    for record in records:
        test_id = record.get("id")
        outcome = record.get("outcome")
        if not isinstance(test_id, str) or outcome not in SEVERITY:
            continue
        current = merged.get(test_id)
        if current is None or SEVERITY[outcome] > SEVERITY[current["outcome"]]:
            merged[test_id] = {"outcome": outcome, "message": str(record.get("message", ""))}
            merged[test_id].update((k, str(record[k])) for k in LEARNER_KEYS if k in record)
    return merged


def code_error(record: dict | None) -> CodeError | None:
    """The learner's own traceback a failed test's record carries, if any."""
    if not record or not (record.get(RAISED_KEY) or record.get(BROKEN_KEY)):
        return None
    frames = [
        CodeFrame(file=f.file, line=f.line, function=f.function, column=f.column)
        for f in decode_frames(str(record.get(TRACE_KEY, "")))
    ]
    return CodeError(
        raised=str(record.get(RAISED_KEY, "")),
        frames=frames,
        broken=str(record.get(BROKEN_KEY, "")),
    )


def score(
    meta: ExerciseMeta, specs: list[TestSpec], outcome: UnitOutcome, suite_hash: str = ""
) -> ExerciseResult:
    by_id = merge_records(outcome.records)
    tests: list[TestResult] = []
    for spec in specs:
        cases = {k: v for k, v in by_id.items() if base_id(k) == spec.id}
        passed = sum(1 for v in cases.values() if v["outcome"] == "passed")
        passed = min(passed, spec.cases)
        missing = max(0, spec.cases - len(cases))
        worst = max(cases.values(), key=lambda v: SEVERITY[v["outcome"]], default=None)
        if passed == spec.cases:
            status, message = TestStatus.passed, ""
        elif worst is not None and worst["outcome"] != "passed":
            status, message = TestStatus(worst["outcome"]), worst["message"]
            if status is TestStatus.skipped:
                message = message or "skipped"
        elif outcome.hung and base_id(outcome.hung) == spec.id:
            status, message = TestStatus.timeout, HUNG
        elif outcome.hung:
            status = TestStatus.failed
            message = f"{DID_NOT_RUN}: the time ran out in {outcome.hung.split('::')[-1]}"
        else:
            status = RUN_TO_TEST.get(outcome.status, TestStatus.failed)
            message = outcome.message or DID_NOT_RUN
        if spec.cases > 1 and cases and status is not TestStatus.passed:
            message = f"{passed}/{spec.cases} cases passed. {message}".strip()
        if missing and status is TestStatus.failed and not message:
            message = DID_NOT_RUN
        task = meta.task(spec.task)
        tests.append(
            TestResult(
                name=spec.id.split("::", 1)[-1],
                task=spec.task,
                status=status,
                points=spec.points * spec.cases,
                earned=spec.points * passed,
                message=message,
                hint=""
                if status is TestStatus.passed
                else (spec.hint or (task.hint if task else "")),
                error=None if status is TestStatus.passed else code_error(worst),
            )
        )
    return ExerciseResult(
        id=meta.id,
        slug=meta.slug,
        title=meta.title,
        status=outcome.status,
        score=sum(t.earned for t in tests),
        max_score=sum(t.points for t in tests),
        tests=tests,
        message=outcome.message,
        duration=outcome.duration,
        suite_hash=suite_hash,
        review=list(outcome.review),
        code_error=next((t.error for t in tests if t.error and t.error.broken), None),
    )


def not_started(meta: ExerciseMeta, specs: list[TestSpec], next_step: str) -> ExerciseResult:
    return ExerciseResult(
        id=meta.id,
        slug=meta.slug,
        title=meta.title,
        status=RunStatus.not_started,
        score=0,
        max_score=suite_points(specs),
        message=next_step,
    )
