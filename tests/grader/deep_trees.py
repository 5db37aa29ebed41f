"""Folders deeper than Python's recursion limit, made and removed without recursion.

pytest removes old temporary folders with a recursive `shutil.rmtree`, so a test that makes
such a tree removes it itself."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def deep_folder(base: Path, levels: int) -> Iterator[Path]:
    """`base/d/d/…/d`, `levels` deep, made relative to descriptors (the path is too long)."""
    fd = os.open(base, os.O_RDONLY)
    for _ in range(levels):
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)
    try:
        yield base
    finally:
        remove_deep(base)


def remove_deep(base: Path) -> None:
    """Remove `base/d/d/…`: pull each inner level up beside the outer one, then drop it."""
    outer, spare = base / "d", base / "d.next"
    while outer.is_dir():
        inner = outer / "d"
        moved = inner.is_dir()
        if moved:
            os.rename(inner, spare)
        for entry in outer.iterdir():
            entry.unlink()
        outer.rmdir()
        if not moved:
            return
        os.rename(spare, outer)
