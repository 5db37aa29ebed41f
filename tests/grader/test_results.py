from __future__ import annotations

import json
import signal

from grader.models import RunStatus
from grader.results import outcomes, read_frames, sandbox_started
from grader.sandbox.base import RawRun

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
