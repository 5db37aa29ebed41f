"""Turn a sandbox's raw output into one verdict per unit, trusting only nonce-framed records.

Records come from inside the learner's process, so they are also checked against pytest's own
tally of the session (sent by the runner): a test pytest counted as failed never counts as
passed, and any disagreement, like the runner's own evidence (forged lines, a rewritten
reporting path) and the static scan, becomes a reason to review the result.
"""

from __future__ import annotations

import json
import re
import signal
from dataclasses import dataclass, field

from . import contract
from .models import RunStatus
from .sandbox.base import RawRun

FRAME_TAG = contract.FRAME_TAG.encode()


@dataclass
class UnitOutcome:
    """What happened to one unit inside the sandbox, before scoring."""

    status: RunStatus
    message: str = ""
    records: list[dict] = field(default_factory=list)
    duration: float = 0.0
    review: list[str] = field(default_factory=list)  # why a teacher should read the submission
    hung: str = ""  # the test that was running when the exercise ran out of time


def running_test(records: list[dict]) -> str:
    """The last test that started and never reported: the one running when the run ended."""
    finished = {r.get("id") for r in records if r.get("outcome") != contract.STARTED}
    started = [r.get("id") for r in records if r.get("outcome") == contract.STARTED]
    return next((str(i) for i in reversed(started) if i not in finished), "")


def sandbox_started(raw: RawRun) -> bool:
    """Whether the runner came up inside the sandbox and greeted us with the nonce."""
    hello = FRAME_TAG + b" " + raw.nonce.encode() + b' {"hello": true'
    return any(line.startswith(hello) for line in raw.stdout.splitlines()[:5])


def read_frames(raw: RawRun, started: bool = False) -> dict[str, contract.UnitFrame]:
    """Each unit's result frame (or, with `started`, the frame saying it started)."""
    prefix = FRAME_TAG + b" " + raw.nonce.encode() + b" "
    frames: dict[str, contract.UnitFrame] = {}
    for line in raw.stdout.splitlines():
        if not line.startswith(prefix):
            continue
        try:
            payload = json.loads(line[len(prefix) :])
        except ValueError:
            continue
        if isinstance(payload, dict) and isinstance(payload.get("unit"), str):
            if bool(payload.get("started")) == started:
                frames.setdefault(payload["unit"], payload)
    return frames


def outcomes(raw: RawRun, keys: list[str], timeouts: dict[str, float]) -> dict[str, UnitOutcome]:
    frames, starts = read_frames(raw), read_frames(raw, started=True)
    return {
        key: _outcome(frames.get(key), raw, timeouts.get(key, 0), starts.get(key)) for key in keys
    }


def _outcome(
    frame: dict | None, raw: RawRun, timeout: float, start: dict | None = None
) -> UnitOutcome:
    if frame is None:
        outcome = _unreported(raw, start is not None)
        outcome.review = _reasons((start or {}).get("review"))
        return outcome
    records = [_clean_record(r) for r in frame.get("records", []) if isinstance(r, dict)]
    review = _reasons(frame.get("review"))
    if frame.get("done"):
        tally = frame.get("tally") if isinstance(frame.get("tally"), dict) else {}
        tampering = frame.get("tampering") if isinstance(frame.get("tampering"), list) else []
        reasons, corrections = check_against_pytest(records, tally, tampering)
        review += reasons
        records += corrections
    outcome = _status(frame, raw, timeout, records)
    outcome.review = review
    return outcome


def _unreported(raw: RawRun, started: bool) -> UnitOutcome:
    """Why a unit has no result frame; `started`: its code was running when the sandbox
    ended, rather than another exercise's."""
    when = "while this exercise ran" if started else "before this exercise started"
    if raw.oom_killed:
        return UnitOutcome(RunStatus.oom, "the sandbox ran out of memory")
    if raw.output_exceeded:
        return UnitOutcome(RunStatus.output_limit, "the code printed too much output")
    if raw.stalled:
        return UnitOutcome(
            RunStatus.timeout, f"the sandbox stopped reporting (was the grader stopped?) {when}"
        )
    if raw.wall_timed_out:
        return UnitOutcome(RunStatus.timeout, f"the sandbox ran out of time {when}")
    return UnitOutcome(RunStatus.no_results, f"the sandbox ended {when}")


