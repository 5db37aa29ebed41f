from __future__ import annotations

import json
import signal

import pytest

from grader.models import RunStatus
from grader.results import (
    CORRECTED,
    check_against_pytest,
    clean_text,
    outcomes,
    read_frames,
    sandbox_started,
)
from grader.sandbox.base import RawRun
from grader.sandbox_runner import short_message

NONCE = "ab" * 16


def frame(payload, nonce=NONCE):
    return f"@@GRADE {nonce} {json.dumps(payload)}\n".encode()


def raw(*lines: bytes, **kw) -> RawRun:
    return RawRun(nonce=NONCE, stdout=b"".join(lines), stderr=b"", returncode=0, **kw)


def unit(**kw):
    return {"unit": "u", "records": [], "done": True, "timed_out": False, "code": 0, **kw}


def test_frames_with_another_nonce_are_ignored():
    run = raw(frame(unit(), nonce="00" * 16), b"8 passed in 0.01s\n")
    assert read_frames(run) == {}
    assert outcomes(run, ["u"], {"u": 3})["u"].status is RunStatus.no_results


def test_first_frame_of_a_unit_wins():
    run = raw(frame(unit(records=[{"id": "a"}])), frame(unit(records=[{"id": "b"}])))
    assert read_frames(run)["u"]["records"] == [{"id": "a"}]


def test_hello_frame_proves_the_sandbox_started():
    assert sandbox_started(raw(frame({"hello": True, "units": 1})))
    assert not sandbox_started(raw(frame({"hello": True}, nonce="00" * 16)))


def test_statuses():
    cases = {
        "t": (unit(timed_out=True, code=None, signal=9), RunStatus.timeout),
        "x": (unit(signal=signal.SIGXCPU), RunStatus.timeout),
        "s": (unit(signal=signal.SIGSEGV), RunStatus.crash),
        "e": (unit(done=False, code=0), RunStatus.crash),
        "m": (unit(records=[{"id": "a", "message": "MemoryError"}]), RunStatus.oom),
        "k": (unit(), RunStatus.ok),
        "c": (unit(records=[{"collect_error": "x.py", "message": "boom"}]), RunStatus.crash),
    }
    run = raw(*(frame({**payload, "unit": key}) for key, (payload, _) in cases.items()))
    verdicts = outcomes(run, list(cases), {k: 3 for k in cases})
    assert {k: v.status for k, v in verdicts.items()} == {k: want for k, (_, want) in cases.items()}
    assert "SIGSEGV" in verdicts["s"].message
    assert "sys.exit() or os._exit()" in verdicts["e"].message
    assert verdicts["c"].message == "the hidden tests could not be loaded: boom"


def test_missing_frame_reports_why_the_sandbox_stopped():
    assert outcomes(raw(wall_timed_out=True), ["u"], {})["u"].status is RunStatus.timeout
    assert outcomes(raw(output_exceeded=True), ["u"], {})["u"].status is RunStatus.output_limit


def test_a_stalled_sandbox_says_so():
    verdict = outcomes(raw(wall_timed_out=True, stalled=True), ["u"], {})["u"]
    assert verdict.status is RunStatus.timeout and "stopped reporting" in verdict.message


ADDS, NEG = "t.py::test_adds", "t.py::test_neg"


def tally(**kw):
    return {"exitstatus": 0, "failures": 0, "failed_ids": [], "passed": 2, **kw}


def test_records_that_agree_with_pytest_are_not_flagged():
    records = [{"id": ADDS, "outcome": "passed"}, {"id": NEG, "outcome": "passed"}]
    assert check_against_pytest(records, tally(), []) == ([], [])
    failing = [{"id": ADDS, "outcome": "passed"}, {"id": NEG, "outcome": "failed"}]
    agreed = tally(exitstatus=1, failures=1, failed_ids=[NEG], passed=1)
    assert check_against_pytest(failing, agreed, []) == ([], [])


def test_passes_pytest_counted_as_failures_are_flagged_and_put_back():
    forged = [{"id": ADDS, "outcome": "passed"}, {"id": NEG, "outcome": "passed"}]
    truth = tally(exitstatus=1, failures=1, failed_ids=[NEG], passed=1)
    reasons, corrections = check_against_pytest(forged, truth, [])
    assert corrections == [{"id": NEG, "outcome": "failed", "message": CORRECTED}]
    assert reasons == [
        f"runtime: pytest recorded 1 test(s) as failed that the results report as passed ({NEG})",
        "runtime: the results report 0 failure(s), pytest counted 1",
        "runtime: the results report 2 passed test(s), pytest counted 1",
    ]


