"""A Gradescope autograder package of a selection of exercises, and the run inside it.

Gradescope's contract (gradescope-autograders.readthedocs.io, `specs`): a zip with `setup.sh` and
`run_autograder` at its root is unpacked into /autograder/source; `setup.sh` runs once when the
image is built; for each submission `run_autograder` runs as root in /autograder, the student's
files are in /autograder/submission, and it writes /autograder/results/results.json (a missing or
malformed file shows "The autograder failed to execute correctly").

The package holds the grader, the CLI, the selected exercises (metadata, prompt, starter and
hidden tests; never a solution) and the pinned requirements of the grader image. Its
`run_autograder` calls `grade gradescope run`, which grades the submission in the sandbox named
at build time and writes results.json with the same layout as `grade export gradescope`. The root
is an argument (and `AUTOGRADER_ROOT` in `run_autograder`), so the package can be tried on a fake
/autograder before it is uploaded.
"""

from __future__ import annotations

import json
import stat
import time
import zipfile
from pathlib import Path

from . import __version__
from .errors import GraderError
from .gradebook import Grade
from .grading import grade_units
from .models import Exercise, ExerciseResult
from .sandbox import Sandbox
from .staging import Limits, Unit
from .standing import columns_of, standing

EXECUTABLE = 0o755
SKIPPED = {"__pycache__", ".pytest_cache", ".DS_Store"}

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-pip bubblewrap
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "the grader needs Python 3.11 or newer: choose a newer Ubuntu base image" >&2
    exit 1
fi
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet --upgrade pip
/autograder/venv/bin/pip install --quiet -r /autograder/source/requirements.lock
# the sandbox's unprivileged user must read the interpreter and the grader's own code
chmod -R a+rX /autograder/venv /autograder/source/grader
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for each submission, as root, in /autograder: it grades
# /autograder/submission and writes /autograder/results/results.json.
# To try it elsewhere: AUTOGRADER_ROOT=/tmp/fake GRADE_PYTHON=python3 ./run_autograder
set -u
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
SOURCE="$ROOT/source"
PYTHON="${{GRADE_PYTHON:-$ROOT/venv/bin/python}}"
cd "$SOURCE"
export GRADE_CATALOG="$SOURCE/course" PYTHONPATH="$SOURCE"
exec "$PYTHON" -m cli.main gradescope run --root "$ROOT" --sandbox {sandbox} {selection}
"""

README = """# Gradescope autograder: {ids}

Made by `grade gradescope build` (grader {version}). Upload this zip as the assignment's
autograder ("Zip file upload"); pick an Ubuntu base image with Python 3.11 or newer.

Students submit the files of the exercise ({files}) at the top level, or, for several
exercises, one folder per exercise named as in their workspace ({names}).

Each submission is graded in the `{sandbox}` sandbox; results.json has one test per hidden
test (name, points, the first line of a failure and the task's hint), and an exercise not
handed in scores 0 as a failed "missing" test.
"""


def build_package(
    exercises: list[Exercise], catalog_root: Path, project_root: Path, out: Path, sandbox: str
) -> list[str]:
    """Write the autograder zip; returns the names it holds."""
    if not exercises:
        raise GraderError("no-exercises", "no exercise selected", "Name one, e.g. 2.1.1.")
    if sandbox not in ("auto", "bwrap", "docker", "none"):
        raise GraderError(
            "bad-sandbox", f"unknown sandbox '{sandbox}'", "Choose auto, bwrap, docker or none."
        )
    selection = " ".join(e.id for e in exercises)
    files: dict[str, bytes] = {
        "setup.sh": SETUP.encode(),
        "run_autograder": RUN.format(sandbox=sandbox, selection=selection).encode(),
        "README.md": README.format(
            ids=", ".join(e.id for e in exercises),
            version=__version__,
            files=", ".join(f for e in exercises for f in e.meta.files),
            names=", ".join(e.meta.name for e in exercises),
            sandbox=sandbox,
        ).encode(),
        "requirements.lock": (project_root / "grader/docker/requirements.lock").read_bytes(),
    }
    for package in ("grader", "cli"):
        for path in _tree(project_root / package):
            files[path.relative_to(project_root).as_posix()] = path.read_bytes()
    sections = catalog_root / "exercises" / "sections.toml"
    if sections.is_file():
        files["course/exercises/sections.toml"] = sections.read_bytes()
    for exercise in exercises:
        for path in _tree(exercise.root):
            name = path.relative_to(catalog_root).as_posix()
            files[f"course/{name}"] = path.read_bytes()
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            mode = EXECUTABLE if name in ("setup.sh", "run_autograder") else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return sorted(files)


def _tree(folder: Path) -> list[Path]:
    """Regular files below `folder`, without caches and never through a link."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).parts
        if any(part in SKIPPED or part.endswith(".pyc") for part in rel):
            continue
        if path.is_file() and not path.is_symlink():
            found.append(path)
    return found


def submission_units(submission: Path, exercises: list[Exercise]) -> list[Unit]:
    """Where each selected exercise is in a Gradescope submission: a folder named as in the
    workspace (`2.1.1-hello-json`, at the top or inside a single top folder) or, when one
    exercise is selected, the submission itself."""
    tops = [p for p in submission.iterdir() if p.is_dir() and not p.is_symlink()]
    bases = [submission] + (tops if len(tops) == 1 else [])
    units = []
    for exercise in exercises:
        folder = next(
            (b / exercise.meta.name for b in bases if (b / exercise.meta.name).is_dir()), None
        )
        if folder is None and len(exercises) == 1:
            folder = submission
        if folder is not None:
            units.append(Unit(key=exercise.id, exercise=exercise, sources=[folder]))
    return units


def as_grade(result: ExerciseResult) -> Grade:
    return Grade(
        exercise_id=result.id,
        title=result.title,
        score=result.score,
        max_score=result.max_score,
        status=result.status.value,
        tests=[test.model_dump(mode="json") for test in result.tests],
        graded_at=None,
        execution_time=result.duration,
        review=list(result.review),
    )


def run_autograder(root: Path, exercises: list[Exercise], sandbox: Sandbox) -> dict:
    """Grade root/submission and write root/results/results.json; returns what was written."""
    submission = root / "submission"
    if not submission.is_dir():
        raise GraderError(
            "no-submission", f"no submission folder at {submission}", "Is --root right?"
        )
    started = time.monotonic()
    units = submission_units(submission, exercises)
    graded = grade_units(units, sandbox, Limits(jobs=1))
    grades = {key: as_grade(result) for key, result in graded.items()}
    results = _gradescope(grades, exercises)
    results["execution_time"] = round(time.monotonic() - started, 3)
    target = root / "results" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.with_suffix(".json.tmp")
    scratch.write_text(json.dumps(results, indent=2), encoding="utf-8")
    scratch.replace(target)  # whole or not at all: Gradescope reads it once we exit
    return results


def _gradescope(grades: dict[str, Grade], exercises: list[Exercise]) -> dict:
    from .exports import gradescope_results  # the export's layout, exactly

    return gradescope_results(standing("submission", grades, columns_of(exercises)))
