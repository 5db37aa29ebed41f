"""Timing figures for `make bench`: medians of whole-command runs, printed, never asserted.

For each available sandbox (bwrap, docker):
  grade 2.1        a student grading a topic (3 exercises, starters) end to end
  grade check 2    CI proving section 2 (references, starters and wrong variants)
Then a teacher's batch: N synthetic students (reference, starter and wrong-variant submissions
in turn) x every exercise, graded with `grade batch` into a fresh gradebook.

Environment: RUNS (default 5), STUDENTS (default 6), SANDBOXES (default "bwrap docker").
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GRADE = str(Path(sys.executable).with_name("grade"))


def timed(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, float, float]:
    samples = []
    for _ in range(runs):
        started = time.monotonic()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.monotonic() - started)
    return min(samples), statistics.median(samples), max(samples)


def available(sandbox: str) -> bool:
    probe = subprocess.run([GRADE, "list", "2.1.1", "--json"], capture_output=True)
    if probe.returncode != 0:
        return False
    if sandbox == "docker":
        return subprocess.run([GRADE, "image", "show"], capture_output=True).returncode == 0
    return shutil.which("bwrap") is not None


def synthetic_class(root: Path, students: int) -> dict[tuple[str, str], bool]:
    """Student i submits, for every exercise, the reference, the starter or a wrong variant.
    Returns whether each (student, exercise) must score full marks."""
    from grader.catalog import load_catalog
    from grader.variants import load, materialise

    expected = {}
    variants = root.parent / f"{root.name}-variants"
    for exercise in load_catalog().exercises:
        if exercise.wrong_patches:
            materialise(
                load(exercise.wrong_patches[0]), exercise.solution_root, variants / exercise.id
            )
    for i in range(students):
        for exercise in load_catalog().exercises:
            kind = i % 3
            if kind == 0 or (kind == 2 and not exercise.wrong_patches):
                sources = [exercise.solution_root]
            elif kind == 1:
                sources = [exercise.starter_dir]
            else:
                sources = [variants / exercise.id]
            expected[(f"student{i:03d}", exercise.id)] = sources == [exercise.solution_root]
            target = root / f"student{i:03d}" / exercise.meta.name
            target.mkdir(parents=True)
            for source in sources:
                for name in exercise.meta.files:
                    if (source / name).is_file():
                        (target / name).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy(source / name, target / name)
    return expected


def main() -> None:
    runs = int(os.environ.get("RUNS", "5"))
    students = int(os.environ.get("STUDENTS", "6"))
    sandboxes = [s for s in os.environ.get("SANDBOXES", "bwrap docker").split() if available(s)]
    print(f"{os.cpu_count()} cores; seconds as min / median / max over n runs")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "GRADE_WORKSPACE": str(Path(tmp) / "ws")}
        subprocess.run([GRADE, "start", "2.1"], env=env, stdout=subprocess.DEVNULL, check=True)
        for sandbox in sandboxes:
            rows = [
                ("grade 2.1 (3 exercises)", [GRADE, "2.1", "--sandbox", sandbox], runs),
                ("grade check 2", [GRADE, "check", "2", "--sandbox", sandbox], max(1, runs // 2)),
            ]
            for label, argv, n in rows:
                low, mid, high = timed(argv, env, n)
                print(f"{sandbox:7} {label:26} {low:6.2f} / {mid:6.2f} / {high:6.2f}   (n={n})")
        subs = Path(tmp) / "submissions"
        expected = synthetic_class(subs, students)
        exercises = len(expected) // students
        db = f"sqlite:///{Path(tmp) / 'gradebook.db'}"
        started = time.monotonic()
        result = subprocess.run(
            [GRADE, "batch", str(subs), "--db", db, "--json"],
            env=env,
            capture_output=True,
            text=True,
        )
        total = time.monotonic() - started
        report = json.loads(result.stdout)
        graded = [s for s in report["students"] if s["state"] == "graded"]
        per_student = statistics.median(s["duration"] for s in graded) if graded else 0
        wrong = _wrong_scores(expected, Path(tmp) / "export.json", db, env)
        print(
            f"batch ({report['sandbox']}): {students} students x {exercises} exercises in "
            f"{total:.1f} s: {total / students:.2f} s per student (median sandbox time "
            f"{per_student:.2f} s), {total / (students * exercises):.3f} s per exercise; "
            f"{report['counts']}; scores as expected: {'yes' if not wrong else wrong[:5]}"
        )


def _wrong_scores(expected, out: Path, db: str, env) -> list[str]:
    """Cells whose score contradicts the submission: full marks exactly for references."""
    subprocess.run(
        [GRADE, "export", "json", "--db", db, "-o", str(out)],
        env=env,
        capture_output=True,
        check=True,
    )
    table = {s["student"]: s["exercises"] for s in json.loads(out.read_text())["students"]}
    wrong = []
    for (student, exercise), full in expected.items():
        cell = table.get(student, {}).get(exercise)
        got_full = bool(cell) and cell["score"] >= cell["max_score"] > 0
        if got_full != full:
            wrong.append(f"{student}/{exercise}")
    return wrong


if __name__ == "__main__":
    main()
