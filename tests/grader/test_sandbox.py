"""Adversarial submissions in each real sandbox: each gets the right status and an honest score,
the host is untouched, nothing is left running, and the grader returns in time."""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.catalog import Catalog
from grader.errors import SandboxUnavailable
from grader.grading import grade_units
from grader.models import RunStatus, TestStatus
from grader.sandbox.bwrap import BwrapSandbox
from grader.sandbox.warm import WarmSandbox, stop_keepers
from grader.staging import Limits, Unit
from grader.variants import load, materialise
from tests.conftest import ATTACKS, FIXTURE_CATALOG

FULL = 8
HOGS = {"infinite_loop", "fork_bomb", "recursion_bomb"}
# Each of these gets a sandbox to itself: one kills every process of its user it can reach, the
# others press on the sandbox's memory limit, which would starve whatever ran beside them.
ALONE = {"kill_parent", "memory_bomb", "multi_memory_bomb", "prlimit_runner"}
# These run one at a time, in this order, in a sandbox of their own: each leaves something behind
# (a stopped runner, a spinning daemon, a full /tmp) that the next exercise must not meet.
SKIP = ("wrong", "alternatives")  # the reference's copy leaves its variants out
SEQUENCE = ["stop_parent", "setsid_spinner", "probe_leftovers", "fill_tmp", "probe_leftovers"]
STARTUP = 2.0  # a sandbox's own start-up and imports
TEST_UID = 61077  # bwrap as root: a uid of its own, apart from `grade`'s
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
    if name.startswith("warm-"):  # the runner stays up between gradings; each is a run
        box = WarmSandbox(make_sandbox(name.removeprefix("warm-")))
        box.idle = 60
        return box
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


@pytest.fixture(scope="module")
def job_temp(tmp_path_factory) -> Iterator[Path]:
    """Where this module's jobs are staged: what is left of its sandboxes is found by it, not
    confused with other graders' on this machine."""
    tmp_path_factory.getbasetemp()  # pytest's own temporary folders stay where they are
    folder = Path(tempfile.mkdtemp(prefix="grade-test-"))
    folder.chmod(0o755)  # a root grader's sandbox uid traverses it to its bind mounts
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tempfile, "tempdir", str(folder))
        yield folder
    shutil.rmtree(folder, ignore_errors=True)


def warm_served_all(sandbox, gradings: int) -> None:
    """A kept-warm sandbox graded every run through its keeper (none fell back to cold), and
    its keepers stop when asked."""
    if isinstance(sandbox, WarmSandbox):
        assert sandbox.served == {"warm": gradings, "cold": 0}
        stop_keepers()


@pytest.fixture(scope="module", params=["bwrap", "docker", "warm-bwrap", "warm-docker"])
def attacked(request, tmp_path_factory, job_temp):
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
    host_paths = [str(canary), str(PROJECT), f"{job_temp}/grade-"]
    for attack in sorted(ATTACKS.glob("*.py")):
        if attack.stem in SEQUENCE:
            continue
        units.append(
            Unit(attack.stem, adder, [attack_folder(tmp_path_factory, attack, host_paths)])
        )
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
        for unit in alone:  # each followed by an honest exercise, in its sandbox
            after = Unit(f"after_{unit.key}", adder, [adder.solution_root], skip=SKIP)
            results.update(grade_units([unit, after], sandbox, Limits(jobs=1)))
    finally:
        mp.undo()
    elapsed = time.monotonic() - started
    warm_served_all(sandbox, 2 + len(alone))
    runs = math.ceil(len(hogs) / 2) + 1 + len(alone)  # each at most one timeout long
    budget = adder.meta.timeout * runs + (2 + len(alone)) * STARTUP
    assert canary.read_text() == "host secret"
    return request.param, results, elapsed, budget, job_temp


def attack_folder(tmp_path_factory, attack: Path, host_paths: list[str] = ()) -> Path:
    folder = tmp_path_factory.mktemp(attack.stem)
    source = attack.read_text().replace(
        "HOST_PATHS: list[str] = []", f"HOST_PATHS = {host_paths!r}"
    )
    (folder / "calc.py").write_text(source)
    if attack.stem == "planted_conftest":
        (folder / "conftest.py").write_text(PASS_EVERYTHING)
    return folder


@pytest.fixture(scope="module", params=["bwrap", "docker", "warm-bwrap", "warm-docker"])
def sequenced(request, tmp_path_factory, job_temp):
    """The attacks that leave something behind, one after another in one sandbox, each
    followed by honest exercises: what they left must be gone before the next one starts."""
    sandbox = make_sandbox(request.param)
    adder = Catalog(FIXTURE_CATALOG).get("9.1.1")
    units = []
    for index, name in enumerate([*SEQUENCE, "reference"]):
        key = f"{index}-{name}"
        if name == "reference":
            units.append(Unit(key, adder, [adder.solution_root], skip=("wrong", "alternatives")))
        else:
            units.append(
                Unit(key, adder, [attack_folder(tmp_path_factory, ATTACKS / f"{name}.py")])
            )
    started = time.monotonic()
    results = grade_units(units, sandbox, Limits(jobs=1, tmp_mb=64, shared_tmp_mb=16))
    elapsed = time.monotonic() - started
    warm_served_all(sandbox, 1)
    budget = sum(adder.meta.timeout for _ in units) + STARTUP
    return request.param, results, elapsed, budget, job_temp


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


