"""Adversarial submissions in the real sandbox: each gets the right status and an honest score,
the host is untouched, nothing is left running, and the grader returns in time."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import time

import pytest

from grader.grading import grade_units
from grader.models import RunStatus, TestStatus
from grader.sandbox.bwrap import BwrapSandbox
from grader.staging import Limits, Unit
from tests.conftest import ATTACKS

FULL = 8
HOGS = {"infinite_loop", "fork_bomb", "memory_bomb"}
STARTUP = 1.5  # a sandbox's own start-up and imports
TEST_UID = 61077  # a uid of its own, so that leftovers are ours and not another grader's


@pytest.fixture(scope="module")
def attacked(request, tmp_path_factory):
    """Grade the reference, the wrong variant and every attack in one sandbox run."""
    request.getfixturevalue("bwrap")  # skips when bubblewrap is unavailable
    sandbox = BwrapSandbox(uid=TEST_UID)
    from grader.catalog import Catalog
    from tests.conftest import FIXTURE_CATALOG

    adder = Catalog(FIXTURE_CATALOG).get("9.1.1")
    units = [
        Unit("reference", adder, [adder.solution_root]),
        Unit("starter", adder, [adder.starter_dir]),
        Unit("wrong", adder, [adder.solution_root, *adder.wrong_dirs]),
    ]
    for attack in sorted(ATTACKS.glob("*.py")):
        folder = tmp_path_factory.mktemp(attack.stem)
        shutil.copyfile(attack, folder / "calc.py")
        units.append(Unit(attack.stem, adder, [folder]))
    # Runaway code shares the sandbox's CPUs and process budget with the exercises beside it,
    # so the hogs run in a sandbox of their own, as they would for a learner who wrote them.
    hogs = [u for u in units if u.key in HOGS]
    rest = [u for u in units if u.key not in HOGS]
    mp = pytest.MonkeyPatch()
    mp.setenv("GRADER_SECRET", "do-not-leak")
    started = time.monotonic()
    try:
        results = grade_units(hogs, sandbox, Limits(jobs=2))
        results.update(grade_units(rest, sandbox, Limits(jobs=2)))
    finally:
        mp.undo()
    elapsed = time.monotonic() - started
    budget = adder.meta.timeout * (math.ceil(len(hogs) / 2) + 1) + 2 * STARTUP
    return results, elapsed, budget


def score(attacked, key):
    return attacked[0][key].score


def test_honest_and_wrong_solutions_score_exactly(attacked):
    results, _, _ = attacked
    assert results["reference"].score == FULL and results["reference"].passed
    assert results["starter"].score == 0
    assert results["wrong"].score == 1  # only test_negates passes


@pytest.mark.parametrize("attack", ["infinite_loop", "fork_bomb"])
def test_runaway_code_times_out_with_zero(attacked, attack):
    result = attacked[0][attack]
    assert result.status is RunStatus.timeout
    assert result.score == 0
    assert "longer than 3 s" in result.message


def test_memory_bomb_is_out_of_memory(attacked):
    result = attacked[0]["memory_bomb"]
    assert result.status is RunStatus.oom
    assert result.score == 0


@pytest.mark.parametrize("attack", ["os_exit", "forged_output"])
def test_exiting_early_or_forging_output_scores_zero(attacked, attack):
    result = attacked[0][attack]
    assert result.status is RunStatus.crash
    assert result.score == 0
    assert all(t.status is TestStatus.crash for t in result.tests)


def test_sys_exit_at_import_is_a_clear_per_test_error(attacked):
    result = attacked[0]["sys_exit"]
    assert result.score == 0
    assert all(t.status is TestStatus.failed for t in result.tests)
    assert "calc.py: the module called sys.exit(0) while being imported" in result.tests[0].message


def test_pytest_exit_cannot_skip_the_hidden_tests(attacked):
    result = attacked[0]["pytest_exit"]
    assert result.score == 0


@pytest.mark.parametrize("attack", ["huge_output", "daemon", "thread_forever"])
def test_noise_that_does_not_change_behaviour_keeps_the_honest_score(attacked, attack):
    result = attacked[0][attack]
    assert result.status is RunStatus.ok, result.message
    assert result.score == FULL


def test_segfault_keeps_the_results_reported_before_it(attacked):
    result = attacked[0]["segfault"]
    assert result.status is RunStatus.crash
    assert "SIGSEGV" in result.message
    assert result.score == FULL - 1


def test_sandbox_hides_the_host(attacked):
    """probe_isolation.py answers wrong if it sees host files, secrets, network or writes."""
    result = attacked[0]["probe_isolation"]
    assert result.score == FULL, [t.message for t in result.tests if t.status != "passed"]


def test_grader_returns_in_time(attacked):
    _, elapsed, budget = attacked
    assert elapsed < budget + 2


def test_nothing_is_left_running(attacked):
    if os.geteuid() == 0:
        pattern = ["-u", str(TEST_UID)]
    else:  # the sandbox runs as our own user: look for its runner instead
        pattern = ["-f", "grader.sandbox_runner"]
    deadline = time.monotonic() + 2  # the kernel tears the namespaces down asynchronously
    while True:
        found = subprocess.run(["pgrep", *pattern], capture_output=True, text=True)
        if not found.stdout.strip() or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert found.stdout.strip() == "", "processes of the sandbox user survived the run"
