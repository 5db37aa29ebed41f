"""Read a learner's folder on the host without following links, and without root's rights.

`tree_walk` does the walking: no link followed, every path inside the folder, iterative, capped.
Run as root, it also refuses hard links (the one way left to name a file outside the folder), and
`unprivileged=True` (the batch reading students' folders) walks in a child that has switched to
the sandbox's uid with no groups: the grader opens the folder (`O_NOFOLLOW`), hands the child the
descriptor and keeps the files the child streams back, so not even a walk gone wrong could read
what only root may. That child needs the folder readable by all users; it says so when not.
"""

from __future__ import annotations

import errno
import os
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from . import tree_walk
from .errors import GraderError
from .text import clean_line

READER_UID = 61000  # the sandbox's uid: owns nothing on the host
READ_TIMEOUT = 120.0  # a folder the caps allow reads in well under this
_SOURCE = Path(tree_walk.__file__).read_text(encoding="utf-8")


class UnsafeSubmission(GraderError):
    """A submission holds something the grader refuses to read: a link, a special file, a tree
    too deep or too large."""


def read_tree(
    root: Path,
    names: list[str] | None = None,
    *,
    skip_top: tuple[str, ...] = (),
    max_files: int = 10_000,
    max_bytes: int = 1 << 30,
    stop_when_full: bool = False,
    unprivileged: bool = False,
) -> Iterator[tuple[str, bytes]]:
    """Yield (relative path, content) of the regular files under `root` (or under its top-level
    folders `names`), in a stable order. A link, a special file or a tree beyond the caps raises
    UnsafeSubmission; reaching the file or byte cap ends the walk quietly if `stop_when_full`."""
    try:
        fd = os.open(root, tree_walk.DIR_FLAGS)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR) and root.is_symlink():
            raise _refused(f"{root.name!r} is a symbolic link: links are never followed") from None
        raise _refused(f"{root.name!r} cannot be opened as a folder: {exc.strerror}") from None
    try:
        caps = (max_files, max_bytes)
        if os.geteuid() == 0 and unprivileged:
            frames = _read_unprivileged(fd, names, skip_top, caps)
        else:
            frames = _read_here(fd, names, skip_top, caps, os.geteuid() == 0)
        for kind, path, data in frames:
            if kind == tree_walk.FILE:
                yield _relative(path), data
            elif kind == tree_walk.FULL:
                if not stop_when_full:
                    raise _refused(f"{root.name!r} holds {path}")
                return
            else:
                raise _refused(path)
    finally:
        os.close(fd)


def _refused(message: str) -> UnsafeSubmission:
    if "permission denied" in message.lower():
        step = (
            f"Run as root, the grader reads submissions as uid {READER_UID}: make them readable "
            "by all users (chmod -R a+rX SUBMISSIONS)."
        )
    else:
        step = "Replace links with the files themselves and keep only the exercise's files."
    return UnsafeSubmission("unsafe-submission", clean_line(message), step)


def _relative(path: str) -> str:
    parts = path.split("/")
    if not path or any(p in ("", ".", "..") or "\0" in p for p in parts):
        raise _refused(f"the folder reader returned an unsafe path {path!r}")
    return path


def _read_here(fd, names, skip_top, caps, no_hard_links) -> Iterator[tuple[bytes, str, bytes]]:
    try:
        for path, data in tree_walk.walk(fd, names, skip_top, *caps, no_hard_links):
            yield tree_walk.FILE, path, data
    except tree_walk.Refused as exc:
        yield tree_walk.REFUSED, str(exc), b""
    except tree_walk.Full as exc:
        yield tree_walk.FULL, str(exc), b""


def _read_unprivileged(fd, names, skip_top, caps) -> Iterator[tuple[bytes, str, bytes]]:
    """The walk in a child that runs as READER_UID with no groups, given the folder's descriptor."""
    import json

    args = json.dumps({"fd": fd, "names": names, "skip_top": list(skip_top), "caps": list(caps)})
    python = os.path.realpath(sys.executable)
    with tempfile.TemporaryFile() as errors:
        try:
            child = subprocess.Popen(
                [python, "-I", "-S", "-c", _SOURCE, args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
                pass_fds=(fd,),
                env={},
                cwd="/",
                user=READER_UID,
                group=READER_UID,
                extra_groups=[],
            )
        except OSError as exc:
            raise GraderError(
                "reader-failed",
                f"cannot start the unprivileged reader of submissions: {exc}",
                f"The interpreter {python} must be executable by every user.",
            ) from None
        timer = threading.Timer(READ_TIMEOUT, child.kill)
        timer.start()
        try:
            ended = False
            for item in _frames(child.stdout):
                if item[0] == tree_walk.END:
                    ended = True
                    break
                yield item
                if item[0] != tree_walk.FILE:
                    ended = True
                    break
            if not ended:
                child.kill()
                child.wait()
                errors.seek(0)
                detail = errors.read().decode(errors="replace").strip().splitlines()[-1:]
                raise GraderError(
                    "reader-failed",
                    "the unprivileged reader of submissions stopped: "
                    + clean_line(detail[0] if detail else f"exit {child.returncode}"),
                    "Please report it.",
                )
        finally:
            timer.cancel()
            if child.poll() is None:
                child.kill()
            child.wait()
            child.stdout.close()


def _frames(stream) -> Iterator[tuple[bytes, str, bytes]]:
    header = struct.Struct(">IQ")
    while True:
        kind = stream.read(1)
        if not kind:
            return
        lengths = stream.read(header.size)
        if len(lengths) < header.size:
            return
        path_len, data_len = header.unpack(lengths)
        path = stream.read(path_len).decode("utf-8", "surrogateescape")
        data = stream.read(data_len)
        if len(data) < data_len:
            return
        yield kind, path, data
