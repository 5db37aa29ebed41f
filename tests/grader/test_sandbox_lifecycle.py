"""The sandbox's life around the grader: refusal when none is available, and no survivors when
the grader itself is killed mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from grader.errors import SandboxUnavailable
from grader.sandbox import get_sandbox
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


@pytest.mark.parametrize("sandbox", ["bwrap", "docker"])
def test_killing_the_grader_leaves_nothing_running(tmp_path, sandbox):
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
    env = {**os.environ, "GRADE_CATALOG": str(FIXTURE_CATALOG), "GRADE_WORKSPACE": str(workspace)}
    grader = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "9.1.1", "--sandbox", sandbox],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while not _running(sandbox) and time.monotonic() < deadline:  # wait for the sandbox
        time.sleep(0.1)
    assert _running(sandbox), "the sandbox should be running before the kill"
    time.sleep(0.5)  # the learner's loop is spinning
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    deadline = time.monotonic() + 5
    while _running(sandbox) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(sandbox), f"the {sandbox} sandbox outlived its grader"
    if sandbox == "docker":  # the stopped container is swept by label
        import docker

        from grader.sandbox.container import sweep

        sweep(docker.from_env(), min_age=0)
        assert not _containers(all_states=True)


def _running(sandbox: str) -> bool:
    if sandbox == "docker":
        return bool(_containers(all_states=False))
    found = subprocess.run(["pgrep", "-f", "grader.sandbox_runner"], capture_output=True, text=True)
    return bool(found.stdout.strip())


def _containers(all_states: bool) -> list:
    import docker

    from grader.image import LABEL

    return docker.from_env().containers.list(all=all_states, filters={"label": f"{LABEL}=run"})


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
