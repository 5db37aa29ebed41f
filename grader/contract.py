"""The host↔runner contract: what the grader writes for the sandbox and what comes back.

Both sides import this module, the runner inside the sandbox too, so it uses the standard
library only. The host stages a job (`manifest.json`, `etc/passwd`), the runner answers with
frames on its stdout: one line each, `FRAME_TAG nonce {json}`. A unit's result frame holds the
records its child wrote, one per test report; a failed test's record may carry the learner's
own traceback (`trace`, `raised`) and, when a learner module could not be loaded, `broken`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypedDict

FRAME_TAG = "@@GRADE"
SANDBOX_UID = 61000  # Docker's user; bwrap's first slot when the grader runs as root
PASSWD_LINE = "learner:x:{uid}:{uid}:learner:/tmp:/bin/false\n"

# Record keys a child may add to a failed test's record, and their bounds.
TRACE_KEY = "trace"
RAISED_KEY = "raised"
BROKEN_KEY = "broken"
STARTED = "started"  # the outcome of the record a child writes when a test starts
MAX_TRACE_FRAMES = 4
MAX_RAISED = 160  # like any other line the learner's code controls
MAX_FILE = 100
MAX_FUNCTION = 60


class UnitManifest(TypedDict):
    key: str
    exercise: str
    sub: str  # the submission's folder, relative to the job
    tests: str  # the hidden tests' folder, relative to the job
    timeout: float
    memory_mb: int
    exitfirst: bool


class Manifest(TypedDict):
    units: list[UnitManifest]
    jobs: int
    pids: int
    preload: list[str]


MANIFEST_FILE = "manifest.json"


class Record(TypedDict, total=False):
    """What a child writes per test report (after its sequence number and HMAC)."""

    id: str  # pytest's node id, relative to the hidden tests' folder
    outcome: str  # passed | failed | error | skipped | started
    message: str
    collect_error: str  # a hidden test file that could not be collected
    trace: str  # see encode_frames
    raised: str
    broken: str


class UnitFrame(TypedDict, total=False):
    """The runner's frame for one unit: `started` when its child starts (with the static
    scan's `review`), then its result."""

    unit: str
    started: bool
    records: list[Record]
    done: bool  # the child's pytest session finished
    tally: dict  # pytest's own count of the session
    tampering: list[str]
    review: list[str]
    timed_out: bool
    elapsed: float
    setup_error: str | None
    code: int  # the child's exit code, or
    signal: int  # the signal that ended it


def passwd(uid: int) -> str:
    """The sandbox's /etc/passwd: one entry, for the uid its code really runs as."""
    return PASSWD_LINE.format(uid=uid)


@dataclass(frozen=True)
class Frame:
    """Where the learner's code was: a file of theirs, never the hidden tests'."""

    file: str
    line: int
    function: str
    column: int = 0  # a syntax error's column, 1-based; 0 when unknown


_FUNCTION = re.compile(r"[^A-Za-z0-9_<>.]")
_FRAME_LINE = re.compile(
    rf"^([^\t\n]{{1,{MAX_FILE}}})\t(\d{{1,7}})\t(\d{{1,5}})\t([A-Za-z0-9_<>.]*)$"
)


def encode_frames(frames: list[Frame]) -> str:
    """`file<TAB>line<TAB>column<TAB>function` lines, the last (innermost) frames kept."""
    lines = []
    for frame in frames[-MAX_TRACE_FRAMES:]:
        file = frame.file.replace("\t", " ").replace("\n", " ")[:MAX_FILE]
        function = _FUNCTION.sub("", frame.function)[:MAX_FUNCTION]
        lines.append(f"{file}\t{int(frame.line)}\t{int(frame.column)}\t{function}")
    return "\n".join(lines)


def decode_frames(text: str) -> list[Frame]:
    """The frames of `encode_frames`; a line that does not fit the format is dropped."""
    frames = []
    for line in str(text).splitlines()[:MAX_TRACE_FRAMES]:
        match = _FRAME_LINE.match(line)
        if match and not match[1].startswith(("/", "..")) and "/../" not in match[1]:
            frames.append(Frame(match[1], int(match[2]), match[4], int(match[3])))
    return frames
