"""A sandbox kept warm between a student's gradings: each grading is a run of the same sandbox,
graded as a cold one grades it; the sandbox stops when a grading is interrupted, when it has
been idle long enough, and after a run that changed it; a grading that finds it busy runs on
its own. (The attacks of test_sandbox.py also run through a warm sandbox.)"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import grader.sandbox.warm as warm_module
from grader.errors import SandboxUnavailable
from grader.grading import grade_units
from grader.sandbox.bwrap import BwrapSandbox
from grader.sandbox.warm import Pool, WarmSandbox, kept_warm, pool_key, stop_keepers
from grader.staging import Limits, Unit
from tests.conftest import ATTACKS, FIXTURE_CATALOG

TEST_UID = 61078  # bwrap as root: a uid of its own, apart from `grade`'s and other tests'
SKIP = ("wrong", "alternatives")


@pytest.fixture
def temp(monkeypatch, tmp_path_factory) -> Iterator[Path]:
    """This test's temporary folder: its jobs and keepers live there, so its sandboxes are told
    apart from any other on this machine."""
    tmp_path_factory.getbasetemp()  # pytest's own temporary folders stay where they are
    folder = Path(tempfile.mkdtemp(prefix="grade-test-"))
    folder.chmod(0o755)  # a root grader's sandbox uid traverses it to its bind mounts
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    stop_keepers()
    _wait_until(lambda: not sandbox_pids(folder))
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def warm() -> WarmSandbox:
    try:
        box = WarmSandbox(BwrapSandbox(uid=TEST_UID))
    except SandboxUnavailable as exc:
        pytest.skip(f"bubblewrap unavailable: {exc}")
    box.idle = 60
    return box


def sandbox_pids(temp: Path) -> set[int]:
    """The processes of the sandboxes whose folders are in `temp` (bwrap and all inside)."""
    marker, found = str(temp).encode(), set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        for what in ("cmdline", "mountinfo"):
            try:
                if marker in Path(f"/proc/{pid}/{what}").read_bytes():
                    found.add(int(pid))
                    break
            except OSError:
                pass
    return found


def _wait_until(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def submission(tmp_path: Path, name: str, source: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "calc.py").write_text(source)
    return folder


def reference(adder, key: str = "reference") -> Unit:
    return Unit(key, adder, [adder.solution_root], skip=SKIP)


def scores(results) -> dict[str, tuple]:
    return {
        key: (r.status, r.score, [(t.name, t.status) for t in r.tests])
        for key, r in results.items()
    }


def test_the_next_grading_is_a_run_of_the_same_sandbox_graded_as_a_cold_one(
    temp, warm, adder, tmp_path
):
    wrong = submission(tmp_path, "wrong", "def add(a, b):\n    return a - b\n")
    units = [
        reference(adder),
        Unit("starter", adder, [adder.starter_dir]),
        Unit("w", adder, [wrong]),
    ]
    first = grade_units(units, warm, Limits(jobs=2))
    running = sandbox_pids(temp)
    second = grade_units(units, warm, Limits(jobs=2))
    cold = grade_units(units, warm.cold, Limits(jobs=2))
    assert running and sandbox_pids(temp) == running, "the second grading used the same sandbox"
    assert warm.served == {"warm": 2, "cold": 0}
    assert scores(first) == scores(second) == scores(cold)
    assert first["reference"].score == first["reference"].max_score
    assert first["w"].score < first["w"].max_score


def test_the_sandbox_stops_after_its_idle_time(temp, warm, adder):
    warm.idle = 0.5
    grade_units([reference(adder)], warm, Limits(jobs=1))
    assert sandbox_pids(temp), "kept warm after the grading"
    assert _wait_until(lambda: not sandbox_pids(temp)), "stopped once idle"
    base = temp / f"grade-warm-{os.geteuid()}"
    assert _wait_until(lambda: not [p for p in base.iterdir() if p.suffix != ".log"]), "cleaned"


def test_a_new_keeper_sweeps_what_killed_keepers_left(temp, warm, adder):
    base = warm_module.private_base()
    for key in ("killed", "older"):  # a killed keeper's folder, lock file or both
        (base / key / "mnt" / "0").mkdir(parents=True)
    (base / "killed.lock").touch()
    (base / "lockonly.lock").touch()
    held = Pool(base, "held")  # a grading starting this one holds its lock
    (held.folder / "private").mkdir(parents=True)
    holder = warm_module._locked(held.lock)
    try:
        grade_units([reference(adder)], warm, Limits(jobs=1))
        left = sorted(p.name for p in base.iterdir() if p.suffix != ".log")
    finally:
        os.close(holder)
    key = pool_key(warm.cold, Limits(jobs=1))
    assert left == sorted([key, f"{key}.lock", "held", "held.lock"])
    assert warm_module.sweep(base, but=key) == 1  # now that nobody holds it


def test_a_lock_file_removed_while_waiting_for_it_is_opened_anew(temp):
    path = temp / "pool.lock"
    first = warm_module._locked(path)
    taken: list[int] = []
    waiter = threading.Thread(target=lambda: taken.append(warm_module._locked(path)))
    waiter.start()
    path.unlink()  # as a stopping keeper does, still holding it
    os.close(first)
    waiter.join(10)
    assert taken, "the waiter got a lock"
    assert os.fstat(taken[0]).st_ino == path.stat().st_ino, "on the file now at the path"
    os.close(taken[0])


def test_a_run_that_changes_the_runner_is_its_last(temp, warm, adder, tmp_path):
    """A learner's process may lower the runner's priority or limits (same uid): that run is
    graded, and the next grading gets a new sandbox."""
    nicer = submission(
        tmp_path,
        "nicer",
        "import os\nos.setpriority(os.PRIO_PROCESS, 1, 5)\n\n\n"
        "def add(a, b):\n    return a + b\n\n\ndef neg(x):\n    return -x\n",
    )
    grade_units([reference(adder)], warm, Limits(jobs=1))
    before = sandbox_pids(temp)
    changed = grade_units([Unit("nicer", adder, [nicer])], warm, Limits(jobs=1))["nicer"]
    assert changed.score == changed.max_score
    assert _wait_until(lambda: not before & sandbox_pids(temp)), "that sandbox stopped"
    after = grade_units([reference(adder)], warm, Limits(jobs=1))["reference"]
    assert after.score == after.max_score and warm.served["warm"] == 3


def test_a_grading_that_finds_the_sandbox_busy_runs_in_one_of_its_own(temp, warm, adder, tmp_path):
    loop = submission(tmp_path, "loop", (ATTACKS / "infinite_loop.py").read_text())
    grade_units([reference(adder)], warm, Limits(jobs=1))  # the keeper is up
    busy: dict = {}
    holder = WarmSandbox(warm.cold)
    thread = threading.Thread(
        target=lambda: busy.update(
            grade_units([Unit("loop", adder, [loop])], holder, Limits(jobs=1))
        )
    )
    thread.start()
    runs = Pool.of(warm.cold, Limits(jobs=1)).job_root / "runs"
    assert _wait_until(lambda: any(runs.iterdir())), "the loop's run is staged"
    time.sleep(0.3)  # and named to the keeper
    alongside = grade_units([reference(adder, "alongside")], warm, Limits(jobs=1))["alongside"]
    thread.join()
    assert alongside.score == alongside.max_score
    assert warm.served == {"warm": 1, "cold": 1} and holder.served == {"warm": 1, "cold": 0}
    assert busy["loop"].status == "timeout"


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_grading_takes_its_sandbox_with_it(temp, warm, tmp_path, how):
    workspace = tmp_path / "ws"
    (workspace / "9.1.1-adder").mkdir(parents=True)
    (workspace / "9.1.1-adder" / "calc.py").write_text((ATTACKS / "infinite_loop.py").read_text())
    env = {
        **os.environ,
        "GRADE_CATALOG": str(FIXTURE_CATALOG),
        "GRADE_WORKSPACE": str(workspace),
        "TMPDIR": str(temp),
        "GRADE_KEEP_WARM": "60",
    }
    grader = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "9.1.1", "--sandbox", "bwrap"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert _wait_until(lambda: any(temp.glob("grade-warm-*/*/private/job/runs/*"))), "staged"
    time.sleep(0.5)  # the learner's loop is spinning
    assert sandbox_pids(temp)
    grader.send_signal(how)
    grader.wait(timeout=15)
    assert _wait_until(lambda: not sandbox_pids(temp), 5), "the sandbox outlived its grading"


def test_only_a_bubblewrap_sandbox_is_kept_warm_and_only_when_asked(monkeypatch, warm):
    from grader.sandbox.local import NoSandbox

    monkeypatch.setenv("GRADE_KEEP_WARM", "0")
    assert kept_warm(warm.cold) is warm.cold
    monkeypatch.setenv("GRADE_KEEP_WARM", "30")
    assert isinstance(kept_warm(warm.cold), WarmSandbox)
    assert isinstance(kept_warm(NoSandbox()), NoSandbox)


def test_a_sandbox_started_otherwise_gets_a_keeper_of_its_own(monkeypatch, warm):
    one = pool_key(warm.cold, Limits(jobs=1))
    assert one == pool_key(warm.cold, Limits(jobs=1))
    assert one != pool_key(warm.cold, Limits(jobs=2))
    monkeypatch.setattr(warm_module, "__version__", "another")
    assert one != pool_key(warm.cold, Limits(jobs=1))
