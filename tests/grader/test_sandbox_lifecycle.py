"""The sandbox's life around the grader: refusal when none is available, no survivors and no
staged files left for long when the grader itself is killed mid-run, and a host that gives up
on a runner that stops reporting."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.errors import SandboxUnavailable
from grader.results import outcomes
from grader.sandbox import get_sandbox
from grader.sandbox.base import Progress, supervise
from grader.staging import JOB_PREFIX, Limits, Unit, stage, sweep_stale_jobs
from tests.conftest import ATTACKS, FIXTURE_CATALOG


def test_no_sandbox_means_refusal_never_running_unsandboxed(monkeypatch):
    import docker

    monkeypatch.setattr("grader.sandbox.bwrap.shutil.which", lambda name: None)
    monkeypatch.setattr(
        docker,
        "from_env",
        lambda **kw: (_ for _ in ()).throw(docker.errors.DockerException("no engine")),
    )
    with pytest.raises(SandboxUnavailable) as err:
        get_sandbox("auto")
    assert err.value.code == "no-sandbox"
    assert "--sandbox none" in err.value.next_step
    with pytest.raises(SandboxUnavailable, match="bubblewrap"):
        get_sandbox("bwrap")


def test_docker_engine_without_image_says_how_to_build_it(monkeypatch):
    from grader.sandbox.container import DockerSandbox

    try:
        DockerSandbox()
    except SandboxUnavailable as exc:
        if exc.code == "no-docker":
            pytest.skip("no Docker engine")
    with pytest.raises(SandboxUnavailable) as err:
        DockerSandbox(image="fastapi-sqlalchemy-exercises-grader:does-not-exist")
    assert err.value.code == "no-image" and "grade image build" in err.value.next_step


@pytest.fixture
def temp() -> Iterator[Path]:
    """A temporary folder of the grader's own, which a root grader's sandbox uid can traverse
    (pytest's tmp_path lies below a 0700 folder)."""
    folder = Path(tempfile.mkdtemp(prefix="grade-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("sandbox", ["bwrap", "docker"])
def test_killing_the_grader_leaves_nothing_running(tmp_path, temp, sandbox):
    """Nothing of the sandbox survives, and the next grader sweeps the staged job (the
    learner's files and the hidden tests) that the killed one left in the temporary folder."""
    grader = _grading_an_endless_loop(tmp_path, temp, sandbox)
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    deadline = time.monotonic() + 5
    while _running(sandbox, temp) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(sandbox, temp), f"the {sandbox} sandbox outlived its grader"
    if sandbox == "docker":  # the stopped container is swept by label
        import docker

        from grader.sandbox.container import sweep

        sweep(docker.from_env(), min_age=0)
        assert not _containers(temp, all_states=True)
    left = list(temp.glob(f"{JOB_PREFIX}*"))
    assert left, "the killed grader's staged job is what the next start must sweep"
    assert sweep_stale_jobs(temp) == left
    assert not list(temp.iterdir())


@pytest.mark.parametrize("sandbox", ["bwrap", "docker"])
def test_ctrl_c_stops_the_sandbox_and_removes_the_job_before_the_grader_exits(
    tmp_path, temp, sandbox
):
    grader = _grading_an_endless_loop(tmp_path, temp, sandbox)
    grader.send_signal(signal.SIGINT)
    assert grader.wait(timeout=15) != 0
    assert not _running(sandbox, temp), f"the {sandbox} sandbox outlived Ctrl-C"
    if sandbox == "docker":  # removed, not only stopped
        assert not _containers(temp, all_states=True)
    assert not list(temp.iterdir()), "the staged job is removed"


def _grading_an_endless_loop(tmp_path: Path, temp: Path, sandbox: str) -> subprocess.Popen:
    """`grade 9.1.1` of a learner's endless loop, once its sandbox runs and the loop spins."""
    if sandbox == "docker":
        from grader.sandbox.container import DockerSandbox

        try:
            DockerSandbox()
        except SandboxUnavailable as exc:
            if os.environ.get("REQUIRE_DOCKER"):
                raise
            pytest.skip(str(exc))
    workspace = tmp_path / "ws"
    (workspace / "9.1.1-adder").mkdir(parents=True)
    (workspace / "9.1.1-adder" / "calc.py").write_text((ATTACKS / "infinite_loop.py").read_text())
    env = {  # this grader's jobs, and so its sandbox, are told apart by its TMPDIR
        **os.environ,
        "GRADE_CATALOG": str(FIXTURE_CATALOG),
        "GRADE_WORKSPACE": str(workspace),
        "TMPDIR": str(temp),
    }
    grader = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "9.1.1", "--sandbox", sandbox],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # Ctrl-C reaches it as in a terminal, even when these tests run in the background
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 15
    while not _running(sandbox, temp) and time.monotonic() < deadline:  # wait for the sandbox
        time.sleep(0.1)
    assert _running(sandbox, temp), "the sandbox should be running before the signal"
    time.sleep(0.5)  # the learner's loop is spinning
    return grader


def _running(sandbox: str, temp: Path) -> bool:
    """Whether a sandbox of the grader whose temporary folder is `temp` still runs (other
    graders on this machine may run sandboxes of their own)."""
    if sandbox == "docker":
        return bool(_containers(temp, all_states=False))
    marker = str(temp).encode()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        for name in ("cmdline", "mountinfo"):  # the bwrap process, and any process inside
            try:
                if marker in Path(f"/proc/{pid}/{name}").read_bytes():
                    return True
            except OSError:
                pass
    return False


def _containers(temp: Path, all_states: bool) -> list:
    import docker

    from grader.image import LABEL

    found = docker.from_env().containers.list(all=all_states, filters={"label": f"{LABEL}=run"})
    return [
        c
        for c in found
        if any(str(m.get("Source", "")).startswith(str(temp)) for m in c.attrs.get("Mounts", []))
    ]


RUNNER_THAT_STOPS = """
import sys, time
nonce = sys.stdin.readline().strip()
print(f"@@GRADE {nonce} " + '{"hello": true, "units": 1}', flush=True)
time.sleep(120)
"""


def test_a_runner_that_stops_reporting_is_given_up_within_the_exercise_limit(adder):
    """Whatever stops the runner (a signal, starvation), the host waits no longer than the
    longest exercise plus a grace after its last frame, not the whole run's wall time."""
    job = stage([Unit("u", adder, [adder.solution_root], skip=("wrong",))], Limits())
    try:
        started = time.monotonic()
        raw = supervise([sys.executable, "-c", RUNNER_THAT_STOPS], job, env=dict(os.environ))
        elapsed = time.monotonic() - started
    finally:
        job.cleanup()
    assert raw.stalled and raw.wall_timed_out
    assert elapsed < job.idle_timeout + 2 < job.wall_timeout
    verdict = outcomes(raw, ["u"], {"u": 3})["u"]
    assert verdict.status == "timeout" and "stopped reporting" in verdict.message


def test_docker_stream_that_stops_reporting_is_given_up(adder):
    from grader.sandbox.container import _read_frames

    job = stage([Unit("u", adder, [adder.solution_root], skip=("wrong",))], Limits())
    job.cleanup()
    ours, theirs = socket.socketpair()
    hello = b'@@GRADE nonce {"hello": true}\n'
    theirs.sendall(b"\x01\x00\x00\x00" + len(hello).to_bytes(4, "big") + hello)
    started = time.monotonic()
    progress = Progress("nonce", job, started)
    progress.idle = 0.5
    out, _err, timed_out, _exceeded, stalled = _read_frames(ours, started + 60, 1 << 20, progress)
    theirs.close()
    assert out == hello and timed_out and stalled
    assert time.monotonic() - started < 2


def test_auto_prefers_docker_and_results_record_the_image(adder):
    from grader.grading import grade_units, report
    from grader.image import image_tag
    from grader.sandbox.container import DockerSandbox
    from grader.staging import Unit

    try:
        DockerSandbox()
    except SandboxUnavailable as exc:
        if os.environ.get("REQUIRE_DOCKER"):
            raise
        pytest.skip(str(exc))
    box = get_sandbox("auto")
    assert box.name == "docker" and box.tag == image_tag()
    results = grade_units([Unit("u", adder, [adder.solution_root], skip=("wrong",))], box)
    graded = report(box, list(results.values()), time.monotonic())
    assert graded.passed and graded.image_digest and graded.image_digest.startswith("sha256:")
    assert graded.exercises[0].suite_hash


def test_a_submission_refused_while_the_sandbox_starts_leaves_no_runner_and_no_job(
    tmp_path, adder, monkeypatch
):
    """The job is staged while its runner imports; a refusal then kills the runner at once
    (it never got its nonce) and removes the job."""
    from grader.grading import grade_units
    from grader.safetree import UnsafeSubmission
    from grader.sandbox.local import NoSandbox

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    submission = tmp_path / "submission"
    shutil.copytree(adder.solution_root, submission, ignore=shutil.ignore_patterns("wrong"))
    (submission / "secrets.py").symlink_to("/etc/passwd")
    runners: list[subprocess.Popen] = []
    real_popen = subprocess.Popen

    def recording(*args, **kwargs):
        runners.append(real_popen(*args, **kwargs))
        return runners[-1]

    monkeypatch.setattr(subprocess, "Popen", recording)
    with pytest.raises(UnsafeSubmission):
        grade_units([Unit("u", adder, [submission])], NoSandbox())
    assert len(runners) == 1 and runners[0].returncode is not None  # started, then killed
    assert not list(scratch.glob(f"{JOB_PREFIX}*"))


def test_an_interrupted_grading_kills_its_sandbox_before_the_interrupt_goes_on(adder):
    """Ctrl-C while a sandbox runs: the runner's whole group is killed and reaped before the
    KeyboardInterrupt leaves `supervise`, not left to die with the grader."""
    job = stage([Unit("u", adder, [adder.solution_root], skip=("wrong",))], Limits())
    spawned: list[subprocess.Popen] = []
    real_popen = subprocess.Popen

    def recording(*args, **kwargs):
        spawned.append(real_popen(*args, **kwargs))
        return spawned[-1]

    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        subprocess.Popen = recording
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(KeyboardInterrupt):
            supervise([sys.executable, "-c", RUNNER_THAT_STOPS], job, env=dict(os.environ))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        subprocess.Popen = real_popen
        job.cleanup()
    [runner] = spawned
    assert runner.returncode == -signal.SIGKILL  # reaped by supervise itself
