"""`grade pack student OUT`: the folder a teacher hands to the students of a server-graded course.

It holds what a student works with (each exercise's prompt, metadata with its hints, and starter
files; the `grade` CLI and its engine, installable with `pip install -e OUT`) and nothing the
server grades with: no `solutions/`, no exercise's hidden `tests/` (with them go the mutation
subjects and fixtures that live there). Its `course.toml` says the course is graded by the
server, so `grade 3.2` in the pack points to `grade submit` instead of failing on missing tests.

The pack is built from an allow-list (named files of each exercise, the two Python packages),
never by copying the course and deleting, and then walked once more: a pack holding any
`tests/` or `solutions/` folder is an error, not a warning.

Writing into a folder that is not empty needs `force`; even then only the pack's own entries are
replaced, so a student workspace kept inside an earlier pack survives a fresh one."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import Catalog
from .course import MARKER
from .errors import GraderError, UsageError
from .grading import suite_of
from .models import Exercise
from .standing import suite_points

CODE = ("grader", "cli")  # the packages `grade` runs from
OWN = ("exercises", *CODE, "README.md", "pyproject.toml", MARKER)  # what a pack writes
HIDDEN = frozenset({"tests", "solutions"})  # folder names that never appear in a pack
SKIPPED = frozenset({"__pycache__", ".pytest_cache", ".ruff_cache"})


@dataclass
class PackReport:
    out: Path
    exercises: list[str] = field(default_factory=list)
    files: int = 0
    server: str = ""
    kept: list[str] = field(default_factory=list)  # entries of OUT that are not the pack's

    def to_dict(self) -> dict:
        return {
            "out": str(self.out),
            "exercises": self.exercises,
            "files": self.files,
            "server": self.server,
            "kept": self.kept,
        }


def code_root() -> Path:
    """The folder holding this grader's `grader/`, `cli/` and `pyproject.toml`."""
    return Path(__file__).resolve().parent.parent


def pack_student(
    catalog: Catalog,
    exercises: list[Exercise],
    out: Path,
    *,
    server: str = "",
    force: bool = False,
) -> PackReport:
    out = out.resolve()
    _check_target(out, catalog.root.resolve(), force)
    report = PackReport(out=out, server=server)
    out.mkdir(parents=True, exist_ok=True)
    report.kept = sorted(p.name for p in out.iterdir() if p.name not in OWN)
    for name in OWN:
        _remove(out / name)
    for package in CODE:
        report.files += _copy_tree(code_root() / package, out / package)
    shutil.copy2(code_root() / "pyproject.toml", out / "pyproject.toml")
    sections = catalog.root / "exercises" / "sections.toml"
    if sections.is_file():
        (out / "exercises").mkdir(exist_ok=True)
        shutil.copy2(sections, out / "exercises" / "sections.toml")
    points: dict[str, float] = {}
    for exercise in exercises:
        target = out / exercise.root.relative_to(catalog.root)
        target.mkdir(parents=True)
        for name in ("exercise.toml", "README.md"):
            if (exercise.root / name).is_file():
                shutil.copy2(exercise.root / name, target / name)
                report.files += 1
        if exercise.starter_dir.is_dir():
            report.files += _copy_tree(exercise.starter_dir, target / "starter")
        points[exercise.id] = suite_points(suite_of(exercise)[0])
        report.exercises.append(exercise.id)
    (out / MARKER).write_text(_course_toml(server, points), encoding="utf-8")
    (out / "README.md").write_text(_readme(server, exercises), encoding="utf-8")
    report.files += 4
    leaked = hidden_paths(out, only=OWN)
    if leaked:  # the allow-list above makes this impossible; a pack must never prove it wrong
        raise GraderError(
            "pack-leak", f"the pack holds hidden files: {', '.join(leaked[:3])}", "Report it."
        )
    return report


