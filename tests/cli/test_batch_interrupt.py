"""Ctrl-C in `grade batch`, in a real terminal: it stops within seconds, keeps every student
already graded, says what was saved and how to resume, and exits 130, however often it is
pressed."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CATALOG

ADDER = "exercises/9.1-fixture-topic/9.1.1-adder"
FAST = "def add(a, b):\n    return a + b\n\n\ndef neg(x):\n    return -x\n"
HANGS = "import time\n\ntime.sleep(120)\n"
PROJECT = Path(__file__).resolve().parents[2]


def _runs(db: Path) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("select count(*) from runs").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _read_all(fd: int, until: float, sink: bytearray, proc: subprocess.Popen) -> None:
    while time.monotonic() < until:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            sink.extend(chunk)
        elif proc.poll() is not None:
            return


def test_ctrl_c_three_times_stops_quickly_keeps_the_graded_and_exits_130(tmp_path, bwrap):
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    toml = catalog / ADDER / "exercise.toml"
    toml.write_text(toml.read_text().replace("timeout = 3", "timeout = 100"))  # hangs stay hung
    root = tmp_path / "subs"
    for name, code in {"a-fast": FAST, **{f"s{i}-hangs": HANGS for i in range(1, 6)}}.items():
        (root / name / "9.1.1-adder").mkdir(parents=True)
        (root / name / "9.1.1-adder" / "calc.py").write_text(code)
    db = tmp_path / "gb.db"
    env = {**os.environ, "GRADE_CATALOG": str(catalog), "PYTHONPATH": str(PROJECT),
           "COLUMNS": "120", "TERM": "xterm"}  # fmt: skip
    argv = [sys.executable, "-m", "cli.main", "batch", str(root), "--db", f"sqlite:///{db}",
            "--jobs", "2", "--sandbox", "bwrap"]  # fmt: skip
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        argv, env=env, stdin=follower, stdout=follower, stderr=follower, start_new_session=True
    )
    os.close(follower)
    screen = bytearray()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and _runs(db) < 1 and proc.poll() is None:
        _read_all(leader, time.monotonic() + 0.1, screen, proc)
    assert _runs(db) == 1, screen.decode(errors="replace")  # a-fast is graded and stored
    _read_all(leader, time.monotonic() + 1.0, screen, proc)  # the hanging ones are running
    assert proc.poll() is None
    pressed = time.monotonic()
    for _ in range(3):  # what a terminal's Ctrl-C does: SIGINT to the foreground group
        os.killpg(proc.pid, signal.SIGINT)
        time.sleep(0.2)
    _read_all(leader, pressed + 15, screen, proc)
    returncode = proc.wait(timeout=15)
    took = time.monotonic() - pressed
    os.close(leader)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.decode(errors="replace"))
    assert returncode == 130, text
    assert took < 8, f"stopped {took:.1f} s after Ctrl-C"
    assert "Traceback" not in text and "threading" not in text, text
    assert "interrupted: 1 student graded and saved in" in text, text
    assert "5 not graded" in text and "Run the same command again" in text
    assert _runs(db) == 1  # the killed runs were not taken for grades
    # resume: the hung students fixed, the rerun grades them and skips a-fast
    for i in range(1, 6):
        (root / f"s{i}-hangs" / "9.1.1-adder" / "calc.py").write_text(FAST)
    again = subprocess.run([*argv, "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert json.loads(again.stdout)["counts"] == {"skipped": 1, "graded": 5}


def test_ctrl_c_with_json_gives_the_partial_report_as_json(tmp_path, bwrap):
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    toml = catalog / ADDER / "exercise.toml"
    toml.write_text(toml.read_text().replace("timeout = 3", "timeout = 100"))
    root = tmp_path / "subs"
    for name, code in {"a-fast": FAST, "s1-hangs": HANGS, "s2-hangs": HANGS}.items():
        (root / name / "9.1.1-adder").mkdir(parents=True)
        (root / name / "9.1.1-adder" / "calc.py").write_text(code)
    db = tmp_path / "gb.db"
    env = {**os.environ, "GRADE_CATALOG": str(catalog), "PYTHONPATH": str(PROJECT)}
    argv = [sys.executable, "-m", "cli.main", "batch", str(root), "--db", f"sqlite:///{db}",
            "--jobs", "2", "--sandbox", "bwrap", "--json"]  # fmt: skip
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and _runs(db) < 1 and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    report = json.loads(out)  # stdout is the JSON alone
    assert report["interrupted"] is True and report["ok"] is False
    assert [s["student"] for s in report["students"]] == ["a-fast"]
    assert report["not_graded"] == ["s1-hangs", "s2-hangs"]
    assert b"Traceback" not in err


def test_stopping_kills_the_running_sandboxes_and_records_nothing_of_them(tmp_path, adder):
    """Engine level: a sandbox that would run for a minute is killed when the batch stops."""
    from grader.batch import grade_batch
    from grader.gradebook import Gradebook
    from grader.sandbox.base import RUNNING, supervise

    pidfile = tmp_path / "pids"

    class Sleeper:
        name, image_digest, warning, sandbox_uid = "sleeper", None, "", 61000

        def run(self, job, prepare=None):
            argv = ["sh", "-c", f"echo $$ >> {pidfile}; exec sleep 60"]
            return supervise(argv, job, env={}, prepare=prepare)

    root = tmp_path / "subs"
    for name in ("ada", "bob", "cyd"):
        (root / name / "9.1.1-adder").mkdir(parents=True)
        (root / name / "9.1.1-adder" / "calc.py").write_text(FAST)
    gradebook = Gradebook(f"sqlite:///{tmp_path / 'gb.db'}")
    stop = threading.Event()
    threading.Timer(1.5, stop.set).start()
    started = time.monotonic()
    report = grade_batch(root, [adder], gradebook, lambda slot: Sleeper(), jobs=2, stop=stop)
    assert time.monotonic() - started < 6
    assert report.interrupted and not report.ok and report.unfinished == 0
    assert report.students == [] and report.not_graded == ["ada", "bob", "cyd"]
    assert gradebook.grades() == {}
    assert not RUNNING.stopped  # once the batch is over, sandboxes may run again here
    pids = [int(line) for line in pidfile.read_text().split()]
    assert len(pids) == 2, "two sandboxes were running"
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # killed and reaped
