"""The learner's traceback: taken in the sandbox, sent as text, checked on the host."""

from __future__ import annotations

from grader.contract import Frame, decode_frames, encode_frames
from grader.grading import add_sources
from grader.models import CodeError, CodeFrame
from tests.conftest import adder_result


def test_frames_survive_the_trip_and_forged_lines_do_not():
    frames = [Frame("calc.py", 3, "add"), Frame("pkg/models.py", 10, "<module>", 7)]
    assert decode_frames(encode_frames(frames)) == frames
    forged = "/job/tests/test_adder.py\t1\t0\tf\n../x.py\t1\t0\tf\ncalc.py\tx\t0\tf\ncalc.py\t2"
    assert decode_frames(forged) == []
    many = encode_frames([Frame("calc.py", n, "add") for n in range(1, 20)])
    assert [f.line for f in decode_frames(many)] == [16, 17, 18, 19]  # the innermost ones


def test_the_host_shows_only_lines_of_the_files_submitted(tmp_path):
    (tmp_path / "calc.py").write_text("def add(a, b):\n    return a.nope\n")
    error = CodeError(
        raised="AttributeError: nope",
        frames=[
            CodeFrame(file="calc.py", line=2, function="add"),
            CodeFrame(file="calc.py", line=2, function="SECRET_FROM_THE_TESTS"),
            CodeFrame(file="calc.py", line=99, function="add"),  # no such line
            CodeFrame(file="written_at_run_time.py", line=1, function="add"),  # not staged
        ],
    )
    result = adder_result(0)
    result.tests[0].error = error
    add_sources(result, tmp_path)
    assert [(f.line, f.function, f.source) for f in error.frames] == [
        (2, "add", "    return a.nope"),
        (2, "?", "    return a.nope"),
    ]
