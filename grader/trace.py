"""The learner's own traceback, taken inside the sandbox (stdlib only).

Only frames in the learner's files are kept: file (relative to their folder), line, function.
Never a hidden test's frame, never any source text: the host reads the lines from the staged
copy of the learner's files, so nothing the learner's code writes at run time can pass for
them. The exception's own line is theirs to control, so it is clipped like any such message.
"""

from __future__ import annotations

import os
from types import TracebackType

from .contract import MAX_RAISED, RAISED_KEY, TRACE_KEY, Frame, encode_frames

MAX_CHAIN = 4  # exceptions followed through __cause__ / __context__


def learner_frames(tb: TracebackType | None, prefix: str) -> list[Frame]:
    frames = []
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(prefix):
            rel = os.path.relpath(filename, prefix)
            frames.append(Frame(rel, tb.tb_lineno, tb.tb_frame.f_code.co_name))
        tb = tb.tb_next
    return frames


def raised_line(exc: BaseException) -> str:
    kind = type(exc)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    if isinstance(exc, SyntaxError):
        text = exc.msg or ""
    else:
        text = next((line for line in str(exc).splitlines() if line.strip()), "")
    line = f"{name}: {text.strip()}" if text.strip() else name
    return line if len(line) <= MAX_RAISED else line[: MAX_RAISED - 1] + "…"


def describe(exc: BaseException | None, prefix: str) -> dict[str, str] | None:
    """`{"trace": ..., "raised": ...}` for the first exception of the chain that went through
    the learner's files (a syntax error in one of them counts), else None."""
    seen = 0
    while exc is not None and seen < MAX_CHAIN:
        frames = learner_frames(exc.__traceback__, prefix)
        if isinstance(exc, SyntaxError) and str(exc.filename or "").startswith(prefix):
            rel = os.path.relpath(str(exc.filename), prefix)
            frames = [Frame(rel, exc.lineno or 0, "<module>", exc.offset or 0)]
        if frames:
            return {TRACE_KEY: encode_frames(frames), RAISED_KEY: raised_line(exc)}
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None
