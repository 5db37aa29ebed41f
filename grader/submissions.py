"""A teacher's folder of submissions: one folder or zip per student, laid out like a workspace.

Zips are extracted defensively (no absolute paths, no `..`, no links, size and count caps) into
a private temporary folder; a bad entry rejects that student's zip with a clear message and
never touches anything outside it.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .models import Exercise

MAX_ZIP_BYTES = 50 << 20  # uncompressed
MAX_ZIP_FILES = 2000
IGNORED = {"__pycache__", ".git", ".venv", ".grade", "__MACOSX", ".DS_Store"}


@dataclass
class Submission:
    student: str
    source: Path  # the folder or zip in SUBMISSIONS
    folder: Path | None = None  # where the exercise folders are (extracted for a zip)
    problem: str = ""  # why it cannot be graded
    exercises: list[Exercise] = field(default_factory=list)  # the selected ones it contains
    content_hash: str = ""

    def folder_of(self, exercise: Exercise) -> Path:
        assert self.folder is not None
        return self.folder / exercise.meta.name


class UnsafeZip(Exception):
    pass


def student_name(path: Path) -> str:
    name = path.name[:-4] if path.suffix.lower() == ".zip" else path.name
    return re.sub(r"\s+", " ", name).strip()


def discover(root: Path, exercises: list[Exercise], scratch: Path) -> list[Submission]:
    """Every student entry under `root`, each either ready to grade or with its problem."""
    found = []
    for entry in sorted(root.iterdir(), key=lambda p: p.name.lower()):
        if entry.name.startswith(".") or entry.name in IGNORED:
            continue
        if entry.is_symlink():
            found.append(Submission(student_name(entry), entry, problem="is a symbolic link"))
        elif entry.is_dir():
            found.append(_prepare(Submission(student_name(entry), entry, entry), exercises))
        elif entry.suffix.lower() == ".zip":
            target = Path(tempfile.mkdtemp(prefix="student-", dir=scratch))
            submission = Submission(student_name(entry), entry)
            try:
                submission.folder = _root_of(extract_zip(entry, target))
            except (UnsafeZip, zipfile.BadZipFile, OSError) as exc:
                submission.problem = f"unreadable zip: {exc}"
                shutil.rmtree(target, ignore_errors=True)
                found.append(submission)
                continue
            found.append(_prepare(submission, exercises))
        else:
            found.append(
                Submission(student_name(entry), entry, problem="neither a folder nor a .zip")
            )
    return found


def _prepare(submission: Submission, exercises: list[Exercise]) -> Submission:
    assert submission.folder is not None
    submission.exercises = [e for e in exercises if submission.folder_of(e).is_dir()]
    if not submission.exercises:
        names = ", ".join(e.meta.name for e in exercises[:3])
        submission.problem = (
            f"nothing gradable: no exercise folder of the selection (e.g. {names}) inside"
        )
        return submission
    submission.content_hash = content_hash(submission)
    return submission


def content_hash(submission: Submission) -> str:
    """A hash of the files that will be graded: the selected exercise folders' regular files."""
    digest = hashlib.sha256()
    for exercise in submission.exercises:
        folder = submission.folder_of(exercise)
        for path in sorted(folder.rglob("*")):
            if any(part in IGNORED for part in path.relative_to(folder).parts):
                continue
            info = path.lstat()
            if stat.S_ISREG(info.st_mode):
                digest.update(f"{exercise.id}/{path.relative_to(folder).as_posix()}\0".encode())
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def extract_zip(archive: Path, target: Path) -> Path:
    """Extract regular files only; refuse traversal, links, devices and zip bombs."""
    total = 0
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        if len(members) > MAX_ZIP_FILES:
            raise UnsafeZip(f"{len(members)} entries (at most {MAX_ZIP_FILES})")
        for info in members:
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts or (name.parts and ":" in name.parts[0]):
                raise UnsafeZip(f"entry {info.filename!r} points outside the archive")
            kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the zip tool stored no type
            if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
                raise UnsafeZip(f"entry {info.filename!r} is a link or special file")
            total += info.file_size
            if total > MAX_ZIP_BYTES:
                raise UnsafeZip(f"more than {MAX_ZIP_BYTES >> 20} MiB uncompressed")
        for info in members:
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if info.is_dir() or any(part in IGNORED for part in name.parts):
                continue
            dest = target.joinpath(*name.parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out, 1 << 16)
    return target


def _root_of(folder: Path) -> Path:
    """A zip often wraps everything in one top folder: look inside it."""
    entries = [p for p in folder.iterdir() if p.name not in IGNORED]
    if (
        len(entries) == 1
        and entries[0].is_dir()
        and not re.match(r"^\d+\.\d+\.\d+-", entries[0].name)
    ):
        return entries[0]
    return folder
