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


def synthetic_class(root: Path, students: int) -> int:
    """Student i submits, for every exercise, the reference, the starter or a wrong variant."""
    from grader.catalog import load_catalog

    exercises = load_catalog().exercises
    for i in range(students):
        for exercise in exercises:
            kind = i % 3
            if kind == 0 or (kind == 2 and not exercise.wrong_dirs):
                sources = [exercise.solution_root]
            elif kind == 1:
                sources = [exercise.starter_dir]
            else:
                sources = [exercise.solution_root, exercise.wrong_dirs[0]]
            target = root / f"student{i:03d}" / exercise.meta.name
            target.mkdir(parents=True)
            for source in sources:
                for name in exercise.meta.files:
                    if (source / name).is_file():
                        (target / name).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy(source / name, target / name)
    return len(exercises)


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
        exercises = synthetic_class(subs, students)
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
        print(
            f"batch ({report['sandbox']}): {students} students x {exercises} exercises in "
            f"{total:.1f} s: {total / students:.2f} s per student (median sandbox time "
            f"{per_student:.2f} s), {total / (students * exercises):.3f} s per exercise; "
            f"{report['counts']}"
        )


if __name__ == "__main__":
    main()
