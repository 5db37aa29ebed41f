"""How this copy of the course is graded: here (the teacher's folder, with its hidden tests) or
by the course server (a student pack from `grade pack student`, whose hidden tests stayed with
the teacher).

A student pack carries `course.toml` at its root: that it is graded by the server, the server's
URL when the teacher gave one, and each exercise's points (which the hidden suites would
otherwise tell `grade list`). A folder without it is graded here, as always."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .errors import GraderError

MARKER = "course.toml"


@dataclass(frozen=True)
class Course:
    graded_by_server: bool = False
    server: str = ""  # the course server's URL, when the pack was made with one
    points: dict[str, float | int] = field(default_factory=dict)  # exercise id → its points


def course_of(root: Path) -> Course:
    """The course at this root (a folder without `course.toml` is graded here)."""
    path = root / MARKER
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return Course()
    return _read(path, stamp)


@cache
def _read(path: Path, _stamp: int) -> Course:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise GraderError(
            "bad-course-file", f"{path}: {exc}", "Ask your teacher for a fresh student pack."
        ) from None
    grading = data.get("grading", {})
    points = {str(k): v for k, v in dict(data.get("points", {})).items() if _number(v)}
    return Course(
        graded_by_server=grading.get("by") == "server",
        server=str(grading.get("server", "")),
        points=points,
    )


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def graded_by_server(root: Path, selectors: list[str]) -> GraderError:
    """The one line a student pack answers `grade 3.2` with: grading happens on the server."""
    course = course_of(root)
    selection = " ".join(selectors) or "SELECTOR"
    server = course.server or "URL"
    return GraderError(
        "graded-by-server",
        "this course is graded by its server, which holds the hidden tests:",
        f"run `grade submit {selection} --server {server}`.",
    )


def require_local_grading(root: Path, selectors: list[str]) -> None:
    """Refuse, in one line, to grade here what only the course server can grade."""
    if course_of(root).graded_by_server:
        raise graded_by_server(root, selectors)
