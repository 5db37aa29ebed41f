"""A teacher's folder of submissions: one folder or zip per student, laid out like a workspace.

Discovery only reads names: which entries are students, and which names collide. A student is
then opened on its own, just before grading, within a disk budget shared by the workers: the
selected exercise folders are copied into a private scratch folder (unpacked from a zip, or read
from a folder without following links and, run as root, without root's rights), and that copy is
what gets hashed, graded and removed. Everything wrong with one student (a bad zip, a link, a
tree too deep or too large) is that student's problem, reported with their name.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import tree_walk
from .models import Exercise
from .safetree import UnsafeSubmission, read_tree
from .staging import MAX_SUBMISSION_BYTES, MAX_SUBMISSION_FILES
from .text import clean_line, student_name

MAX_ZIP_BYTES = 50 << 20  # uncompressed, the whole archive
MAX_ZIP_FILES = 2000
DISK_BUDGET = 256 << 20  # scratch space all workers together may hold at once
IGNORED = {"__pycache__", ".git", ".venv", ".grade", "__MACOSX", ".DS_Store"}
EXERCISE_FOLDER = re.compile(r"^\d+\.\d+\.\d+-")


@dataclass
class Submission:
    student: str
    source: Path  # the folder or zip in SUBMISSIONS
    kind: str = ""  # folder | zip ("" when it is neither)
    problem: str = ""  # why it cannot be graded
    folder: Path | None = None  # the private copy of its exercise folders, while open
    exercises: list[Exercise] = field(default_factory=list)  # the selected ones it contains
    content_hash: str = ""

    def folder_of(self, exercise: Exercise) -> Path:
        assert self.folder is not None
        return self.folder / exercise.meta.name


class UnsafeZip(Exception):
    pass


def discover(root: Path, ignored: list[str] | None = None) -> list[Submission]:
    """Every student entry under `root`, named; nothing inside them is read yet. A file that is
    not a .zip (a README, a grades sheet) is no student: its name goes to `ignored`. Entries
    whose names give the same student (`Ada Lovelace` and `Ada  Lovelace.zip`) are each a
    problem: merging them would let one overwrite the other's grades."""
    found = []
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or entry.name in IGNORED:
            continue
        raw = entry.name[:-4] if entry.name.lower().endswith(".zip") else entry.name
        submission = Submission(student_name(raw), entry)
        info = entry.lstat()
        if stat.S_ISLNK(info.st_mode):
            submission.problem = "is a symbolic link: links are never followed"
        elif stat.S_ISDIR(info.st_mode):
            submission.kind = "folder"
        elif entry.suffix.lower() == ".zip":
            submission.kind = "zip"
            if not stat.S_ISREG(info.st_mode):
                submission.problem = "a .zip that is not a regular file"
        else:
            if ignored is not None:
                ignored.append(clean_line(entry.name))
            continue
        found.append(submission)
    by_name: dict[str, list[Submission]] = {}
    for submission in found:
        by_name.setdefault(submission.student.casefold(), []).append(submission)
    for same in by_name.values():
        if len(same) > 1:
            sources = ", ".join(repr(clean_line(s.source.name)) for s in same)
            for submission in same:
                submission.problem = (
                    f"{sources} all give the student name {submission.student!r}: "
                    "rename them so that each student has one entry"
                )
    return sorted(found, key=lambda s: (s.student.casefold(), s.source.name))


class DiskBudget:
    """Bytes of scratch space the workers may hold together; a worker waits for its share."""

    def __init__(self, total: int = DISK_BUDGET) -> None:
        self.total = total
        self.used = 0
        self.peak = 0
        self._free = threading.Condition()

    @contextmanager
    def hold(self, size: int) -> Iterator[None]:
        size = min(size, self.total)
        with self._free:
            self._free.wait_for(lambda: self.used + size <= self.total)
            self.used += size
            self.peak = max(self.peak, self.used)
        try:
            yield
        finally:
            with self._free:
                self.used -= size
                self._free.notify_all()


