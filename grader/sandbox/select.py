"""Choose a sandbox: `auto` prefers Docker when an engine answers, then bubblewrap; never none."""

from __future__ import annotations

from ..errors import SandboxUnavailable, UsageError
from .base import Sandbox

SANDBOX_NAMES = ("auto", "docker", "bwrap", "none")


def get_sandbox(name: str = "auto", slot: int = 0) -> Sandbox:
    """`slot` tells parallel sandboxes apart (bwrap gives each its own uid)."""
    if name not in SANDBOX_NAMES:
        raise UsageError(
            "unknown-sandbox",
            f"unknown sandbox '{name}'",
            f"Choose one of {', '.join(SANDBOX_NAMES)}.",
        )
    if name == "none":
        from .local import NoSandbox

        return NoSandbox()
    from .bwrap import SANDBOX_UID, BwrapSandbox
    from .container import DockerSandbox

    if name == "docker":
        return DockerSandbox()
    if name == "bwrap":
        return BwrapSandbox(uid=SANDBOX_UID + slot)
    try:
        return DockerSandbox()
    except SandboxUnavailable as docker_problem:
        try:
            box = BwrapSandbox(uid=SANDBOX_UID + slot)
        except SandboxUnavailable as bwrap_problem:
            raise SandboxUnavailable(
                "no-sandbox",
                f"no sandbox is available: {docker_problem.message} {bwrap_problem.message}",
                f"{docker_problem.next_step} Or: {bwrap_problem.next_step} The grader never "
                "runs submissions unsandboxed unless you pass --sandbox none.",
            ) from None
        if docker_problem.code == "no-image":
            box.warning = f"{docker_problem.message} {docker_problem.next_step} Using bwrap."
        return box
