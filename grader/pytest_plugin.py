"""The pytest plugin every hidden suite runs under.

It gives hidden tests three markers (``points``, ``task``, ``hint``) and the ``learner`` fixture,
which imports the learner's modules from the submission folder. Importing through the fixture,
never at a test module's top level, turns a missing or broken file into a clear failure of each
test ("main.py: SyntaxError at line 3: ...") instead of a collection crash that hides every result.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

MARKERS = {
    "points(n)": "points the test is worth (default 1)",
    "task(n)": "the exercise task the test belongs to",
    "hint(text)": "shown to the learner when the test fails",
}


class LearnerCodeError(Exception):
    """The learner's module is missing or cannot be imported; the message says which and why."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--submission",
        default=os.environ.get("GRADER_SUBMISSION", "."),
        help="folder holding the learner's files",
    )


def pytest_configure(config: pytest.Config) -> None:
    for name, doc in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {doc}")


class Learner:
    """Imports learner modules by name from the submission folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self._prefix = str(self.folder) + os.sep
        self._failed: dict[str, str] = {}  # a module whose import failed fails the same way again

    def __call__(self, name: str) -> ModuleType:
        """The module ``name`` (``"main"``, ``"models"``…), imported once per exercise."""
        if name in self._failed:  # don't run a broken module's import again for every test
            raise LearnerCodeError(self._failed[name])
        self._put_folder_first()
        try:
            return importlib.import_module(name)
        except BaseException as exc:  # SystemExit at import must not end the run
            message = self._describe(name, exc)
            out_of_memory = isinstance(exc, MemoryError)
            self._failed[name] = message
        # Raised outside the except block so the failed import's frames (and whatever they
        # hoarded) are not kept alive as the new exception's context.
        if out_of_memory:
            gc.collect()
        raise LearnerCodeError(message)

    def fresh(self, name: str) -> ModuleType:
        """Re-import ``name`` and every learner module, for tests that need fresh module state."""
        for mod_name, mod in list(sys.modules.items()):
            if self._is_learner_module(mod):
                del sys.modules[mod_name]
        self._failed.clear()
        importlib.invalidate_caches()
        return self(name)

    def path(self, filename: str) -> Path:
        """Where a learner file lives, for tests that read it (AST checks, config files)."""
        return self.folder / filename

    def source(self, filename: str) -> str:
        target = self.path(filename)
        if not target.is_file():
            raise LearnerCodeError(
                f"{filename} is missing: create it (grade start copies the starter)"
            )
        return target.read_text(encoding="utf-8", errors="replace")

    def _put_folder_first(self) -> None:
        entry = str(self.folder)
        if not sys.path or sys.path[0] != entry:
            if entry in sys.path:
                sys.path.remove(entry)
            sys.path.insert(0, entry)

    def _is_learner_module(self, mod: ModuleType | None) -> bool:
        # Learner modules are imported from `self.folder` itself, so a string prefix is exact;
        # resolving the paths of the thousand library modules would cost more than the import.
        file = getattr(mod, "__file__", None)
        return isinstance(file, str) and file.startswith(self._prefix)

    def _describe(self, name: str, exc: BaseException) -> str:
        filename = name.replace(".", "/") + ".py"
        if isinstance(exc, ModuleNotFoundError) and exc.name == name.split(".")[0]:
            return f"{filename} is missing: create it (grade start copies the starter)"
        if isinstance(exc, SyntaxError):
            where = Path(exc.filename or filename).name
            return f"{where}: SyntaxError at line {exc.lineno}: {exc.msg}"
        if isinstance(exc, SystemExit):
            return f"{filename}: the module called sys.exit({exc.code!r}) while being imported"
        return f"{filename}: importing it raised {type(exc).__name__}: {exc}"


@pytest.fixture(scope="session")
def learner(pytestconfig: pytest.Config) -> Learner:
    """Import the learner's modules: ``learner("main").app``."""
    return Learner(Path(pytestconfig.getoption("submission")))
