"""The pytest plugin every hidden suite runs under.

It gives hidden tests three markers (``points``, ``task``, ``hint``), the ``learner`` fixture,
which imports the learner's modules from the submission folder, and the suite kit:
``db_engine``, ``db_client``, ``app_client``, ``module_app_client``, ``overrides``,
``sql_counter`` and ``clock`` (see ``grader.testing``), and ``learner_tests`` for mutation
grading (see ``grader.mutation``). Importing through the fixture, never at a test module's top
level, turns a missing or broken file into a clear failure of each test ("main.py: SyntaxError
at line 3: ...") instead of a collection crash that hides every result.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from grader import compiled_once, contract, mutation, testing, trace

MARKERS = {
    "points(n)": "points the test is worth (default 1)",
    "task(n)": "the exercise task the test belongs to",
    "hint(text)": "shown to the learner when the test fails",
}


class LearnerCodeError(Exception):
    """The learner's module is missing or cannot be imported; the message says which and why.
    `trace` holds where in the learner's files the import failed (see `grader.trace`)."""

    def __init__(self, message: str, trace: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.trace = trace or {}


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
        compiled_once.install(str(self.folder))  # `fresh` re-executes, never recompiles
        self._failed: dict[str, str] = {}  # a module whose import failed fails the same way again
        self._traces: dict[str, dict[str, str]] = {}
        self._library_entries: set[tuple[str, Any]] = set()  # (name, module): not the learner's

    def __call__(self, name: str) -> ModuleType:
        """The module ``name`` (``"main"``, ``"models"``…), imported once per exercise."""
        if name in self._failed:  # don't run a broken module's import again for every test
            raise LearnerCodeError(self._failed[name], self._traces.get(name))
        self._put_folder_first()
        self._unshadow(name.split(".")[0])
        try:
            return importlib.import_module(name)
        except BaseException as exc:  # SystemExit at import must not end the run
            message = self._describe(name, exc)
            out_of_memory = isinstance(exc, MemoryError)
            self._failed[name] = message
            self._traces[name] = trace.describe(exc, self._prefix) or {}
            del exc
        # Raised outside the except block so the failed import's frames (and whatever they
        # hoarded) are not kept alive as the new exception's context.
        if out_of_memory:
            gc.collect()
        raise LearnerCodeError(message, self._traces[name])

    def require(self, name: str, *names: str, fresh: bool = False) -> ModuleType:
        """The module ``name``, failing the test with one clear line when it lacks any of
        ``names``: ``learner.require("main", "app", "get_db")``."""
        module = self.fresh(name) if fresh else self(name)
        missing = [n for n in names if getattr(module, n, None) is None]
        if missing:
            listed = ", ".join(f"`{n}`" for n in missing)
            where = self._display_path(name, getattr(module, "__file__", None))
            raise LearnerCodeError(f"{where} defines no {listed}")
        return module

    def fresh(self, name: str) -> ModuleType:
        """Re-import ``name`` and every learner module, for tests that need fresh module state."""
        for mod_name in self._learner_module_names():
            del sys.modules[mod_name]
        self._failed.clear()
        self._traces.clear()
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

    def _unshadow(self, top: str) -> None:
        """A learner file named like a library the sandbox preloaded (`limits.py` beside
        slowapi's `limits`) must win: forget the library's modules of that name."""
        loaded = sys.modules.get(top)
        if loaded is None or self._is_learner_module(loaded):
            return
        if not ((self.folder / f"{top}.py").is_file() or (self.folder / top).is_dir()):
            return
        for mod_name in [m for m in sys.modules if m == top or m.startswith(top + ".")]:
            del sys.modules[mod_name]
        importlib.invalidate_caches()

    def _put_folder_first(self) -> None:
        entry = str(self.folder)
        if not sys.path or sys.path[0] != entry:
            if entry in sys.path:
                sys.path.remove(entry)
            sys.path.insert(0, entry)

    def _learner_module_names(self) -> list[str]:
        """The names in `sys.modules` bound to a learner module. A suite asks before each test,
        and the thousands of library modules stay the same: only entries not seen before (by
        name and module) are looked at (a set difference), the rest were libraries last time."""
        try:
            entries = sys.modules.items() - self._library_entries
        except TypeError:  # something unhashable was put in sys.modules: look at everything
            return [name for name, mod in list(sys.modules.items()) if self._is_learner_module(mod)]
        found = [name for name, mod in entries if self._is_learner_module(mod)]
        self._library_entries.update(e for e in entries if e[0] not in found)
        return found

    def _is_learner_module(self, mod: ModuleType | None) -> bool:
        # Learner modules are imported from `self.folder` itself, so a string prefix is exact;
        # resolving the paths of the thousand library modules would cost more than the import.
        file = getattr(mod, "__file__", None)
        return isinstance(file, str) and file.startswith(self._prefix)

    def _display_path(self, name: str, file: str | None = None) -> str:
        """The learner's file for module `name`, as the learner sees it: `main.py`, or
        `users_service/__init__.py` for a package."""
        if isinstance(file, str) and file.startswith(self._prefix):
            return file[len(self._prefix) :]
        stem = name.replace(".", "/")
        return f"{stem}/__init__.py" if (self.folder / stem).is_dir() else f"{stem}.py"

    def _describe(self, name: str, exc: BaseException) -> str:
        filename = self._display_path(name)
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


# --- the learner's own traceback, for a failed test --------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    testing.server_errors.clear()  # what the app raised belongs to the test that ran it


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A failed test's report gets `learner_trace`: where the learner's own code raised (the
    test's exception, else the last one the app under test raised behind a 500), in their
    files only. The runner sends it with the test's record."""
    outcome = yield
    report = outcome.get_result()
    if not report.failed or call.excinfo is None:
        return
    error = call.excinfo.value
    prefix = str(Path(item.config.getoption("submission")).resolve()) + os.sep
    if isinstance(error, LearnerCodeError):
        found = {**error.trace, contract.BROKEN_KEY: str(error)}
    else:
        found = trace.describe(error, prefix)
        for server_error in reversed(testing.server_errors):
            found = found or trace.describe(server_error, prefix)
    testing.server_errors.clear()
    if found:
        report.learner_trace = found


# --- the suite kit: fixtures every hidden suite gets without copying them -------------------


@pytest.fixture
def db_engine() -> Iterator[Callable[..., Any]]:
    """``db_engine(Base.metadata)``: a private in-memory database with those tables, shared by
    every thread, foreign keys on; disposed after the test."""
    engines = []

    def make(metadata: Any = None, foreign_keys: bool = True) -> Any:
        engine = testing.memory_engine(metadata, foreign_keys)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture
def app_client() -> Iterator[Callable[..., Any]]:
    """``app_client(app)``: a TestClient that answers 500 instead of raising and follows no
    redirects; ``lifespan=True`` runs the app's startup and shutdown around the test. Each
    request is one call into the app; a test's requests share one event loop, as they would
    under a server (`grader.testing.one_event_loop`)."""
    with ExitStack() as opened:

        def make(app: Any, lifespan: bool = False, **options: Any) -> Any:
            if not lifespan:
                return opened.enter_context(testing.looped_client(app, **options))
            client = testing.client_for(app, **options)
            opened.callback(client.close)
            return opened.enter_context(client)

        yield make


@pytest.fixture(scope="module")
def module_app_client() -> Iterator[Callable[..., Any]]:
    """``module_app_client(app)``: ``app_client(app)`` for a whole test module: the same client
    each time for the same app, its requests on one event loop, all closed when the module
    ends. Tests that share it reset what the app keeps between them themselves."""
    with ExitStack() as opened:
        clients: dict[int, tuple[Any, Any]] = {}  # the app is kept: its id stays its own

        def make(app: Any) -> Any:
            if id(app) not in clients:
                clients[id(app)] = (app, opened.enter_context(testing.looped_client(app)))
            return clients[id(app)][1]

        yield make


@dataclass
class DbApp:
    """What ``db_client`` sets up: the client, the test engine and its session factory."""

    client: Any
    engine: Any
    sessions: Callable[[], Any]

    def scalars(self, statement: Any) -> list:
        """Rows read through a fresh Session: what was really committed."""
        return testing.fresh_scalars(self.engine, statement)


@pytest.fixture
def db_client(db_engine, app_client) -> Iterator[Callable[..., DbApp]]:
    """``db_client(main)``: the learner's ``main.app`` with ``main.get_db`` overridden to hand out
    sessions on a new in-memory database holding ``main.Base``'s tables. Pass ``engine=`` to
    reuse one, ``get_db=``/``metadata=`` for other names; the override is removed afterwards."""
    stack = []

    def make(
        module: Any,
        engine: Any = None,
        get_db: Any = None,
        metadata: Any = None,
        lifespan: bool = False,
        **options: Any,
    ) -> DbApp:
        if engine is None:
            if metadata is None:
                metadata = module.Base.metadata
            engine = db_engine(metadata)
        override = testing.overridden_db(module.app, get_db or module.get_db, engine)
        sessions = override.__enter__()
        stack.append(override)
        return DbApp(app_client(module.app, lifespan=lifespan, **options), engine, sessions)

    yield make
    for override in reversed(stack):
        override.__exit__(None, None, None)


@pytest.fixture
def overrides() -> Iterator[Callable[[Any, dict], None]]:
    """``overrides(app, {get_settings: fake_settings})``: dependency overrides for this test
    only; whatever the app held before is put back exactly afterwards."""
    saved: list[tuple[Any, dict]] = []

    def apply(app: Any, mapping: dict) -> None:
        saved.append((app, dict(app.dependency_overrides)))
        app.dependency_overrides.update(mapping)

    yield apply
    for app, before in reversed(saved):
        app.dependency_overrides.clear()
        app.dependency_overrides.update(before)


@pytest.fixture
def sql_counter() -> Callable[[Any], testing.SqlCounter]:
    """``with sql_counter(engine) as counted: ...`` then ``counted.count`` (N+1 checks)."""
    return testing.SqlCounter


@pytest.fixture
def clock() -> testing.FakeClock:
    """A clock that moves only by ``clock.advance(seconds)``; its ``sleep`` returns at once."""
    return testing.FakeClock()


class LearnerTests:
    """The learner's test files, run against an exercise's subject app or one of its mutants
    (``grader.mutation``); each run is made once per grading and then reused."""

    def __init__(self, learner: Learner, folder: Path, files: list[str], inspect: Any) -> None:
        self.subject = mutation.Subject(folder)
        self.names = list(files)
        self._learner = learner
        self._inspect = inspect
        self._runs: dict[tuple, mutation.TestRun] = {}

    @property
    def files(self) -> dict[str, str]:
        """{name: text} of the learner's files (a missing file fails the test, naming it)."""
        return {name: self._learner.source(name) for name in self.names}

    def run(self, mutant: str | None = None, probes: dict[str, str] | None = None):
        """The learner's files (plus the hidden suite's `probes`, {file name: text}) run beside
        the subject, or beside the mutant named `mutant`: there, only the tests that passed on
        the subject run, up to the first failure (enough to tell whether it is caught)."""
        key = (mutant, tuple(sorted((probes or {}).items())))
        if key not in self._runs:
            # On a mutant, only the tests that passed on the subject can catch it, and the
            # first that fails does: run those, and stop there.
            only = None if mutant is None else self.run(None, probes).passed
            files = self.files
            files.update(probes or {})
            self._runs[key] = self.subject.run(
                files,
                mutant=mutant,
                inspect=self._inspect,
                only=only,
                first_failure=mutant is not None,
            )
        return self._runs[key]

    def on_subject(self, probes: dict[str, str] | None = None) -> mutation.TestRun:
        return self.run(None, probes)

    def on_mutant(self, name: str, probes: dict[str, str] | None = None) -> mutation.TestRun:
        return self.run(name, probes)


@pytest.fixture(scope="session")
def learner_tests(learner: Learner) -> Callable[..., LearnerTests]:
    """``learner_tests(Path(__file__).parent, ["test_weather.py"])``: the learner's test files,
    run by ``.on_subject()`` beside ``tests/subject/`` or by ``.on_mutant(name)`` beside the
    subject with ``tests/mutants/<name>.patch`` applied; each returns a ``mutation.TestRun``.
    ``inspect=f`` calls ``f(modules)`` after each run with the modules it imported from its
    folder (``{"app": ...}``) and keeps the result in ``run.inspected``."""
    made: dict[tuple, LearnerTests] = {}

    def make(folder: Path, files: list[str], inspect: Any = None) -> LearnerTests:
        key = (str(folder), tuple(files), inspect)
        if key not in made:
            made[key] = LearnerTests(learner, Path(folder), files, inspect)
        return made[key]

    return make
