"""Mutation grading: run the learner's own tests against a subject app and its mutants.

An exercise whose learner writes tests (or fixtures) keeps, in its hidden tests folder:

    tests/subject/app.py              the app the learner's tests are about (the starter's copy,
                                      so that editing the provided file changes nothing)
    tests/mutants/<behaviour>.patch   one mutant per behaviour the prompt documents: a unified
                                      diff against subject/, headed, like a wrong variant, by
                                      Breaks: "<the prompt sentence of the behaviour it breaks>"

`Subject(folder).run(files)` lays out the learner's files beside the subject (or a mutant) in a
new temporary folder and runs pytest on them in this process: a nested `pytest.main` (no grader
plugin, no cache, its output thrown away) with `sys.modules`, `sys.path` and the working directory
put back afterwards (as pytester's in-process runs do) and outgoing network connections refused.
It returns a `TestRun`: what was collected, what passed, what failed and why, in one line each.
A mutant counts as caught only by a failing or erroring test, never by a collection error.

Hidden tests reach this through the plugin's `learner_tests` fixture, which caches each run.
"""

from __future__ import annotations

import functools
import importlib
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from grader import variants

SUBJECT = "subject"
MUTANTS = "mutants"
PYTEST_INI = """[pytest]
filterwarnings =
    ignore::DeprecationWarning
    ignore::PendingDeprecationWarning
"""
# Plugins a learner's tests never need: no cache folder, no report files, no progress output.
NO_PLUGINS = (
    "cacheprovider",
    "junitxml",
    "pastebin",
    "stepwise",
    "faulthandler",
    "unraisableexception",  # its gc.collect() calls at the end cost more than the run
    "threadexception",
)
REASON_CHARS = 300
STOPPED = {  # exit codes of a run that did not get through the tests (not a catch)
    2: "the run was interrupted (KeyboardInterrupt or pytest.exit)",
    3: "pytest stopped with an internal error (SystemExit while importing a test file?)",
    4: "pytest refused its arguments",
}


class MutationError(Exception):
    """The exercise's subject or a mutant is missing or no longer applies (an author's error)."""


class NetworkRefused(ConnectionRefusedError):
    """Raised where a learner's test (or the code under test) opens a network connection."""


@dataclass(frozen=True)
class Mutant:
    name: str  # the patch's stem: the behaviour's slug, used as the parametrize id
    behaviour: str  # the prompt sentence it breaks (its Breaks: line)
    files: dict[str, str]  # the subject's files it changes, with their new text


@dataclass
class TestRun:
    """What one nested run of the learner's tests did. Test ids are pytest's node ids relative
    to the run's folder ("test_weather.py::test_unknown_city")."""

    collected: int = 0
    passed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # failed in the test itself
    errors: dict[str, str] = field(default_factory=dict)  # failed in a fixture's setup/teardown
    collection_errors: dict[str, str] = field(default_factory=dict)  # file → reason
    inspected: Any = None  # what the `inspect` callable returned after the run

    @property
    def green(self) -> bool:
        """Every collected test passed, and there was at least one."""
        return bool(self.passed) and not (self.failed or self.errors or self.collection_errors)

    @property
    def caught(self) -> bool:
        """A test failed or errored (a collection error does not count: that is not a catch)."""
        return not self.collection_errors and bool(self.failed or self.errors)

    def outcome(self, test_id: str) -> str:
        """'passed', 'failed', 'error' or 'missing' for one test id."""
        if test_id in self.failed:
            return "failed"
        if test_id in self.errors:
            return "error"
        return "passed" if test_id in self.passed else "missing"

    def reason(self, test_id: str) -> str:
        return self.failed.get(test_id) or self.errors.get(test_id) or ""

    def problems(self, limit: int = 3) -> str:
        """One line per problem (collection errors first), at most `limit`, for a message."""
        lines = [
            why if where == "(pytest)" else f"{where} could not be collected: {why}"
            for where, why in self.collection_errors.items()
        ]
        lines += [f"{test} failed: {why}" for test, why in self.failed.items()]
        lines += [f"{test} errored: {why}" for test, why in self.errors.items()]
        more = len(lines) - limit
        return "; ".join(lines[:limit]) + (f" (and {more} more)" if more > 0 else "")