def _reasons(value: object) -> list[str]:
    items = value if isinstance(value, list) else []
    return [clean_text(str(r))[:300] for r in items if r][:MAX_REASONS]


def _status(frame: dict, raw: RawRun, timeout: float, records: list[dict]) -> UnitOutcome:
    duration = _number(frame.get("elapsed"))
    messages = " ".join(str(r.get("message", "")) for r in records)
    sig = frame.get("signal")
    if frame.get("setup_error"):
        return UnitOutcome(RunStatus.crash, str(frame["setup_error"]), records, duration)
    if "MemoryError" in messages:  # checked first: a memory bomb often runs out the clock too
        return UnitOutcome(RunStatus.oom, "the code ran out of memory", records, duration)
    if raw.oom_killed and (frame.get("timed_out") or sig == signal.SIGKILL):
        # the sandbox's memory limit was hit: the kernel killed or starved this exercise
        return UnitOutcome(
            RunStatus.oom,
            "the code ran out of memory (the sandbox's limit was hit)",
            records,
            duration,
        )
    if frame.get("timed_out") or sig == signal.SIGXCPU:
        hung = running_test(records)
        where = f", in {hung.split('::')[-1]}" if hung else ""
        return UnitOutcome(
            RunStatus.timeout,
            f"the tests took longer than {timeout:g} s{where}: an infinite loop or a blocking "
            "call?",
            records,
            duration,
            hung=hung,
        )
    if sig is not None:
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        return UnitOutcome(RunStatus.crash, f"the tests crashed ({name})", records, duration)
    collect = next((r for r in records if "collect_error" in r), None)
    if collect is not None:
        return UnitOutcome(
            RunStatus.crash,
            f"the hidden tests could not be loaded: {collect.get('message', '')}".strip(),
            records,
            duration,
        )
    if not frame.get("done"):
        return UnitOutcome(
            RunStatus.crash,
            f"the tests ended early (exit code {frame.get('code')}): does the code call "
            "sys.exit() or os._exit()?",
            records,
            duration,
        )
    return UnitOutcome(RunStatus.ok, "", records, duration)


MAX_REASONS = 12
CORRECTED = "pytest itself recorded this test as failed"


def check_against_pytest(
    records: list[dict], summary: dict, tampering: list
) -> tuple[list[str], list[dict]]:
    """Reasons the records disagree with pytest's own tally (or the runner found its reporting
    path altered), and records that put back the failures pytest counted, so that such a
    disagreement never raises a score."""
    reasons = [f"runtime: {clean_text(str(p))[:240]}" for p in tampering[:6] if p]
    if not summary:
        if not reasons:
            reasons.append("runtime: the runner sent no tally of pytest's own to check against")
        return reasons, []
    failed_ids = {str(i) for i in summary.get("failed_ids") or [] if i}
    passed = [r for r in records if r.get("outcome") == "passed"]
    contradicted = sorted({str(r.get("id")) for r in passed} & failed_ids)
    corrections = [{"id": i, "outcome": "failed", "message": CORRECTED} for i in contradicted]
    if contradicted:
        reasons.append(
            f"runtime: pytest recorded {len(contradicted)} test(s) as failed that the results "
            f"report as passed ({contradicted[0]})"
        )
    failures = sum(1 for r in records if r.get("outcome") in ("failed", "error"))
    failures += sum(1 for r in records if "collect_error" in r)
    counted = int(_number(summary.get("failures")))
    if failures != counted:
        reasons.append(
            f"runtime: the results report {failures} failure(s), pytest counted {counted}"
        )
    elif summary.get("exitstatus") == 1 and not failures:
        reasons.append("runtime: pytest ended with failed tests, the results report none")
    if len(passed) > _number(summary.get("passed")):
        reasons.append(
            f"runtime: the results report {len(passed)} passed test(s), pytest counted "
            f"{int(_number(summary.get('passed')))}"
        )
    return reasons, corrections


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


# Control characters (but tab and newline) and lone surrogates: never stored or printed.
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text from inside the sandbox, safe to store, export and print."""
    return UNPRINTABLE.sub("\ufffd", text)


def _clean_record(record: dict) -> dict:
    return {clean_text(str(k)): clean_text(str(v)) for k, v in record.items()}
