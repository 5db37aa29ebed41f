"""Text that came from learner code or from a submission's file names, made safe to keep and show.

Such text may hold lone surrogates (no database or terminal encodes them), terminal escape
sequences (a clipboard write, an erased line) and characters XML cannot carry. Everything the
grader stores, prints or exports from a learner goes through `clean` (or `clean_line` for names).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# C0 and C1 controls, DEL, noncharacters XML forbids, and the bidirectional overrides that make a
# line read differently from what it holds. Tab and newline are kept by `clean`, not by names.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\u202a-\u202e\u2066-\u2069]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
REPLACEMENT = "\ufffd"
MAX_NAME = 200  # the gradebook's student name column


def clean(text: object) -> str:
    """Surrogates become U+FFFD; control characters other than tab and newline go."""
    text = str(text).replace("\r\n", "\n")
    return _CONTROLS.sub("", _SURROGATES.sub(REPLACEMENT, text))


def clean_line(text: object) -> str:
    """`clean`, then on one line: every run of white space becomes one space."""
    return _SPACES.sub(" ", clean(text).replace("\t", " ").replace("\n", " ")).strip()


def first_line(text: object, limit: int = 200) -> str:
    """The first non-empty line, at most `limit` characters: enough to act on, never a listing."""
    lines = [line.strip() for line in clean(text).splitlines() if line.strip()]
    line = lines[0] if lines else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def student_name(raw: str) -> str:
    """A student's name from a file name: one line, NFC, and short enough for the gradebook.

    A longer name keeps its start and gets a short hash of the whole, so two long names that
    share a start stay two students."""
    name = clean_line(unicodedata.normalize("NFC", raw))
    if not name:
        return "unnamed~" + _digest(raw)
    if len(name) > MAX_NAME:
        name = name[: MAX_NAME - 9].rstrip() + "~" + _digest(raw)
    return name


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