class Subject:
    """The subject app of an exercise (`folder/subject/`) and its mutants (`folder/mutants/`)."""

    def __init__(self, folder: Path, subject: str = SUBJECT, mutants: str = MUTANTS) -> None:
        self.folder = Path(folder)
        self.root = self.folder / subject
        if not self.root.is_dir():
            raise MutationError(f"{self.root} is missing: it holds the app the tests are about")
        self.files = {
            path.relative_to(self.root).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(self.root.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts
        }
        self.mutant_paths = {p.stem: p for p in sorted((self.folder / mutants).glob("*.patch"))}

    @property
    def mutant_names(self) -> list[str]:
        return list(self.mutant_paths)

    def mutant(self, name: str) -> Mutant:
        """The mutant `name`, applied strictly in memory; MutationError if it is missing or no
        longer applies to the subject."""
        path = self.mutant_paths.get(name)
        if path is None:
            raise MutationError(f"no mutant {name!r} in {self.folder.name}/{MUTANTS}/")
        try:
            variant = variants.load(path)
            texts = variants.patched_files(variant, self.root)
        except (variants.VariantError, UnicodeDecodeError) as exc:
            raise MutationError(f"mutant {name}: {exc}") from None
        return Mutant(name=name, behaviour=variant.breaks, files=texts)

    def run(
        self,
        tests: dict[str, str],
        mutant: str | None = None,
        inspect: Callable[[dict[str, ModuleType]], Any] | None = None,
        only: list[str] | None = None,
        first_failure: bool = False,
    ) -> TestRun:
        """Run the test files `tests` ({name: text}: the learner's, and any probe tests of the
        hidden suite) beside the subject, or beside the mutant `mutant`. `only`: run just these
        test ids (the others are deselected); `first_failure`: stop at the first failure."""
        files = dict(self.files)
        if mutant is not None:
            files.update(self.mutant(mutant).files)
        files.update(tests)
        return run_tests(files, inspect=inspect, only=only, first_failure=first_failure)


# ---------------------------------------------------------------- the nested run


class _Collector:
    """The nested run's only reporting plugin."""

    def __init__(self, run: TestRun, only: list[str] | None = None) -> None:
        self.run = run
        self.only = None if only is None else set(only)

    def pytest_collection_modifyitems(self, config, items) -> None:
        if self.only is None:
            return
        kept = [item for item in items if item.nodeid in self.only]
        dropped = [item for item in items if item.nodeid not in self.only]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self.run.collection_errors[report.nodeid or "(the test folder)"] = _reason(report)

    def pytest_collection_finish(self, session) -> None:
        self.run.collected = len(session.items)

    def pytest_runtest_logreport(self, report) -> None:
        nodeid = report.nodeid
        if report.when == "call":
            if report.passed or getattr(report, "wasxfail", None) is not None:
                self.run.passed.append(nodeid)
            elif report.failed:
                self.run.failed[nodeid] = _reason(report)
        elif report.failed and nodeid not in self.run.errors:
            self.run.errors[nodeid] = f"in a fixture's {report.when}: {_reason(report)}"
            if nodeid in self.run.passed and report.when == "teardown":
                self.run.passed.remove(nodeid)


def _reason(report) -> str:
    """The one line that says why: the crash message's first line (an assertion's own text)."""
    longrepr = report.longrepr
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        text = crash.message
    elif isinstance(longrepr, tuple) and len(longrepr) == 3:  # a skip: (file, line, reason)
        text = str(longrepr[2])
    else:
        lines = str(longrepr or "").strip().splitlines()
        text = lines[-1] if lines else "no reason given"
    text = " ".join(str(text).split("\n", 1)[0].split())
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"


def run_tests(
    files: dict[str, str],
    inspect: Callable[[dict[str, ModuleType]], Any] | None = None,
    only: list[str] | None = None,
    first_failure: bool = False,
) -> TestRun:
    """Write `files` ({relative path: text}) to a new temporary folder and run pytest there, in
    this process. `inspect(modules)` is called after the run with the modules imported from that
    folder ({"app": <module>, ...}), before they are forgotten."""
    import pytest

    run = TestRun()
    folder = Path(tempfile.mkdtemp(prefix="learner-tests-"))
    try:
        for name, text in files.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        (folder / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")
        args = [str(folder), "-c", str(folder / "pytest.ini"), "--rootdir", str(folder)]
        # --tb=line: the one line `_reason` keeps, without reading every frame's source.
        args += ["-qq", "--tb=line", "--capture=no", "-p", "anyio.pytest_plugin"]
        for plugin in NO_PLUGINS:
            args += ["-p", f"no:{plugin}"]
        with (
            _isolated(folder) as loaded,
            _no_network(),
            open(os.devnull, "w") as devnull,
            redirect_stdout(devnull),
        ):
            if first_failure:
                args.append("--exitfirst")
            code = pytest.main(args, plugins=[_Collector(run, only)])
            if code in STOPPED:
                run.collection_errors.setdefault("(pytest)", STOPPED[code])
            if inspect is not None:
                run.inspected = inspect(loaded())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return run


@contextmanager
def _isolated(folder: Path) -> Iterator[Callable[[], dict[str, ModuleType]]]:
    """sys.modules, sys.path, the working directory and plugin autoloading as they were before,
    whatever the nested run imports or changes. Modules of the same name as a file of `folder`
    (`app`, `conftest`, `main`) are set aside during the run, so that the run imports its own."""
    modules = dict(sys.modules)
    path = list(sys.path)
    cwd = os.getcwd()
    meta_path = list(sys.meta_path)
    bytecode = sys.dont_write_bytecode
    autoload = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    prefix = str(folder) + os.sep
    local = {p.stem for p in folder.glob("*.py")} | {p.name for p in folder.iterdir() if p.is_dir()}
    for name in [m for m in sys.modules if m.split(".")[0] in local]:
        del sys.modules[name]

    def loaded() -> dict[str, ModuleType]:
        return {
            name: mod
            for name, mod in list(sys.modules.items())
            if isinstance(getattr(mod, "__file__", None), str) and mod.__file__.startswith(prefix)
        }

    sys.path.insert(0, str(folder))  # the run's `app`/`main`, not the learner's own copy
    sys.dont_write_bytecode = True
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    importlib.invalidate_caches()
    os.chdir(folder)
    try:
        yield loaded
    finally:
        os.chdir(cwd)
        # Forget what the run imported from its folder (and anything it replaced); keep the
        # libraries it imported for the first time, so that the next run does not pay again.
        ours = set(loaded())
        for name in list(sys.modules):
            if name in ours or (name not in modules and name.split(".")[0] in local):
                del sys.modules[name]
        sys.modules.update(modules)
        sys.path[:] = path
        sys.meta_path[:] = meta_path
        sys.dont_write_bytecode = bytecode
        if autoload is None:
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = autoload
        importlib.invalidate_caches()


@contextmanager
def _no_network() -> Iterator[None]:
    """Refuse every internet connection and name lookup (local socket pairs still work: an
    event loop needs one) for the duration of the block."""
    saved = (socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo)

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise NetworkRefused("network access is blocked while your tests run")

    def connect(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            refuse()
        return saved[0](sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            refuse()
        return saved[1](sock, address)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = refuse  # type: ignore[assignment]
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = saved  # type: ignore[method-assign]


@functools.cache  # one callable per name: `learner_tests` reuses runs made with the same one
def overrides_left(module: str = "app", attribute: str = "app") -> Callable[[dict], Any]:
    """An `inspect` callable: the names of the dependencies still overridden on
    `module.attribute` (a FastAPI app) once the run has finished, or None if the run never
    imported `module`."""

    def inspect(modules: dict[str, ModuleType]) -> list[str] | None:
        loaded = modules.get(module)
        app = getattr(loaded, attribute, None)
        if app is None:
            return None
        return [getattr(k, "__name__", repr(k)) for k in getattr(app, "dependency_overrides", {})]

    return inspect


def problems(tests_dir: Path, prompt: str, starter_dir: Path | None = None) -> list[str]:
    """What is wrong with an exercise's subject and mutants, statically (for `grade lint`):
    a mutant that does not apply, a Breaks: sentence missing from the prompt, a subject file
    that differs from the starter's copy. An exercise without `tests/subject/` has none."""
    if not (Path(tests_dir) / SUBJECT).is_dir():
        return []
    subject = Subject(Path(tests_dir))
    found = []
    prompt_text = variants.normalised(prompt)
    for name in subject.mutant_names:
        try:
            mutant = subject.mutant(name)
        except MutationError as exc:
            found.append(f"{MUTANTS}/{name}.patch: {exc}")
            continue
        if mutant.behaviour not in prompt_text:
            found.append(
                f"{MUTANTS}/{name}.patch: its Breaks: sentence is not in the prompt: "
                f'"{mutant.behaviour}"'
            )
    if starter_dir is not None:
        for rel, text in subject.files.items():
            copy = Path(starter_dir) / rel
            if not copy.is_file() or copy.read_text(encoding="utf-8") != text:
                found.append(f"{SUBJECT}/{rel} differs from the starter's {rel}")
    return found