def test_a_frame_carries_the_runners_evidence_and_pytests_tally():
    forged = [{"id": ADDS, "outcome": "passed"}]
    payload = unit(
        records=forged,
        review=["static scan: calc.py:1 uses gc"],
        tally=tally(exitstatus=1, failures=1, failed_ids=[ADDS], passed=0),
        tampering=["the grader's reporter was altered (_write)"],
    )
    verdict = outcomes(raw(frame(payload)), ["u"], {"u": 3})["u"]
    assert verdict.review[:2] == [
        "static scan: calc.py:1 uses gc",
        "runtime: the grader's reporter was altered (_write)",
    ]
    assert {"id": ADDS, "outcome": "failed", "message": CORRECTED} in verdict.records


def test_a_done_frame_without_a_tally_is_flagged():
    verdict = outcomes(raw(frame(unit(tally=None))), ["u"], {"u": 3})["u"]
    assert verdict.review == ["runtime: the runner sent no tally of pytest's own to check against"]


def test_text_from_the_sandbox_is_cleaned():
    payload = unit(records=[{"id": "a", "outcome": "failed", "message": "x\ud800\x1b[2K\x07y\nz"}])
    verdict = outcomes(raw(frame(payload)), ["u"], {"u": 3})["u"]
    assert verdict.records[0]["message"] == "x\ufffd\ufffd[2K\ufffdy\nz"
    assert clean_text("tab\tand\nnewline") == "tab\tand\nnewline"


class Crash:
    def __init__(self, message, path):
        self.message, self.path = message, path


class Report:
    def __init__(self, message, path):
        self.longrepr = type("Repr", (), {"reprcrash": Crash(message, path)})()


SOURCE = "import pytest\n\n@pytest.mark.task(1)\ndef test_adds(learner):\n    assert x"


@pytest.mark.parametrize(
    "message, path, shown",
    [
        # the hidden test's own assertion: its words, without pytest's detail lines
        ("AssertionError: add(2, 3) is not 5\nassert 4 == 5\n +  where 4", "/job/tests/t.py",
         "add(2, 3) is not 5"),
        ("assert 404 == 200\n +  where 404 = r.status_code", "/job/tests/t.py",
         "assert 404 == 200"),
        # raised by the learner's code (which may have read the hidden tests): one short line
        (f"ValueError: {SOURCE}", "/tmp/slot0/work/calc.py", "ValueError: import pytest"),
        (f"AssertionError: {SOURCE}", "/tmp/slot0/work/calc.py", "import pytest"),
        (f"grader.pytest_plugin.LearnerCodeError: calc.py: importing it raised E: {SOURCE}",
         "/opt/grade/lib/grader/pytest_plugin.py", "calc.py: importing it raised E: import pytest"),
        ("ValueError: " + "x" * 400, "/tmp/slot0/work/calc.py", "ValueError: " + "x" * 147 + "…"),
    ],
)  # fmt: skip
def test_messages_show_the_tests_words_and_only_a_short_line_of_the_learners(message, path, shown):
    assert short_message(Report(message, path), ("/job/tests", "/opt/grade/lib/grader")) == shown


def test_a_unit_without_a_result_says_whether_it_was_running_and_keeps_its_scan():
    started = frame({"unit": "u", "started": True, "review": ["static scan: calc.py:4 uses x"]})
    verdicts = outcomes(raw(started), ["u", "v"], {})
    assert verdicts["u"].status is RunStatus.no_results
    assert verdicts["u"].message == "the sandbox ended while this exercise ran"
    assert verdicts["u"].review == ["static scan: calc.py:4 uses x"]
    assert verdicts["v"].message == "the sandbox ended before this exercise started"
    assert verdicts["v"].review == []


def test_a_start_frame_never_stands_for_a_result():
    run = raw(frame({"unit": "u", "started": True, "review": []}), frame(unit(tally=tally())))
    assert read_frames(run)["u"]["done"] is True
    assert outcomes(run, ["u"], {"u": 3})["u"].status is RunStatus.ok