def test_killing_the_runner_from_inside_fails_and_the_next_exercise_is_graded(attacked):
    """The runner is the sandbox's pid 1: the learner's code can't kill it."""
    graded = result(attacked, "kill_parent")
    assert graded.score == 0
    assert "static scan: calc.py:7 uses os.kill (signals another process)" in graded.review
    assert result(attacked, "after_kill_parent").score == FULL


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


@pytest.mark.parametrize("attack", ["forge_reporter", "forge_pipe", "forged_output"])
def test_forgery_is_flagged_and_scores_no_more_than_honest_code(attacked, attack):
    """forge_reporter rewrites every record as passed through the runner's own reporter;
    forge_pipe writes 'passed' records to the result pipe and leaves with os._exit(0). Neither
    solves anything: honest code like it scores 0. Both are flagged, statically and at run
    time, whatever they score."""
    graded = result(attacked, attack)
    assert graded.score == 0, graded.tests
    assert any(r.startswith("static scan:") for r in graded.review), graded.review
    assert any(r.startswith("runtime:") for r in graded.review), graded.review


def test_a_rewritten_reporter_is_named(attacked):
    review = result(attacked, "forge_reporter").review
    assert "runtime: the grader's reporter was altered (_write)" in review
    assert any("pytest recorded 5 test(s) as failed" in r for r in review), review


def test_records_written_to_the_pipe_are_dropped_as_forged(attacked):
    graded = result(attacked, "forge_pipe")
    assert graded.status is RunStatus.crash
    assert any("were not written by the grader's reporter" in r for r in graded.review)


def test_lowering_the_runners_limits_costs_only_that_sandbox_and_names_the_culprit(attacked):
    graded = result(attacked, "prlimit_runner")
    assert graded.status is RunStatus.no_results and graded.score == 0
    assert graded.message == "the sandbox ended while this exercise ran"
    assert graded.review == [
        "static scan: calc.py:7 uses another process's resource limits (prlimit)"
    ]
    after = result(attacked, "after_prlimit_runner")
    assert after.message == "the sandbox ended before this exercise started"


def test_honest_code_is_never_flagged(attacked):
    for key in ("reference", "starter", "wrong", "after_memory_bomb", "after_kill_parent"):
        assert result(attacked, key).review == [], key


def test_hidden_tests_read_and_raised_show_only_a_short_first_line(attacked):
    graded = result(attacked, "read_hidden_tests")
    assert graded.score == 0
    for test in graded.tests:
        assert "\n" not in test.message and len(test.message) <= 200, test.message
        assert "task(1)" not in test.message and "def test_" not in test.message


def test_grader_returns_in_time(attacked):
    _, _, elapsed, budget, _ = attacked
    assert elapsed < budget + 2


def test_stopping_the_runner_changes_nothing(sequenced):
    """SIGSTOP to the runner (the sandbox's pid 1) is dropped by the kernel."""
    graded = sequenced[1]["0-stop_parent"]
    assert graded.status is RunStatus.ok and graded.score == FULL, graded.message


@pytest.mark.parametrize("key", ["2-probe_leftovers", "4-probe_leftovers", "5-reference"])
def test_nothing_an_exercise_left_meets_the_next(sequenced, key):
    """A setsid daemon that re-forks and spins, a full /tmp and a full working folder are all
    gone before the next exercise starts."""
    graded = sequenced[1][key]
    assert graded.score == FULL, [t.message for t in graded.tests if t.status != "passed"]


def test_leaving_things_behind_keeps_the_honest_score(sequenced):
    for key in ("1-setsid_spinner", "3-fill_tmp"):
        graded = sequenced[1][key]
        assert graded.status is RunStatus.ok and graded.score == FULL, graded.message


def test_a_sequence_of_attacks_returns_in_time(sequenced):
    _, _, elapsed, budget, _ = sequenced
    assert elapsed < budget + 2


def test_nothing_is_left_running(attacked):
    name, temp = attacked[0], attacked[-1]
    deadline = time.monotonic() + 2  # the kernel and the engine tear down asynchronously
    while True:
        left = leftovers(name, temp)
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert not left, f"left running after the {name} sandbox: {left}"
    assert not list(temp.glob("grade-job-*")), "staged jobs are removed after each run"


def test_nothing_is_left_running_after_the_sequence(sequenced):
    test_nothing_is_left_running(sequenced)


def leftovers(name: str, temp: Path) -> list[str]:
    """Processes or containers of the sandboxes whose jobs were staged in `temp`."""
    if name.endswith("docker"):
        import docker

        from grader.image import LABEL

        client = docker.from_env()
        return [
            c.name
            for c in client.containers.list(all=True, filters={"label": LABEL})
            if any(str(m.get("Source", "")).startswith(str(temp)) for m in c.attrs["Mounts"])
        ]
    marker, found = str(temp).encode(), []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        for what in ("cmdline", "mountinfo"):  # the bwrap process, and any process inside
            try:
                if marker in Path(f"/proc/{pid}/{what}").read_bytes():
                    found.append(pid)
                    break
            except OSError:
                pass
    return found
