"""Adversarial submissions in each real sandbox: each gets the right status and an honest score,
the host is untouched, nothing is left running, and the grader returns in time."""

from __future__ import annotations

import math
import os
import subprocess
import time
from pathlib import Path

import pytest

from grader.catalog import Catalog
from grader.errors import SandboxUnavailable
from grader.grading import grade_units
from grader.models import RunStatus, TestStatus
from grader.sandbox.bwrap import BwrapSandbox
from grader.staging import Limits, Unit
from grader.variants import load, materialise
from tests.conftest import ATTACKS, FIXTURE_CATALOG

FULL = 8
HOGS = {"infinite_loop", "fork_bomb", "recursion_bomb"}
# Each of these gets a sandbox to itself: one takes its whole sandbox down, the others press on
# the sandbox's memory limit, which would starve whatever ran beside them.
ALONE = {"kill_parent", "memory_bomb", "multi_memory_bomb"}
STARTUP = 2.0  # a sandbox's own start-up and imports
TEST_UID = 61077  # bwrap as root: a uid of its own, so that leftovers are ours alone
PROJECT = Path(__file__).resolve().parents[2]
PASS_EVERYTHING = """
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
"""


def make_sandbox(name: str):
    if name == "bwrap":
        try:
            return BwrapSandbox(uid=TEST_UID)
        except SandboxUnavailable as exc:
            pytest.skip(f"bubblewrap unavailable: {exc}")
    from grader.sandbox.container import DockerSandbox

    try:
        return DockerSandbox()
    except SandboxUnavailable as exc:
        if os.environ.get("REQUIRE_DOCKER"):
            raise
        pytest.skip(f"docker unavailable: {exc}")


@pytest.fixture(scope="module", params=["bwrap", "docker"])
def attacked(request, tmp_path_factory):
    """Grade the reference, the wrong variant and every attack; return results and timing."""
    sandbox = make_sandbox(request.param)
    adder = Catalog(FIXTURE_CATALOG).get("9.1.1")
    canary = tmp_path_factory.mktemp("host") / "canary.txt"
    canary.write_text("host secret")
    wrong = tmp_path_factory.mktemp("wrong")
    materialise(load(adder.wrong_patches[0]), adder.solution_root, wrong)
    units = [
        Unit("reference", adder, [adder.solution_root], skip=("wrong", "alternatives")),
        Unit("starter", adder, [adder.starter_dir]),
        Unit("wrong", adder, [wrong]),
    ]
    for attack in sorted(ATTACKS.glob("*.py")):
        folder = tmp_path_factory.mktemp(attack.stem)
        source = attack.read_text().replace(
            "HOST_PATHS: list[str] = []", f"HOST_PATHS = {[str(canary), str(PROJECT)]!r}"
        )
        (folder / "calc.py").write_text(source)
        if attack.stem == "planted_conftest":
            (folder / "conftest.py").write_text(PASS_EVERYTHING)
        units.append(Unit(attack.stem, adder, [folder]))
    # Runaway code shares the sandbox's CPUs and process budget with the exercises beside it,
    # so the hogs run in a sandbox of their own, as they would for a learner who wrote them.
    hogs = [u for u in units if u.key in HOGS]
    alone = [u for u in units if u.key in ALONE]
    rest = [u for u in units if u.key not in HOGS | ALONE]
    mp = pytest.MonkeyPatch()
    mp.setenv("GRADER_SECRET", "do-not-leak")
    started = time.monotonic()
    try:
        results = grade_units(hogs, sandbox, Limits(jobs=2))
        results.update(grade_units(rest, sandbox, Limits(jobs=2)))
        for unit in alone:
            results.update(grade_units([unit], sandbox, Limits(jobs=1)))
    finally:
        mp.undo()
    elapsed = time.monotonic() - started
    runs = math.ceil(len(hogs) / 2) + 1 + len(alone)  # each at most one timeout long
    budget = adder.meta.timeout * runs + (2 + len(alone)) * STARTUP
    assert canary.read_text() == "host secret"
    return request.param, results, elapsed, budget


def result(attacked, key):
    return attacked[1][key]


