"""`make bench`, second part: one synthetic class graded side by side by `grade batch` here, and by
`grade batch --broker` with one and with two `grade worker`s on this machine (a redis-server of
its own on a free loopback port; the same number of sandboxes at once in every row, so the rows
show what the queue costs). Printed, never asserted; scores are checked against the submissions.

Environment: STUDENTS (default 6), WORKERS (default "0 1 2": 0 is the local batch; needs
redis-server for the others), SELECTION (default "2": the exercises of the synthetic class).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import synthetic_class, wrong_scores  # run as a script from tests/

GRADE = str(Path(sys.executable).with_name("grade"))
SELECTION = os.environ.get("SELECTION", "2").split()


def _selection():
    from grader.catalog import load_catalog

    return load_catalog().select(SELECTION)


def main() -> None:
    students = int(os.environ.get("STUDENTS", "6"))
    print(f"{os.cpu_count()} cores; one class graded here and by workers")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "GRADE_WORKSPACE": str(Path(tmp) / "ws")}
        subs = Path(tmp) / "submissions"
        expected = synthetic_class(subs, students, _selection())
        exercises = len(expected) // students
        side_by_side(subs, students, exercises, expected, Path(tmp), env)


def side_by_side(subs: Path, students: int, exercises: int, expected, tmp: Path, env) -> None:
    """The same class graded here, by one worker and by two, into fresh gradebooks."""
    counts = [int(n) for n in os.environ.get("WORKERS", "0 1 2").split()]
    if any(counts) and not shutil.which("redis-server"):
        print("workers: skipped (redis-server is not installed)")
        counts = [n for n in counts if n == 0]
    cores = os.cpu_count() or 1
    sandbox = "bwrap" if shutil.which("bwrap") else "auto"
    redis = None
    port = _free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    if any(counts):
        redis = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(0.5)
    try:
        for count in counts:
            db = f"sqlite:///{tmp / f'side-{count}.db'}"
            argv = [GRADE, "batch", str(subs), *SELECTION, "--db", db, "--json"]
            argv += ["--sandbox", sandbox]
            workers = []
            if count:
                argv += ["--broker", broker]
                each = max(1, cores // count)
                for i in range(count):
                    log = tmp / f"worker-{count}-{i}.log"
                    workers.append(_worker(broker, db, each, i * each, sandbox, log, env))
                for _, log in workers:
                    _wait_ready(log)
            started = time.monotonic()
            result = subprocess.run(argv, env=env, capture_output=True, text=True)
            total = time.monotonic() - started
            for proc, _ in workers:
                proc.terminate()
                proc.wait()
            report = json.loads(result.stdout)
            wrong = wrong_scores(expected, tmp / f"side-{count}.json", db, env)
            label = "grade batch here" if not count else f"{count} worker{'s' * (count > 1)}"
            print(
                f"{label:17} {students} students x {exercises} exercises: {total:6.1f} s, "
                f"{total / (students * exercises):.3f} s per exercise; {report['counts']}; "
                f"scores as expected: {'yes' if not wrong else wrong[:5]}"
            )
    finally:
        if redis is not None:
            redis.terminate()
            redis.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(broker, db, concurrency, first_slot, sandbox, log: Path, env):
    argv = [GRADE, "worker", "--broker", broker, "--db", db, "--concurrency", str(concurrency),
            "--first-slot", str(first_slot), "--sandbox", sandbox, "--name", log.stem]  # fmt: skip
    with open(log, "wb") as out:
        return subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT), log


def _wait_ready(log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if b"grade worker ready" in log.read_bytes():
            return
        time.sleep(0.1)
    raise SystemExit(f"a worker did not start: {log.read_text()[-2000:]}")


if __name__ == "__main__":
    main()
