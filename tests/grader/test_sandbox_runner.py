"""The warm parent's own machinery, without a sandbox: which processes it kills, which records
it trusts, what it notices of a rewritten pytest, and the host's watch on its frames."""

from __future__ import annotations

import hmac
import json
from pathlib import Path

import pluggy
import pytest
from _pytest import hookspec

from grader.integrity import Snapshot, foreign_hooks
from grader.sandbox.base import Progress
from grader.sandbox_runner import Running, orphans, verify
from grader.staging import Limits, Unit, stage


def test_orphans_are_descendants_no_running_exercise_owns():
    me, exercise = 1, 10
    table = {
        1: (0, "S"),
        10: (1, "S"),  # a running exercise's child
        11: (10, "S"),  # its own subprocess
        12: (11, "R"),  # and that one's
        20: (1, "R"),  # a daemon re-parented to us: its exercise gave up its subreaper or ended
        21: (20, "R"),  # forked by the daemon
        30: (1, "Z"),  # a zombie, reaped rather than killed
    }
    assert sorted(orphans(table, me, keep={exercise})) == [20, 21, 30]
    assert sorted(orphans(table, me, keep=set())) == [10, 11, 12, 20, 21, 30]


def test_only_our_descendants_are_ever_orphans():
    """Where the runner is not pid 1 (`--sandbox none`), other processes are left alone."""
    table = {1: (0, "S"), 500: (1, "S"), 501: (500, "S"), 600: (1, "S"), 601: (600, "R")}
    assert orphans(table, me=500, keep=set()) == [501]


def signed(key: bytes, record: dict) -> bytes:
    body = json.dumps(record).encode()
    return hmac.new(key, body, "sha256").hexdigest()[:32].encode() + b" " + body + b"\n"


def running(buffer: bytes) -> Running:
    run = Running({"key": "u", "timeout": 3}, pid=1, fd=-1, slot=0, key=b"k" * 32, review=[])
    run.buffer.extend(buffer)
    return run


def test_records_the_reporter_signed_are_kept_in_order():
    key = b"k" * 32
    lines = [
        signed(key, {"seq": 0, "id": "t.py::a", "outcome": "passed", "message": ""}),
        signed(key, {"seq": 1, "done": True, "summary": {"failures": 0}, "tampering": []}),
    ]
    records, done, setup_error, review = verify(running(b"".join(lines)))
    assert records == [{"id": "t.py::a", "outcome": "passed", "message": ""}]
    assert done and done["summary"] == {"failures": 0}
    assert setup_error is None and review == []


def test_lines_written_by_other_code_are_dropped_and_counted():
    key = b"k" * 32
    genuine = signed(key, {"seq": 0, "id": "t.py::a", "outcome": "failed", "message": "no"})
    forged = json.dumps({"seq": 1, "id": "t.py::a", "outcome": "passed"}).encode() + b"\n"
    wrong_key = signed(b"x" * 32, {"seq": 1, "done": True})
    replayed = genuine  # a genuine line again: its number is already used
    records, done, _, review = verify(running(genuine + forged + wrong_key + replayed))
    assert [r["outcome"] for r in records] == ["failed"] and done is None
    assert review == [
        "runtime: 2 line(s) on the result pipe were not written by the grader's reporter "
        "(forged results?)",
        "runtime: 1 result record(s) were replayed or out of order",
    ]


def test_a_rewritten_pytest_function_or_an_added_method_is_noticed(monkeypatch):
    import _pytest.reports
    import _pytest.runner

    snapshot = Snapshot()
    assert snapshot.changes() == []
    monkeypatch.setattr(_pytest.runner, "call_and_report", lambda *a, **k: None)
    monkeypatch.setattr(_pytest.reports.TestReport, "__getattr__", lambda s, n: "passed", False)
    assert snapshot.changes() == [
        "_pytest.runner.call_and_report",
        "_pytest.reports.TestReport.__getattr__ (added)",
    ]
    monkeypatch.undo()
    assert snapshot.changes() == []


class Forger:
    @pluggy.HookimplMarker("pytest")
    def pytest_runtest_logreport(self, report):  # noqa: ANN001
        report.outcome = "passed"


def test_hooks_from_outside_the_grader_are_named():
    manager = pluggy.PluginManager("pytest")
    manager.add_hookspecs(hookspec)
    manager.register(Forger())
    assert foreign_hooks(manager, trusted=("/nowhere",)) == [
        "pytest_runtest_logreport from test_sandbox_runner.py"
    ]
    assert foreign_hooks(manager, trusted=(str(Path(__file__).parent),)) == []


@pytest.mark.parametrize("cut", [0, 3, 10, 20])
def test_progress_sees_a_frame_split_across_chunks(adder, cut):
    job = stage([Unit("u", adder, [adder.solution_root], skip=("wrong",))], Limits())
    job.cleanup()
    progress = Progress("abc", job, started=0.0)
    assert progress.stalled(25.0)  # no greeting within the start-up allowance
    line = b'noise @@GRADE abc {"hello": true}\n'
    progress.feed(line[:cut], now=1.0)
    progress.feed(line[cut:], now=2.0)
    seen = 1.0 if cut >= len(b"noise @@GRADE abc ") else 2.0  # when the frame's tag was whole
    assert not progress.stalled(seen + job.idle_timeout - 0.1)
    assert progress.stalled(seen + job.idle_timeout + 0.1)


def test_the_parent_is_woken_by_a_child_s_exit_not_by_its_next_poll():
    import os
    import select

    from grader.sandbox_runner import exit_fd

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # exits once told to
        os.read(read_end, 1)
        os._exit(7)
    fd = exit_fd(pid)
    try:
        assert fd is not None  # Linux ≥ 5.3: the sandboxes' kernels have pidfds
        assert select.select([fd], [], [], 0)[0] == []  # still running
        os.write(write_end, b"x")
        assert select.select([fd], [], [], 10)[0] == [fd]
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 7
    finally:
        if fd is not None:
            os.close(fd)
        os.close(read_end)
        os.close(write_end)
