"""No sandbox: the learner's code runs as you, with your files in reach. Only when named."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from ..staging import Job
from .base import RawRun, supervise


class NoSandbox:
    name = "none"
    image_digest = None
    nproc_rlimit = False  # it would count every process of yours
    warning = (
        "--sandbox none runs the submission's code unsandboxed, as your user: "
        "use it only for code you trust."
    )

    @property
    def sandbox_uid(self) -> int:
        return os.getuid()

    def run(self, job: Job, prepare: Callable[[], None] | None = None) -> RawRun:
        scratch = job.root / "scratch"
        scratch.mkdir(exist_ok=True)
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(scratch),
            "TMPDIR": str(scratch),
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(_lib_root()),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        }
        argv = [
            sys.executable,
            "-P",
            "-m",
            "grader.sandbox_runner",
            str(job.path),
            *job.preload_hint,
        ]
        return supervise(argv, job, env=env, cwd=str(scratch), prepare=prepare)


def _lib_root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent.parent
