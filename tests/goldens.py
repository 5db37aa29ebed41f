"""Golden results: whole outputs kept as files under tests/golden/ and compared whole, so that a
change to any message, hint, status or export shows up as a diff in review.

`make golden` (GRADE_GOLDEN=update) rewrites them from the current code; review the diff."""

from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path
from typing import Any

GOLDEN_DIR = Path(__file__).parent / "golden"
UPDATE = os.environ.get("GRADE_GOLDEN") == "update"
# Values that change from run to run or machine to machine, never part of a golden result.
VOLATILE_KEYS = {
    "duration",
    "image_digest",
    "execution_time",
    "graded_at",
    "created_at",
    "started_at",
    "finished_at",
    "timestamp",
    "grader_version",
}
VOLATILE_TEXT = [
    (re.compile(r'\btime="[0-9.]+"'), 'time="-"'),
    (re.compile(r'\btimestamp="[^"]*"'), 'timestamp="-"'),
    (re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?"), "<time>"),
]


def normalise(data: Any, replacements: dict[str, str] | None = None) -> Any:
    """Drop volatile keys and put placeholders for machine-specific strings (temp paths)."""
    if isinstance(data, dict):
        return {k: normalise(v, replacements) for k, v in data.items() if k not in VOLATILE_KEYS}
    if isinstance(data, list):
        return [normalise(v, replacements) for v in data]
    if isinstance(data, str):
        return normalise_text(data, replacements)
    return data


def normalise_text(text: str, replacements: dict[str, str] | None = None) -> str:
    for old, new in (replacements or {}).items():
        text = text.replace(old, new)
    for pattern, new in VOLATILE_TEXT:
        text = pattern.sub(new, text)
    return text


def assert_golden(name: str, actual: Any, replacements: dict[str, str] | None = None) -> None:
    """Compare `actual` (JSON-able data, or text) with tests/golden/<name> whole."""
    if isinstance(actual, str):
        text = normalise_text(actual, replacements)
    else:
        text = json.dumps(normalise(actual, replacements), indent=2, sort_keys=True) + "\n"
    path = GOLDEN_DIR / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"no golden file {path}: run `make golden` and review it"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"golden/{name}",
                "now",
            )
        )
        raise AssertionError(
            f"{name} differs from its golden file (if intended: make golden)\n{diff}"
        )
