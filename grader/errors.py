"""Errors the platform raises: each carries a stable code and the next step for the user."""

from __future__ import annotations


class GraderError(Exception):
    """A problem of the platform or of the user's input, never of the learner's code."""

    exit_code = 2

    def __init__(self, code: str, message: str, next_step: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.next_step = next_step

    def __str__(self) -> str:
        return f"{self.message} {self.next_step}".strip()

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "next_step": self.next_step}


class CatalogError(GraderError):
    """An exercise's metadata or layout breaks the contract."""


class SelectionError(GraderError):
    """A selector names no exercise."""


class WorkspaceError(GraderError):
    """The learner's workspace is missing something or would lose work."""


class UsageError(GraderError):
    """The command line asks for something that does not exist (an unknown sandbox, say)."""


class SandboxUnavailable(GraderError):
    """No sandbox can run untrusted code here; the grader refuses to run it unsandboxed."""

    exit_code = 3
