"""The course server (`grade serve`): the gradebook as pages for the teacher, and grading of
students' submissions against hidden tests that never leave this machine."""

from .app import create_app
from .settings import ServerSettings

__all__ = ["ServerSettings", "create_app"]