@contextmanager
def opened(
    submission: Submission, exercises: list[Exercise], scratch: Path, budget: DiskBudget
) -> Iterator[Submission]:
    """The student's selected exercise folders, copied into `scratch` for as long as the block
    runs (and their share of the disk budget held); on any fault `problem` says what, and
    nothing is left behind either way."""
    with ExitStack() as cleanup:
        try:
            _open(submission, exercises, scratch, budget, cleanup)
        except (UnsafeZip, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
            submission.problem = clean_line(f"unreadable zip: {exc}")
        except UnsafeSubmission as exc:
            submission.problem = clean_line(f"{exc.message}. {exc.next_step}")
        except OSError as exc:
            submission.problem = clean_line(f"cannot be read: {exc.strerror or exc}")
        try:
            yield submission
        finally:
            submission.folder = None


def _open(
    submission: Submission,
    exercises: list[Exercise],
    scratch: Path,
    budget: DiskBudget,
    cleanup: ExitStack,
) -> None:
    if submission.problem:
        return
    names = [e.meta.name for e in exercises]
    plan, present = None, []
    if submission.kind == "zip":
        plan = plan_zip(submission.source, names)
        size = plan.size
    else:
        present = _present(submission.source, names)
        size = len(present) * MAX_SUBMISSION_BYTES
    cleanup.enter_context(budget.hold(size))
    _check_free_space(scratch, size)
    target = Path(tempfile.mkdtemp(prefix="student-", dir=scratch))
    cleanup.callback(shutil.rmtree, target, ignore_errors=True)
    if plan is not None:
        extract(plan, target)
    else:
        _copy_folder(submission.source, present, target)
    submission.folder = target
    submission.exercises = [e for e in exercises if (target / e.meta.name).is_dir()]
    if not submission.exercises:
        shown = ", ".join(names[:3])
        submission.problem = (
            f"nothing gradable: no exercise folder of the selection (e.g. {shown}) inside"
        )
        return
    submission.content_hash = content_hash(submission)


def _present(folder: Path, names: list[str]) -> list[str]:
    """The selected exercise folders a student's folder holds; a link among them is refused."""
    present = []
    for name in names:
        try:
            info = os.lstat(folder / name)
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(info.st_mode):
            raise UnsafeSubmission(
                "unsafe-submission",
                f"{name!r} is a symbolic link: links are never followed",
                "Replace links with the files themselves.",
            )
        if stat.S_ISDIR(info.st_mode):
            present.append(name)
    return present


def _copy_folder(folder: Path, names: list[str], target: Path) -> None:
    if not names:
        return
    for name in names:
        (target / name).mkdir()
    caps = {"max_files": MAX_SUBMISSION_FILES * len(names)}
    caps["max_bytes"] = MAX_SUBMISSION_BYTES * len(names)
    for rel, data in read_tree(folder, names, unprivileged=True, **caps):
        _write(target, rel.split("/"), data)


def _write(target: Path, parts: list[str], data: bytes) -> None:
    dest = target.joinpath(*parts)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with open(fd, "wb") as out:
        out.write(data)


def _check_free_space(scratch: Path, size: int) -> None:
    free = shutil.disk_usage(scratch).free
    if free < size + (64 << 20):
        raise OSError(0, f"not enough free disk space to unpack it ({size >> 20} MiB needed)")


def content_hash(submission: Submission) -> str:
    """A hash of the files that will be graded: the selected exercise folders' regular files."""
    assert submission.folder is not None
    digest = hashlib.sha256()
    by_name = {e.meta.name: e.id for e in submission.exercises}
    files = sorted(read_tree(submission.folder, list(by_name)))
    for rel, data in files:
        name, _, inner = rel.partition("/")
        digest.update(f"{by_name[name]}/{inner}\0".encode("utf-8", "surrogateescape"))
        digest.update(data + b"\0")
    return digest.hexdigest()[:20]


# ------------------------------------------------------------------------------- zips


@dataclass
class ZipPlan:
    archive: Path
    members: list[tuple[zipfile.ZipInfo, list[str]]]  # what to extract, and where
    size: int  # uncompressed bytes of those members


def plan_zip(archive: Path, names: list[str] | None = None) -> ZipPlan:
    """Check every entry (no absolute path, no `..`, no link or special file, not too deep,
    not too many, not too large) and pick those inside the exercise folders `names` (all when
    None), looking inside a single top folder."""
    with _open_zip(archive) as zf:
        members = zf.infolist()
    if len(members) > MAX_ZIP_FILES:
        raise UnsafeZip(f"{len(members)} entries (at most {MAX_ZIP_FILES})")
    total = 0
    entries = []
    for info in members:
        parts = _parts(info)
        kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the zip tool stored no type
        if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
            raise UnsafeZip(f"entry {clean_line(info.filename)!r} is a link or special file")
        if len(parts) > tree_walk.MAX_DEPTH + 2:
            raise UnsafeZip(
                f"entry {clean_line(info.filename)[:80]!r}… is {len(parts)} folders deep "
                f"(at most {tree_walk.MAX_DEPTH + 2})"
            )
        total += info.file_size
        if total > MAX_ZIP_BYTES:
            raise UnsafeZip(f"more than {MAX_ZIP_BYTES >> 20} MiB uncompressed")
        entries.append((info, parts))
    tops = {parts[0] for _, parts in entries if parts and parts[0] not in IGNORED}
    prefix = 0
    if len(tops) == 1:
        (top,) = tops
        inside = any(len(parts) > 1 and parts[0] == top for _, parts in entries)
        if inside and not EXERCISE_FOLDER.match(top):
            prefix = 1
    chosen = []
    for info, parts in entries:
        rest = parts[prefix:]
        if not rest or (names is not None and rest[0] not in names):
            continue
        is_dir = info.is_dir()
        folders = rest if is_dir else rest[:-1]
        if any(tree_walk.skipped(p, is_dir=True) for p in folders) or (
            not is_dir and tree_walk.skipped(rest[-1], is_dir=False)
        ):
            continue
        chosen.append((info, rest))
    size = sum(info.file_size for info, _ in chosen if not info.is_dir())
    return ZipPlan(archive, chosen, size)


def extract(plan: ZipPlan, target: Path) -> Path:
    """Write the planned members below `target`, each at most its declared size."""
    with _open_zip(plan.archive) as zf:
        for info, parts in plan.members:
            if info.is_dir():
                target.joinpath(*parts).mkdir(parents=True, exist_ok=True)
                continue
            with zf.open(info) as src:
                data = src.read(info.file_size + 1)
            if len(data) > info.file_size:
                raise UnsafeZip(f"entry {clean_line(info.filename)!r} is larger than it says")
            _write(target, parts, data)
    return target


def extract_zip(archive: Path, target: Path) -> Path:
    """Extract every regular file of a zip that passes `plan_zip`'s checks (kept for tools)."""
    return extract(plan_zip(archive), target)


def _parts(info: zipfile.ZipInfo) -> list[str]:
    name = PurePosixPath(info.filename.replace("\\", "/"))
    parts = [p for p in name.parts if p not in ("", ".")]
    if name.is_absolute() or ".." in parts or (parts and ":" in parts[0]):
        raise UnsafeZip(f"entry {clean_line(info.filename)!r} points outside the archive")
    if any("\0" in p for p in parts):
        raise UnsafeZip(f"entry {clean_line(info.filename)!r} has a NUL in its name")
    return parts


def _open_zip(archive: Path) -> zipfile.ZipFile:
    """The archive itself, never a link to something else."""
    fd = os.open(archive, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    handle = open(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        handle.close()
        raise UnsafeZip("not a regular file")
    try:
        return zipfile.ZipFile(handle)
    except Exception:
        handle.close()
        raise
