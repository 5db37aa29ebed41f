"""Busy processes beside a grading run, so that `grade check --stress` finds suites whose
result depends on the machine's load (a grade must be the same whenever a student grades)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

BUSY_LOOP = "while True:\n    pass\n"


@contextmanager
def cpu_stress(enabled: bool = True, workers: int | None = None) -> Iterator[int]:
    """One CPU-bound process per core (or `workers`) for the block; always stopped after."""
    if not enabled:
        yield 0
        return
    count = workers or os.cpu_count() or 1
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", BUSY_LOOP],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(count)
    ]
    try:
        yield count
    finally:
        for proc in procs:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