def hidden_paths(root: Path, only: tuple[str, ...] | None = None) -> list[str]:
    """Paths below `root` inside a folder named tests/ or solutions/ (or such folders)."""
    found = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder).relative_to(root)
        if here == Path(".") and only is not None:
            dirs[:] = [d for d in dirs if d in only]
        for name in dirs + files:
            rel = here / name
            if HIDDEN & set(rel.parts):
                found.append(rel.as_posix())
    return sorted(found)


def _check_target(out: Path, course: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError("pack-target", f"{out} is a file", "Give a folder for the pack.")
    if out == course or out in course.parents or out == code_root() or out in code_root().parents:
        raise UsageError(
            "pack-target",
            f"{out} holds the course itself",
            "Give a new folder for the pack, e.g. `grade pack student ../student-pack`.",
        )
    if out.is_dir() and any(out.iterdir()) and not force:
        raise UsageError(
            "pack-target",
            f"{out} is not empty",
            "Give an empty or new folder, or pass --force to replace an earlier pack in it "
            "(other files there are kept).",
        )


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def _copy_tree(source: Path, target: Path) -> int:
    """Regular files only (no caches, no links, no hidden folders): how many were copied."""
    count = 0
    for folder, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED and d not in HIDDEN)
        here = Path(folder)
        dest = target / here.relative_to(source)
        dest.mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            path = here / name
            if path.is_symlink() or not path.is_file() or name.endswith((".pyc", ".pyo")):
                continue
            shutil.copy2(path, dest / name)
            count += 1
    return count


def _course_toml(server: str, points: dict[str, float]) -> str:
    lines = [
        "# Made by `grade pack student`: this course is graded by its course server,",
        "# which keeps the hidden tests. `grade submit` sends your work there.",
        "[grading]",
        'by = "server"',
    ]
    if server:
        lines.append(f"server = {_toml_string(server)}")
    lines += ["", "[points]"]
    lines += [f'"{exercise_id}" = {value:g}' for exercise_id, value in points.items()]
    return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _readme(server: str, exercises: list[Exercise]) -> str:
    url = server or "URL"
    first = exercises[0].id if exercises else "1.1.1"
    topic = exercises[0].meta.topic if exercises else "1.1"
    given = (
        f"The server is `{server}`: `grade submit` uses it without `--server`."
        if server
        else "Your teacher gives you the server's URL."
    )
    return f"""# FastAPI & SQLAlchemy Exercises (graded by the course server)

Every exercise has a prompt and starter files. Your work is graded by the course server,
against hidden tests that stay there: you send it your exercise folders and it answers, in
seconds, test by test, with what passed, what failed and a hint for what to try next.

## Set up

```bash
python3 -m venv .venv && .venv/bin/pip install -e .    # Python 3.11+
. .venv/bin/activate                                    # or call .venv/bin/grade
```

## Start, submit and read your feedback

```bash
grade list                      # sections, topics and exercises, with your scores
grade show {first}               # the prompt: tasks and the interface the tests use
grade start {topic}                # copy the starters and prompts of topic {topic} into ./workspace
grade submit {topic} --server {url} --token YOUR_TOKEN
grade hint {first}               # the hints of each task
```

Edit the files in `workspace/<id>-<slug>/` (its `README.md` is the prompt), then submit. {given}
Your token comes from your teacher: pass it with `--token` or set `GRADE_TOKEN` once
(`GRADE_SERVER` likewise holds the server's URL). `grade submit` zips the selected exercise
folders of your workspace (regular files only) and prints the server's feedback: one row per
hidden test with its name, whether it passed, your points, and for a failing test a short
message and a hint; `--json` prints the same as JSON. It exits 0 when everything selected
passes. `grade list` then shows each exercise's last and best score from the server, and
`grade next` what to do next. The server keeps every submission for your teacher; you see
only your own results.
It refuses an upload that is too large or too frequent, and says so (and when to try again).

`grade {topic}` does not grade here: this folder has no hidden tests, so it tells you to run
`grade submit` instead.
"""
