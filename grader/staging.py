"""Lay out one sandbox job on disk: each unit's submission files and the hidden tests."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import contract
from .models import Exercise
from .rewritten import add_rewritten
from .runner_bytecode import compile_package

MAX_SUBMISSION_BYTES = 2 << 20
MAX_SUBMISSION_FILES = 200

PYTEST_INI = """[pytest]
filterwarnings =
    ignore::DeprecationWarning
    ignore::PendingDeprecationWarning
    ignore::pytest.PytestAssertRewriteWarning
"""
# Heavy libraries the warm parent imports only when a selected exercise uses them (its starter,
# reference or hidden tests import them), so that no exercise's child pays for them and runs that
# don't need them don't either. Keyed by top-level import name.
PRELOADABLE = {
    "sqlalchemy": [
        "sqlalchemy",
        "sqlalchemy.orm",
        "sqlalchemy.pool",
        "sqlalchemy.dialects.sqlite",
        "sqlalchemy.ext.asyncio",
        "sqlite3",  # imported by the first SQLite engine: else every exercise's child pays it
    ],
    "httpx": ["httpx"],
    "strawberry": ["strawberry", "strawberry.fastapi"],
    "pwdlib": ["pwdlib", "pwdlib.hashers.argon2", "pwdlib.hashers.bcrypt"],
    "uvicorn": ["uvicorn"],
    "pydantic_settings": ["pydantic_settings"],
    "sqladmin": ["sqladmin", "jinja2", "wtforms"],
    "jwt": ["jwt"],
    "slowapi": ["slowapi", "limits"],
    "redis": ["redis"],
    "fakeredis": ["fakeredis"],
    "celery": ["celery", "kombu", "kombu.transport.memory"],
    "aiokafka": ["aiokafka"],
    "ariadne": ["ariadne", "ariadne.asgi", "graphql"],
    "prometheus_client": ["prometheus_client"],
}
IMPORT = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", re.MULTILINE)
MAX_SCANNED_FILES = 50  # per submission: a learner's files, not a vendored library
MAX_SCANNED_BYTES = 200_000


def preload_modules(exercises, submissions: list[Path] = ()) -> list[str]:
    """The PRELOADABLE modules that the selected exercises' starters, suites or references
    import, or that a submission imports (a learner may pick another allowed library, e.g.
    strawberry where the reference uses ariadne). Submissions are read to a bounded depth."""
    files: list[Path] = []
    for exercise in exercises:
        for folder in (exercise.starter_dir, exercise.tests_dir, exercise.solution_root):
            files += _python_files(folder)
    for folder in submissions:
        files += _python_files(folder)
    names: set[str] = set()
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as handle:
            names.update(IMPORT.findall(handle.read(MAX_SCANNED_BYTES)))
    return sorted({m for name in names & PRELOADABLE.keys() for m in PRELOADABLE[name]})


def _python_files(folder: Path) -> list[Path]:
    """A folder's modules and its packages' modules (one level down: where learners put them),
    at most MAX_SCANNED_FILES."""
    if not folder.is_dir():
        return []
    return [*folder.glob("*.py"), *folder.glob("*/*.py")][:MAX_SCANNED_FILES]


ETC_HOSTS = "127.0.0.1 localhost\n::1 localhost\n"


@dataclass
class Unit:
    """One exercise graded against one set of files (a workspace folder, a solution, a variant)."""

    key: str
    exercise: Exercise
    sources: list[Path]  # folders laid over each other in order, later ones win
    stop_at_first_failure: bool = False  # enough when only "does any test fail?" matters
    skip: tuple[str, ...] = ()  # top-level folders of the sources to leave out


@dataclass
class Limits:
    memory_mb: int = 1024
    pids: int = 128
    output_bytes: int = 8 << 20
    file_bytes: int = 16 << 20
    open_files: int = 256
    tmp_mb: int = 256  # each running exercise's own scratch (its working folder, HOME, TMPDIR)
    shared_tmp_mb: int = 64  # /tmp itself, for code that writes there by name
    jobs: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))


JOB_PREFIX = "grade-job-"
# Every temporary folder the grader makes on the host, swept when its owner is gone.
SCRATCH_PREFIXES = (JOB_PREFIX, "grade-variants-", "grade-batch-", "grade-serve-", "grade-task-")
OWNER_FILE = "owner.json"
STARTUP_SECONDS = 20.0  # the sandbox's own start and the warm parent's imports, under load
IDLE_GRACE = 5.0  # beyond an exercise's timeout: killing, sweeping and reporting it


@dataclass
class Job:
    """A staged job. `root` is traversable but not listable (0711); the job itself lies in a
    folder of unguessable name that only the grader's own user may enter (0700), so neither
    other users nor a learner who learns the name can reach it. A sandbox reaches it through a
    bind mount (`mounts/` holds the mountpoints a root grader needs), never through the path.
    `owner.json` names the grader process, so that a later grader can sweep the job of one
    that was killed."""

    root: Path
    secret: str
    units: list[Unit]
    limits: Limits
    preload_hint: list[str] = field(default_factory=list)  # what the runner imports first

    @property
    def path(self) -> Path:
        return self.root / self.secret / "job"

    @property
    def mounts(self) -> Path:
        """Empty mountpoints for folders a sandbox must relocate (the sandbox user can't reach)."""
        return self.root / "mnt"

    @property
    def wall_timeout(self) -> float:
        """The whole run's bound, a backstop behind `idle_timeout`."""
        total = sum(u.exercise.meta.timeout for u in self.units)
        return (
            STARTUP_SECONDS
            + total / max(1, self.limits.jobs)
            + max((u.exercise.meta.timeout for u in self.units), default=0)
        )

    @property
    def idle_timeout(self) -> float:
        """The longest the sandbox may go without reporting an exercise once it has started:
        every exercise ends within its timeout, so a longer silence means the runner was
        stopped or starved, and the host kills the sandbox instead of waiting for the wall."""
        return max((u.exercise.meta.timeout for u in self.units), default=0) + IDLE_GRACE

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def copy_submission(sources: list[Path], target: Path, skip: tuple[str, ...] = ()) -> None:
    """Copy regular files only, within size and count caps (later sources win). A link anywhere
    in a source is refused (UnsafeSubmission), never followed; run as root, the files are read
    by a child without root's rights (see grader.safetree)."""
    from .safetree import read_tree

    target.mkdir(parents=True, exist_ok=True)
    files = total = 0
    for source in sources:
        if not source.is_dir() and not source.is_symlink():
            continue
        caps = {
            "max_files": MAX_SUBMISSION_FILES - files,
            "max_bytes": MAX_SUBMISSION_BYTES - total,
        }
        for rel, data in read_tree(source, skip_top=skip, stop_when_full=True, **caps):
            files += 1
            total += len(data)
            dest = target.joinpath(*rel.split("/"))
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
            with open(fd, "wb") as out:
                out.write(data)
        if files >= MAX_SUBMISSION_FILES or total >= MAX_SUBMISSION_BYTES:
            return


def stage(
    units: list[Unit],
    limits: Limits,
    sandbox_uid: int = contract.SANDBOX_UID,
    nproc_rlimit: bool = True,
) -> Job:
    """Reserve and fill a job in one go (a sandbox that fills it while it starts: `reserve`,
    then `fill` from `Sandbox.run`'s `prepare`)."""
    job = reserve(units, limits)
    try:
        fill(job, sandbox_uid, nproc_rlimit)
    except BaseException:
        job.cleanup()
        raise
    return job


def reserve(units: list[Unit], limits: Limits) -> Job:
    """The job's empty folders, enough to start a sandbox on: its runner imports the libraries
    (`Job.preload_hint`) while `fill` writes the files, and waits for the nonce before it
    reads any of them."""
    sweep_stale_jobs()
    compile_package()  # the runner starts from bytecode, not by compiling its modules
    root = owned_scratch(JOB_PREFIX)
    os.chmod(root, 0o711)
    job = Job(root, secrets.token_hex(16), units, limits)
    job.path.mkdir(parents=True)
    job.mounts.mkdir()
    os.chmod(job.path, 0o755)
    os.chmod(job.path.parent, 0o700)
    os.chmod(job.mounts, 0o755)
    job.preload_hint = preload_modules({u.exercise.id: u.exercise for u in units}.values())
    return job


def fill(job: Job, sandbox_uid: int = contract.SANDBOX_UID, nproc_rlimit: bool = True) -> None:
    """Write the job's files: each unit's submission, the hidden tests (with their rewritten
    bytecode), the sandbox's /etc files and the manifest, last. `nproc_rlimit`: the runner caps
    processes with RLIMIT_NPROC, right where the sandbox has a user namespace of its own
    (bwrap); Docker caps them with its pids cgroup, and its uid is shared by every container,
    so a per-uid cap would couple their budgets."""
    units, limits, base = job.units, job.limits, job.path
    (base / "units").mkdir()
    (base / "etc").mkdir()
    (base / "etc" / "hosts").write_text(ETC_HOSTS)
    (base / "etc" / "passwd").write_text(contract.passwd(sandbox_uid))
    (base / "pytest.ini").write_text(PYTEST_INI)
    manifest_units: list[contract.UnitManifest] = []
    staged_tests: set[str] = set()
    for unit in units:
        exercise = unit.exercise
        if exercise.id not in staged_tests:
            staged = base / "tests" / exercise.id
            shutil.copytree(
                exercise.tests_dir, staged, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
            add_rewritten(exercise.tests_dir, staged)
            staged_tests.add(exercise.id)
        copy_submission(unit.sources, base / "units" / unit.key, unit.skip)
        manifest_units.append(
            {
                "key": unit.key,
                "exercise": exercise.id,
                "sub": f"units/{unit.key}",
                "tests": f"tests/{exercise.id}",
                "timeout": exercise.meta.timeout,
                "memory_mb": limits.memory_mb,
                "exitfirst": unit.stop_at_first_failure,
            }
        )
    pids = limits.pids if nproc_rlimit else 0
    # the exercises' own libraries are the hint `reserve` found; add what the submissions import
    submitted = preload_modules([], [base / "units" / unit.key for unit in units])
    preload = sorted({*job.preload_hint, *submitted})
    manifest: contract.Manifest = {
        "units": manifest_units,
        "jobs": limits.jobs,
        "pids": pids,
        "preload": preload,
    }
    for dirpath, _dirnames, filenames in os.walk(base):
        os.chmod(dirpath, 0o755)  # readable by the sandbox's uid through its bind mount
        for name in filenames:
            os.chmod(Path(dirpath) / name, 0o644)
    manifest_path = base / contract.MANIFEST_FILE
    manifest_path.write_text(json.dumps(manifest))
    os.chmod(manifest_path, 0o644)


# ---------------------------------------------------------------- leftovers of killed graders


def owned_scratch(prefix: str) -> Path:
    """A new temporary folder that names its owner, so that a later grader can sweep it if
    this one is killed before it cleans up (SIGKILL, a CI timeout)."""
    assert prefix in SCRATCH_PREFIXES, prefix
    root = Path(tempfile.mkdtemp(prefix=prefix))
    (root / OWNER_FILE).write_text(json.dumps(_owner()))
    return root


@contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """`owned_scratch`, removed after the block."""
    root = owned_scratch(prefix)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _owner() -> dict:
    """Who staged a job: enough to tell later whether that process is still alive."""
    return {"pid": os.getpid(), "start": _process_start(os.getpid()), "boot": _boot_id()}


def _process_start(pid: int) -> str | None:
    """The process's start time since boot: with the pid, it names one process for good."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    fields = data[data.rfind(b")") + 2 :].split()
    return fields[19].decode() if len(fields) > 19 else None


def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            return fh.read().strip()
    except OSError:
        return ""


def owner_alive(owner: dict) -> bool:
    """Whether the process that wrote `owner` still runs (the same process, not a reused pid)."""
    if owner.get("boot") != _boot_id():
        return False  # the machine restarted since
    pid = owner.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    start = _process_start(pid)
    if start is None:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return owner.get("start") is None  # alive, but its start time can't be read
    return start == owner.get("start")


def sweep_stale_jobs(folder: Path | None = None) -> list[Path]:
    """Remove staged jobs (learner files and hidden tests) and scratch folders of graders that
    were killed.

    Only folders of our own uid that carry an owner file naming a process that is gone are
    touched; nothing is followed through a link, and a job whose owner is alive, or whose
    owner can't be read, is left alone."""
    folder = Path(folder or tempfile.gettempdir())
    removed = []
    try:
        candidates = [e for e in os.scandir(folder) if e.name.startswith(SCRATCH_PREFIXES)]
    except OSError:
        return removed
    for entry in candidates:
        path = Path(entry.path)
        try:
            info = path.lstat()
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
                continue
            owner = _read_owner(path / OWNER_FILE)
        except OSError:
            continue
        if owner is None or owner_alive(owner):
            continue
        shutil.rmtree(path, ignore_errors=True)  # fd-based on Linux: never follows a link
        if not path.exists():
            removed.append(path)
    return removed


def _read_owner(path: Path) -> dict | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = os.read(fd, 4096)
    finally:
        os.close(fd)
    try:
        owner = json.loads(data)
    except ValueError:
        return None
    return owner if isinstance(owner, dict) else None
