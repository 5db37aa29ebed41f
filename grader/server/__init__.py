"""The course server (`grade serve`): the gradebook as pages for the teacher, and grading of
students' submissions against hidden tests that never leave this machine.

`create_app` and `ServerSettings` are loaded on first use, so that `grade submit` (which needs
only grader.server.client) starts without FastAPI's app or SQLAlchemy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .settings import ServerSettings

__all__ = ["ServerSettings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "ServerSettings":
        from .settings import ServerSettings

        return ServerSettings
    raise AttributeError(name)
