"""Timing figures for `make bench`: medians of whole-command runs, printed, never asserted.

grade 2.1          a student grading a topic (3 exercises, starters) end to end
grade check 2      CI proving section 2 (references, starters and wrong variants)
"""

from __future__ import annotations

import os
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


def main() -> None:
    sandbox = os.environ.get("SANDBOX", "auto")
    runs = int(os.environ.get("RUNS", "5"))
    with tempfile.TemporaryDirectory() as workspace:
        env = {**os.environ, "GRADE_WORKSPACE": workspace}
        subprocess.run([GRADE, "start", "2.1"], env=env, stdout=subprocess.DEVNULL, check=True)
        rows = [
            ("grade 2.1 (3 exercises)", [GRADE, "2.1", "--sandbox", sandbox], runs),
            ("grade check 2", [GRADE, "check", "2", "--sandbox", sandbox], max(1, runs // 2)),
        ]
        print(f"sandbox={sandbox}, {os.cpu_count()} cores; seconds min / median / max")
        for label, argv, n in rows:
            low, mid, high = timed(argv, env, n)
            print(f"{label:28} {low:6.2f} / {mid:6.2f} / {high:6.2f}   (n={n})")


if __name__ == "__main__":
    main()
