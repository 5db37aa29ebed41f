"""Sandboxes that run a staged job: bubblewrap, Docker, or (only when named) none."""

from .base import RawRun, Sandbox
from .select import SANDBOX_NAMES, get_sandbox

__all__ = ["RawRun", "Sandbox", "SANDBOX_NAMES", "get_sandbox"]
