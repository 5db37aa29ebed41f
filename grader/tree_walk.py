"""Walk a learner's folder from a directory descriptor: never a link, never `..`, never recursion.

Standard library only: `grader.safetree` also runs this file's source in a child process that has
dropped root's rights (`python -I -S -c SOURCE ARGS`, the folder passed as an open descriptor).

Every entry is `lstat`ed relative to its folder's descriptor and opened with `O_NOFOLLOW`, so a
link anywhere (the folder itself, a sub-folder, a file) is refused rather than followed, and no
path can lead outside the folder. The walk keeps its own stack and caps depth and entries, so a
folder 1,000 levels deep or with a million files is refused, not a `RecursionError`.
"""

from __future__ import annotations

import json
import os
import stat
import struct
import sys
from collections.abc import Iterator

MAX_DEPTH = 32  # folders below the exercise folder
MAX_ENTRIES = 20_000  # directory entries looked at in one walk
SKIPPED_DIRS = {"__pycache__", ".git", ".venv", "node_modules", ".pytest_cache", ".grade"}
SKIPPED_FILES = {".DS_Store"}
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


class Refused(Exception):
    """The folder holds something the grader will not read (a link, a special file, too much)."""


class Full(Exception):
    """The file or byte cap is reached: the caller decides whether that is a refusal."""


def skipped(name: str, is_dir: bool) -> bool:
    """Caches, version control, hidden folders and editor lock files are never read."""
    if name.startswith(".#"):  # an editor's lock file (often itself a dangling link)
        return True
    if is_dir:
        return name in SKIPPED_DIRS or name.startswith(".")
    return name in SKIPPED_FILES


def show(parts: tuple[str, ...]) -> str:
    return repr("/".join(parts)) if parts else "the folder"


def walk(
    root_fd: int,
    names: list[str] | None = None,
    skip_top: tuple[str, ...] = (),
    max_files: int = 10_000,
    max_bytes: int = 1 << 30,
    no_hard_links: bool = False,
) -> Iterator[tuple[str, bytes]]:
    """Yield (relative path, content) of every regular file under the folder open at `root_fd`.

    `names`: only these top-level entries (each a folder; missing ones are left out).
    `skip_top`: top-level entries to leave out. `no_hard_links`: refuse a file with more than
    one name (for root, who could otherwise read a hard link to a file only root may read).
    Raises Refused, or Full once the caps are reached (after yielding everything that fit)."""
    stack: list[tuple[str, ...]] = []
    if names is None:
        stack.append(())
    else:
        for name in sorted(set(names), reverse=True):
            _check_name(name)
            try:
                info = os.stat(name, dir_fd=root_fd, follow_symlinks=False)
            except FileNotFoundError:
                continue
            if stat.S_ISLNK(info.st_mode):
                raise Refused(f"{name!r} is a symbolic link: links are never followed")
            if stat.S_ISDIR(info.st_mode):
                stack.append((name,))
    entries = files = total = 0
    while stack:
        parts = stack.pop()
        fd = _open_dir(root_fd, parts)
        try:
            try:
                listed = []
                with os.scandir(fd) as it:
                    for entry in it:
                        entries += 1
                        if entries > MAX_ENTRIES:
                            raise Refused(f"more than {MAX_ENTRIES} files and folders")
                        listed.append(entry.name)
            except OSError as exc:
                raise Refused(f"{show(parts)} cannot be read ({_reason(exc)})") from None
            subfolders = []
            for name in sorted(listed):
                if not parts and name in skip_top:
                    continue
                here = (*parts, name)
                try:
                    info = os.stat(name, dir_fd=fd, follow_symlinks=False)
                except OSError as exc:
                    raise Refused(f"{show(here)} cannot be read ({_reason(exc)})") from None
                if stat.S_ISLNK(info.st_mode):
                    if skipped(name, is_dir=True) or skipped(name, is_dir=False):
                        continue  # where nothing is read, a link is not followed either
                    raise Refused(f"{show(here)} is a symbolic link: links are never followed")
                if stat.S_ISDIR(info.st_mode):
                    if skipped(name, is_dir=True):
                        continue
                    if len(here) > MAX_DEPTH:
                        raise Refused(f"{show(here)} is more than {MAX_DEPTH} folders deep")
                    subfolders.append(here)
                elif stat.S_ISREG(info.st_mode):
                    if skipped(name, is_dir=False):
                        continue
                    if no_hard_links and info.st_nlink > 1:
                        raise Refused(f"{show(here)} is a hard link: links are never followed")
                    files += 1
                    total += info.st_size
                    if files > max_files or total > max_bytes:
                        raise Full(f"more than {max_files} files or {max_bytes >> 10} KiB")
                    yield "/".join(here), _read(fd, name, info, here)
                else:
                    raise Refused(f"{show(here)} is not a regular file or folder")
            stack.extend(reversed(subfolders))
        finally:
            os.close(fd)


def _reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def _check_name(name: str) -> None:
    if not name or name in (".", "..") or "/" in name or "\0" in name:
        raise Refused(f"{name!r} is not a plain folder name")


def _open_dir(root_fd: int, parts: tuple[str, ...]) -> int:
    """Open a folder below the root one component at a time, none of them a link."""
    fd = os.dup(root_fd)
    for index, name in enumerate(parts):
        try:
            child = os.open(name, DIR_FLAGS, dir_fd=fd)
        except OSError as exc:
            raise Refused(f"{show(parts[: index + 1])} cannot be read ({_reason(exc)})") from None
        finally:
            os.close(fd)
        fd = child
    return fd


def _read(folder_fd: int, name: str, info: os.stat_result, parts: tuple[str, ...]) -> bytes:
    try:
        fd = os.open(name, FILE_FLAGS, dir_fd=folder_fd)
    except OSError as exc:  # EACCES, or ELOOP: it became a link since it was looked at
        raise Refused(f"{show(parts)} cannot be read ({_reason(exc)})") from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or opened.st_ino != info.st_ino:
            raise Refused(f"{show(parts)} changed while it was read")
        chunks, left = [], info.st_size
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


# ------------------------------------------------------------ the child process's side

FILE, REFUSED, FULL, END = b"F", b"R", b"S", b"E"


def frame(kind: bytes, path: str = "", data: bytes = b"") -> bytes:
    encoded = path.encode("utf-8", "surrogateescape")
    return kind + struct.pack(">IQ", len(encoded), len(data)) + encoded + data


def main() -> None:
    """Stream the walk of the given descriptor to stdout as frames; arguments are one JSON
    object."""
    args = json.loads(sys.argv[1])
    out = sys.stdout.buffer
    try:
        walked = walk(args["fd"], args["names"], tuple(args["skip_top"]), *args["caps"])
        for path, data in walked:
            out.write(frame(FILE, path, data))
    except Refused as exc:
        out.write(frame(REFUSED, str(exc)))
    except Full as exc:
        out.write(frame(FULL, str(exc)))
    else:
        out.write(frame(END))
    out.flush()


if __name__ == "__main__":
    main()
