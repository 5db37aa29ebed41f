"""One student's checked files, carried inside a task so that workers need no shared disk.

The batch opens a student as a local batch does (links refused, trees and zips capped, within
the disk budget), packs the copy it would have graded into a deflated zip, and sends it as
base64 in JSON. The worker trusts nothing in it: it unpacks through the same zip checks a
teacher's zip goes through, and recomputes the content hash that keys the gradebook.
"""

from __future__ import annotations

import base64
import io
import os
import tempfile
import zipfile
from pathlib import Path

from ..models import Exercise
from ..safetree import read_tree
from ..submissions import Submission, content_hash, extract, plan_zip


class BadPayload(Exception):
    """A task whose files cannot be what the batch checked: refused, nothing recorded."""


def pack(sub: Submission, selection: list[Exercise], suites: str, version: str) -> dict:
    """The task's argument for an opened student (`sub.folder` holds the checked copy)."""
    assert sub.folder is not None
    buffer = io.BytesIO()
    names = [e.meta.name for e in sub.exercises]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel, data in read_tree(sub.folder, names):
            archive.writestr(rel, data)
    return {
        "student": sub.student,
        "source": str(sub.source),
        "content_hash": sub.content_hash,
        "selection": [e.id for e in selection],
        "suites": suites,
        "version": version,
        "files": base64.b64encode(buffer.getvalue()).decode("ascii"),
    }


def unpack(payload: dict, selection: list[Exercise], scratch: Path) -> Submission:
    """The student as the batch opened them, unpacked below `scratch` (the caller removes it)."""
    try:
        data = base64.b64decode(payload["files"], validate=True)
    except (KeyError, ValueError, TypeError) as exc:
        raise BadPayload(f"its files are not readable: {exc}") from None
    fd, archive = tempfile.mkstemp(suffix=".zip", dir=scratch)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    target = scratch / "student"
    target.mkdir()
    try:
        extract(plan_zip(Path(archive), [e.meta.name for e in selection]), target)
    except Exception as exc:
        raise BadPayload(f"its files are not a checked submission: {exc}") from None
    finally:
        os.unlink(archive)
    sub = Submission(str(payload["student"]), Path(str(payload.get("source", ""))), kind="zip")
    sub.folder = target
    sub.exercises = [e for e in selection if (target / e.meta.name).is_dir()]
    if not sub.exercises:
        raise BadPayload("it holds no exercise folder of the selection")
    sub.content_hash = content_hash(sub)
    if sub.content_hash != payload.get("content_hash"):
        raise BadPayload("its files differ from those the batch checked (content hash)")
    return sub
