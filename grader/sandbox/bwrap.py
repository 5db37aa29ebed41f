"""Bubblewrap: a throw-away set of namespaces with a minimal read-only filesystem.

Nothing of the host is visible but /usr, the Python environment and the staged job, each bound
read-only; /tmp is a small size-capped tmpfs, with a larger one (a slot) for each exercise
running at once; there is no network but loopback. When the grader runs as root it first drops to a
dedicated unprivileged uid (from root, bwrap would keep uid 0 outside the sandbox). The
launcher's environment never enters (`env -i`), and the sandbox dies with us. The runner is the
namespace's pid 1 (`--as-pid-1`): no bwrap process inside shows the host paths of its command
line, and the learner's code can neither stop nor kill the runner.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .. import contract
from ..errors import SandboxUnavailable
from ..staging import Job
from .base import RawRun, supervise
from .cgroups import SandboxCgroup

SANDBOX_UID = contract.SANDBOX_UID
LIB = "/opt/grade/lib"


VENV_TARGET = "/opt/grade/venv"
# The system's programs and libraries, read-only; never the host's root.
BASE_FS = [
    "--ro-bind", "/usr", "/usr",
    "--symlink", "usr/lib", "/lib",
    "--symlink", "usr/lib64", "/lib64",
    "--symlink", "usr/bin", "/bin",
]  # fmt: skip


def _python_binds() -> list[tuple[Path, str]]:
    """(host folder, sandbox path) pairs the interpreter needs besides /usr.

    A virtual environment appears at a neutral path; a base install outside /usr (pyenv, say)
    keeps its own path, which the environment's `bin/python` symlink names.
    """
    binds: list[tuple[Path, str]] = []
    base = Path(sys.base_prefix).resolve()
    if not base.is_relative_to("/usr"):
        binds.append((base, str(base)))
    if sys.prefix != sys.base_prefix:
        binds.append((Path(sys.prefix).resolve(), VENV_TARGET))
    return binds


def _sandbox_python() -> str:
    if sys.prefix != sys.base_prefix:
        return f"{VENV_TARGET}/bin/python"
    return sys.executable


class BwrapSandbox:
    name = "bwrap"
    warning = ""
    image_digest = None

    def __init__(self, uid: int = SANDBOX_UID) -> None:
        self.uid = uid
        self.bwrap = shutil.which("bwrap")
        if not self.bwrap:
            raise SandboxUnavailable(
                "no-bwrap",
                "bubblewrap (bwrap) is not installed.",
                "Install it (Debian/Ubuntu: apt-get install bubblewrap) or start Docker.",
            )
        probe = _probe(self.bwrap, tuple(self._dropper()))
        if probe:
            raise SandboxUnavailable(
                "bwrap-denied",
                f"bubblewrap cannot create a sandbox here: {probe}",
                "Allow unprivileged user namespaces (e.g. sysctl "
                "kernel.apparmor_restrict_unprivileged_userns=0) or use Docker.",
            )

    @property
    def sandbox_uid(self) -> int:
        """As root we drop to this slot's uid; else we stay ourselves. bwrap's user namespace
        maps either to itself."""
        return self.uid if os.geteuid() == 0 else os.getuid()

    def _dropper(self) -> list[str]:
        if os.geteuid() != 0:
            return []
        setpriv = shutil.which("setpriv")
        if not setpriv:
            raise SandboxUnavailable(
                "no-setpriv",
                "running as root needs setpriv to drop privileges.",
                "Install util-linux, or run grade as a normal user.",
            )
        uid = str(self.uid)
        return [setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs"]

    def run(self, job: Job, prepare: Callable[[], None] | None = None) -> RawRun:
        launch = self.launch(job, cpu_seconds=int(job.wall_timeout) + 5)
        try:
            raw = supervise(
                launch.argv,
                job,
                env=launch.env,
                preexec=launch.preexec,
                cwd="/",  # never the teacher's working directory, not even outside
                prepare=prepare,
            )
            raw.oom_killed = bool(launch.group and launch.group.oom_killed())
            return raw
        finally:
            launch.close()

    def launch(self, job: Job, *, cpu_seconds: int, serve: bool = False) -> Launch:
        """How to start the runner on `job` in a new sandbox (and its cgroup, made now).
        `serve`: the runner grades one run after another (see grader.sandbox.warm)."""
        python = _python_binds()
        sources = [*(b[0] for b in python), Path(__file__).resolve().parent.parent, job.path]
        targets = [*(b[1] for b in python), f"{LIB}/grader", "/job"]
        relocate: list[str] = []
        if os.geteuid() == 0:
            # The sandbox uid may not traverse the folders above these (a clone under /root):
            # bind them onto fresh mountpoints in a private mount namespace first.
            moved = []
            for index, source in enumerate(sources):
                mountpoint = job.mounts / str(index)
                mountpoint.mkdir(mode=0o755)
                relocate += [str(source), str(mountpoint)]
                moved.append(mountpoint)
            sources = moved
        binds: list[str] = []
        for source, target in zip(sources, targets, strict=True):
            binds += ["--ro-bind", str(source), target]
        limits = job.limits
        argv = [
            *_relocator(relocate),
            *self._dropper(),
            self.bwrap,
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--die-with-parent",
            "--new-session",
            "--as-pid-1",
            *BASE_FS,
            *binds,
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            *_scratch(limits.shared_tmp_mb << 20, limits.tmp_mb << 20, limits.jobs),
            "--dir",
            "/etc",
            "--symlink",
            "/job/etc/hosts",
            "/etc/hosts",
            "--symlink",
            "/job/etc/passwd",
            "/etc/passwd",
            "--remount-ro",  # only the size-capped /tmp stays writable
            "/",
            "--chdir",
            "/tmp",
            "--clearenv",
            *_env_args(),
            "--",
            _sandbox_python(),
            "-P",
            "-m",
            "grader.sandbox_runner",
            "/job",
            *(["--serve"] if serve else []),
            *job.preload_hint,
        ]
        group = SandboxCgroup.create(
            memory_bytes=(limits.memory_mb * (limits.jobs + 1)) << 20,
            pids=limits.pids,
            cpus=limits.jobs,
        )
        preexec = _limits_setter(
            limits.file_bytes,
            limits.open_files,
            cpu=cpu_seconds,
            cgroup_procs=group.procs_files() if group else [],
        )
        return Launch(argv, {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}, preexec, group)


@dataclass
class Launch:
    """A sandbox about to start: its command, environment, what the first process does before
    it execs (limits, joining the cgroup), and the cgroup to remove once it has ended."""

    argv: list[str]
    env: dict[str, str]
    preexec: Callable[[], None]
    group: SandboxCgroup | None

    def oom_kills(self) -> int:
        return self.group.oom_kills() if self.group else 0

    def close(self) -> None:
        if self.group:
            self.group.remove()


RELOCATE_SCRIPT = (
    'while [ "$1" != "--" ]; do mount --bind "$1" "$2" || exit 97; shift 2; done; shift; exec "$@"'
)


def _relocator(pairs: list[str]) -> list[str]:
    if not pairs:
        return []
    unshare = shutil.which("unshare") or "unshare"
    return [
        unshare,
        "--mount",
        "--propagation",
        "private",
        "--",
        "/bin/sh",
        "-c",
        RELOCATE_SCRIPT,
        "relocate",
        *pairs,
        "--",
    ]


def _scratch(shared: int, size: int, jobs: int) -> list[str]:
    """/tmp, and a scratch slot for each exercise running at once: an exercise that fills its
    slot can't take the room the others lay out their files in."""
    args = ["--size", str(shared), "--tmpfs", "/tmp"]
    for index in range(jobs):
        args += ["--size", str(size), "--tmpfs", f"/tmp/slot{index}"]
    return args


def _env_args() -> list[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "USER": "learner",
        "LANG": "C.UTF-8",
        "PYTHONPATH": LIB,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "MALLOC_ARENA_MAX": "2",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    args: list[str] = []
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args


def _limits_setter(file_bytes: int, open_files: int, cpu: int, cgroup_procs: list[str]):
    def apply() -> None:
        for procs in cgroup_procs:  # join the sandbox's cgroup before exec: all descendants do
            with open(procs, "w") as fh:
                fh.write(str(os.getpid()))
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
        resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))

    return apply


@cache
def _probe(bwrap: str, dropper: tuple[str, ...]) -> str:
    """'' when bwrap can build a sandbox here, else its complaint."""
    argv = [
        *dropper,
        bwrap,
        "--unshare-all",
        "--unshare-user",
        "--die-with-parent",
        *BASE_FS,
        "--",
        "/usr/bin/true",
    ]
    try:
        result = subprocess.run(argv, env={}, capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if result.returncode == 0:
        return ""
    lines = result.stderr.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else f"exit status {result.returncode}"
