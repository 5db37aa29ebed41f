"""Choose a sandbox: `auto` prefers Docker when an engine answers, then bubblewrap; never none."""

from __future__ import annotations

from ..errors import SandboxUnavailable
from .base import Sandbox

SANDBOX_NAMES = ("auto", "docker", "bwrap", "none")


def get_sandbox(name: str = "auto") -> Sandbox:
    if name not in SANDBOX_NAMES:
        raise SandboxUnavailable(
            "unknown-sandbox",
            f"unknown sandbox '{name}'",
            f"Choose one of {', '.join(SANDBOX_NAMES)}.",
        )
    if name == "none":
        from .local import NoSandbox

        return NoSandbox()
    if name == "docker":
        raise SandboxUnavailable(
            "no-docker-backend",
            "the Docker sandbox is not available in this version.",
            "Use --sandbox bwrap (Linux) for now.",
        )
    from .bwrap import BwrapSandbox

    try:
        return BwrapSandbox()
    except SandboxUnavailable as exc:
        if name == "bwrap":
            raise
        raise SandboxUnavailable(
            "no-sandbox",
            f"no sandbox is available: {exc.message}",
            exc.next_step + " The grader never runs submissions unsandboxed unless you pass "
            "--sandbox none.",
        ) from None