def test_honest_and_wrong_solutions_score_exactly(attacked):
    assert result(attacked, "reference").score == FULL and result(attacked, "reference").passed
    assert result(attacked, "starter").score == 0
    assert result(attacked, "wrong").score == 1  # only test_negates passes


@pytest.mark.parametrize("attack", ["infinite_loop", "fork_bomb"])
def test_runaway_code_times_out_with_zero(attacked, attack):
    graded = result(attacked, attack)
    assert graded.status is RunStatus.timeout
    assert graded.score == 0
    assert "longer than 3 s" in graded.message


def test_memory_bomb_is_out_of_memory(attacked):
    graded = result(attacked, "memory_bomb")
    assert graded.status is RunStatus.oom, graded.message
    assert graded.score == 0


@pytest.mark.parametrize("attack", ["multi_memory_bomb", "recursion_bomb"])
def test_slow_memory_exhaustion_scores_zero_with_a_status(attacked, attack):
    """Seven processes filling memory, or a deep recursion, take time as well as memory:
    whichever limit they reach first is the status."""
    graded = result(attacked, attack)
    assert graded.status in (RunStatus.oom, RunStatus.timeout, RunStatus.crash), graded.message
    assert graded.score == 0


def test_killing_the_sandbox_from_inside_scores_zero(attacked):
    graded = result(attacked, "kill_parent")
    assert graded.status in (RunStatus.no_results, RunStatus.crash), graded.message
    assert graded.score == 0


def test_a_planted_conftest_is_never_loaded(attacked):
    assert result(attacked, "planted_conftest").score == 0


@pytest.mark.parametrize("attack", ["os_exit", "forged_output"])
def test_exiting_early_or_forging_output_scores_zero(attacked, attack):
    graded = result(attacked, attack)
    assert graded.status is RunStatus.crash
    assert graded.score == 0
    assert all(t.status is TestStatus.crash for t in graded.tests)


def test_sys_exit_at_import_is_a_clear_per_test_failure(attacked):
    graded = result(attacked, "sys_exit")
    assert graded.score == 0
    assert all(t.status is TestStatus.failed for t in graded.tests)
    assert "calc.py: the module called sys.exit(0) while being imported" in graded.tests[0].message


def test_pytest_exit_cannot_skip_the_hidden_tests(attacked):
    assert result(attacked, "pytest_exit").score == 0


@pytest.mark.parametrize("attack", ["huge_output", "daemon", "thread_forever", "big_files"])
def test_noise_that_does_not_change_behaviour_keeps_the_honest_score(attacked, attack):
    graded = result(attacked, attack)
    assert graded.status is RunStatus.ok, graded.message
    assert graded.score == FULL


def test_segfault_keeps_the_results_reported_before_it(attacked):
    graded = result(attacked, "segfault")
    assert graded.status is RunStatus.crash
    assert "SIGSEGV" in graded.message
    assert graded.score == FULL - 1


def test_sandbox_hides_the_host(attacked):
    """probe_isolation.py answers wrong if it sees host files, secrets, network or writes."""
    graded = result(attacked, "probe_isolation")
    assert graded.score == FULL, [t.message for t in graded.tests if t.status != "passed"]


def test_grader_returns_in_time(attacked):
    _, _, elapsed, budget = attacked
    assert elapsed < budget + 2


def test_nothing_is_left_running(attacked):
    name = attacked[0]
    deadline = time.monotonic() + 2  # the kernel and the engine tear down asynchronously
    while True:
        left = _leftovers(name)
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert not left, f"left running after the {name} sandbox: {left}"


def _leftovers(name: str) -> str:
    if name == "docker":
        import docker

        from grader.image import LABEL

        client = docker.from_env()
        return " ".join(c.name for c in client.containers.list(all=True, filters={"label": LABEL}))
    if os.geteuid() == 0:
        pattern = ["-u", str(TEST_UID)]
    else:  # the sandbox runs as our own user: look for its runner instead
        pattern = ["-f", "grader.sandbox_runner"]
    return subprocess.run(["pgrep", *pattern], capture_output=True, text=True).stdout.strip()
