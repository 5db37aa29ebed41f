"""A cgroup for one bubblewrap sandbox: the real bound on total memory, processes and CPU.

Per-process rlimits cannot bound a sandbox's total memory (six processes of 1 GiB each are
6 GiB); a cgroup can. Where the grader may create cgroups (root, cgroup v1 or v2), every
sandbox gets its own: memory (swap included where the kernel accounts it), pids and a CPU quota.
The sandbox's first process joins it before it execs, so every descendant is inside.
Elsewhere the sandbox runs with rlimits alone and says so.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")


@dataclass
class SandboxCgroup:
    """Where the sandbox's cgroup lives: one folder (v2) or one per controller (v1)."""

    version: int
    folders: dict[str, Path] = field(default_factory=dict)  # controller → folder

    @classmethod
    def create(cls, memory_bytes: int, pids: int, cpus: float) -> SandboxCgroup | None:
        """A new cgroup with these limits, or None where the grader may not make one."""
        if os.geteuid() != 0:
            return None
        sweep_stale()
        name = f"grade-{secrets.token_hex(6)}"
        try:
            if (ROOT / "cgroup.controllers").is_file():
                return cls._create_v2(name, memory_bytes, pids, cpus)
            if (ROOT / "memory" / "cgroup.procs").is_file():
                return cls._create_v1(name, memory_bytes, pids, cpus)
        except OSError:
            return None
        return None

    @classmethod
    def _create_v2(cls, name: str, memory: int, pids: int, cpus: float) -> SandboxCgroup:
        folder = ROOT / name
        folder.mkdir()
        group = cls(2, {"all": folder})
        try:
            (folder / "memory.max").write_text(str(memory))
            if (folder / "memory.swap.max").exists():
                (folder / "memory.swap.max").write_text("0")
            (folder / "pids.max").write_text(str(pids))
            (folder / "cpu.max").write_text(f"{int(cpus * 100000)} 100000")
        except OSError:
            group.remove()
            raise
        return group

    @classmethod
    def _create_v1(cls, name: str, memory: int, pids: int, cpus: float) -> SandboxCgroup:
        group = cls(1)
        try:
            for controller in ("memory", "pids", "cpu"):
                if not (ROOT / controller / "cgroup.procs").is_file():
                    continue
                folder = ROOT / controller / name
                folder.mkdir()
                group.folders[controller] = folder
            memory_dir = group.folders["memory"]
            (memory_dir / "memory.limit_in_bytes").write_text(str(memory))
            swap = memory_dir / "memory.memsw.limit_in_bytes"
            if swap.exists():
                swap.write_text(str(memory))
            if "pids" in group.folders:
                (group.folders["pids"] / "pids.max").write_text(str(pids))
            if "cpu" in group.folders:
                (group.folders["cpu"] / "cpu.cfs_period_us").write_text("100000")
                (group.folders["cpu"] / "cpu.cfs_quota_us").write_text(str(int(cpus * 100000)))
        except (OSError, KeyError):
            group.remove()
            raise OSError("cannot configure a v1 memory cgroup") from None
        return group

    def procs_files(self) -> list[str]:
        """Files the sandbox's first process writes its pid to (from preexec, before exec)."""
        return [str(folder / "cgroup.procs") for folder in self.folders.values()]

    def oom_killed(self) -> bool:
        return self.oom_kills() > 0

    def oom_kills(self) -> int:
        """How many processes the kernel has killed in here for want of memory."""
        try:
            if self.version == 2:
                text = (self.folders["all"] / "memory.events").read_text()
            else:
                text = (self.folders["memory"] / "memory.oom_control").read_text()
            lines = text.splitlines()
            return sum(int(line.split()[1]) for line in lines if line.startswith("oom_kill "))
        except (OSError, KeyError, ValueError, IndexError):
            return 0

    def remove(self) -> None:
        """Kill anything left inside, then remove the folders."""
        for folder in self.folders.values():
            kill = folder / "cgroup.kill"
            try:
                if kill.exists():
                    kill.write_text("1")
                else:
                    for pid in (folder / "cgroup.procs").read_text().split():
                        try:
                            os.kill(int(pid), 9)
                        except (ProcessLookupError, ValueError):
                            pass
            except OSError:
                pass
        for folder in self.folders.values():
            for _ in range(100):  # the killed processes take a moment to leave
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.02)


STALE_SECONDS = 120


def sweep_stale() -> None:
    """Remove sandbox cgroups that outlived their grader (rmdir fails on one still in use)."""
    now = time.time()
    for folder in [*ROOT.glob("grade-*"), *ROOT.glob("*/grade-*")]:
        try:
            if now - folder.stat().st_mtime > STALE_SECONDS:
                folder.rmdir()
        except OSError:
            pass
