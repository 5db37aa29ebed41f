"""Turn a sandbox's raw output into one verdict per unit, trusting only nonce-framed records."""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass, field

from .models import RunStatus
from .sandbox.base import RawRun

FRAME_TAG = b"@@GRADE"


@dataclass
class UnitOutcome:
    """What happened to one unit inside the sandbox, before scoring."""

    status: RunStatus
    message: str = ""
    records: list[dict] = field(default_factory=list)
    duration: float = 0.0


def sandbox_started(raw: RawRun) -> bool:
    """Whether the runner came up inside the sandbox and greeted us with the nonce."""
    hello = FRAME_TAG + b" " + raw.nonce.encode() + b' {"hello": true'
    return any(line.startswith(hello) for line in raw.stdout.splitlines()[:5])


def read_frames(raw: RawRun) -> dict[str, dict]:
    prefix = FRAME_TAG + b" " + raw.nonce.encode() + b" "
    frames: dict[str, dict] = {}
    for line in raw.stdout.splitlines():
        if not line.startswith(prefix):
            continue
        try:
            payload = json.loads(line[len(prefix) :])
        except ValueError:
            continue
        if isinstance(payload, dict) and isinstance(payload.get("unit"), str):
            frames.setdefault(payload["unit"], payload)
    return frames


def outcomes(raw: RawRun, keys: list[str], timeouts: dict[str, float]) -> dict[str, UnitOutcome]:
    frames = read_frames(raw)
    return {key: _outcome(frames.get(key), raw, timeouts.get(key, 0)) for key in keys}


def _outcome(frame: dict | None, raw: RawRun, timeout: float) -> UnitOutcome:
    if frame is None:
        if raw.oom_killed:
            return UnitOutcome(RunStatus.oom, "the sandbox ran out of memory")
        if raw.output_exceeded:
            return UnitOutcome(RunStatus.output_limit, "the code printed too much output")
        if raw.wall_timed_out:
            return UnitOutcome(
                RunStatus.timeout, "the sandbox ran out of time before this exercise"
            )
        return UnitOutcome(
            RunStatus.no_results, "the sandbox ended without reporting this exercise"
        )
    records = [r for r in frame.get("records", []) if isinstance(r, dict)]
    duration = float(frame.get("elapsed") or 0)
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
        return UnitOutcome(
            RunStatus.timeout,
            f"the tests took longer than {timeout:g} s: an infinite loop or a blocking call?",
            records,
            duration,
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
