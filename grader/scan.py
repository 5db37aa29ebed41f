"""A static scan of a submission for code that reaches into the grader (stdlib only).

The learner's code shares a Python process with pytest and the grader's reporter, so a few
lines can rewrite results in memory or write fake ones to the result pipe. Nothing prevents
that from inside, but such code has to reach for things an exercise about FastAPI and
SQLAlchemy never needs: pytest's or the runner's internals, the result descriptor, the job
folder, `os._exit`, frames, the garbage collector's object list, ctypes, or code built from
strings at run time. Finding them is evidence for a teacher to read, not a verdict: a hit marks
the result "needs review" and never changes its score. The warm parent runs the scan on each
submission before the learner's code runs.
"""

from __future__ import annotations

import ast
import os
import stat

MAX_FILES = 200
MAX_BYTES = 2 << 20
MAX_REASONS = 6

# Modules a solution never needs and a forgery does; the value says why they matter.
MODULES = {
    "gc": "the garbage collector's view of every object (gc)",
    "ctypes": "raw memory access (ctypes)",
    "_ctypes": "raw memory access (_ctypes)",
    "_pytest": "pytest's internals (_pytest)",
    "pluggy": "pytest's plugin machinery (pluggy)",
    "grader": "the grader's own modules",
    "sandbox_runner": "the grader's runner",
    "__main__": "the grader's runner (__main__)",
    "builtins": "Python's builtins (to patch them)",
    "_testcapi": "CPython's internals (_testcapi)",
}
# Attribute names (and the same names given as strings, as to getattr) that reach frames,
# objects or the process's exit and descriptors.
ATTRIBUTES = {
    "_exit": "os._exit (leaves without pytest's own ending)",
    "_getframe": "frame introspection (sys._getframe)",
    "_current_frames": "frame introspection (sys._current_frames)",
    "f_back": "frame introspection (f_back)",
    "f_globals": "frame introspection (f_globals)",
    "f_locals": "frame introspection (f_locals)",
    "f_builtins": "frame introspection (f_builtins)",
    "tb_frame": "frame introspection (tb_frame)",
    "gi_frame": "frame introspection (gi_frame)",
    "cr_frame": "frame introspection (cr_frame)",
    "ag_frame": "frame introspection (ag_frame)",
    "currentframe": "frame introspection (inspect.currentframe)",
    "getouterframes": "frame introspection (inspect.getouterframes)",
    "get_objects": "the garbage collector's object list (gc.get_objects)",
    "get_referrers": "the garbage collector's object graph (gc.get_referrers)",
    "get_referents": "the garbage collector's object graph (gc.get_referents)",
    "prlimit": "another process's resource limits (prlimit)",
    "settrace": "a tracing hook over other code (settrace)",
    "setprofile": "a profiling hook over other code (setprofile)",
    "__subclasses__": "class introspection (__subclasses__)",
    "__globals__": "another function's globals (__globals__)",
    "__closure__": "another function's closure (__closure__)",
    "__builtins__": "Python's builtins (__builtins__)",
    "pluginmanager": "pytest's plugin manager",
    "hookimpl": "a pytest hook implementation",
    "hookwrapper": "a pytest hook wrapper",
}
FRAME_FUNCTIONS = {"stack", "trace", "currentframe", "getouterframes", "getinnerframes"}
# os functions that touch raw descriptors, end the process or signal others.
OS_CALLS = {
    "_exit": "os._exit (leaves without pytest's own ending)",
    "write": "os.write to a raw descriptor (the result pipe?)",
    "writev": "os.writev to a raw descriptor",
    "pwrite": "os.pwrite to a raw descriptor",
    "sendfile": "os.sendfile to a raw descriptor",
    "dup2": "os.dup2 (descriptor juggling)",
    "fdopen": "os.fdopen (opens a raw descriptor)",
    "kill": "os.kill (signals another process)",
    "killpg": "os.killpg (signals other processes)",
}
# pytest's public names a learner's own tests may use; any other reaches into the run.
PYTEST_PUBLIC = {
    "fixture", "mark", "raises", "approx", "param", "warns", "skip", "fail", "xfail",
    "importorskip", "MonkeyPatch", "FixtureRequest", "TempPathFactory", "CaptureFixture",
    "LogCaptureFixture", "deprecated_call", "PytestWarning", "RaisesGroup", "RaisesExc",
}  # fmt: skip
# Strings that name the grader's places and frames.
STRINGS = {
    "/job": "the grader's job folder (/job, where the hidden tests are)",
    "/opt/grade": "the grader's own files (/opt/grade)",
    "/proc/": "another process's internals (/proc)",
    "/dev/fd": "raw descriptors (/dev/fd)",
    "@@GRADE": "the grader's result frames",
    "sandbox_runner": "the grader's runner",
    "_pytest": "pytest's internals (_pytest)",
}
# Files that would shadow the grader's modules, or load before anything else.
SHADOWS = {
    "pytest", "_pytest", "pluggy", "grader", "sitecustomize", "usercustomize", "anyio",
}  # fmt: skip


def scan_folder(folder: str) -> list[str]:
    """Reasons to review the submission in `folder`: '<file>:<line>: uses <what>' lines."""
    findings: list[tuple[str, int, str]] = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        names = []
    for name in names:
        stem = name.removesuffix(".py")
        if stem in SHADOWS and (name != stem or os.path.isdir(os.path.join(folder, name))):
            findings.append((name, 0, f"a file that shadows the module `{stem}`"))
    for rel, path in _python_files(folder):
        try:
            with open(path, "rb") as fh:
                source = fh.read(MAX_BYTES)
            tree = ast.parse(source, filename=rel)
        except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # what doesn't parse can't run either
        visitor = _Visitor()
        try:
            visitor.visit(tree)
        except RecursionError:
            findings.append((rel, 0, "code nested too deep to scan"))
        findings += [(rel, line, what) for line, what in visitor.found]
    return _reasons(findings)


def _reasons(findings: list[tuple[str, int, str]]) -> list[str]:
    seen: set[tuple[str, str]] = set()
    reasons = []
    for rel, line, what in findings:
        if (rel, what) in seen:  # once per file and kind is enough to point at it
            continue
        seen.add((rel, what))
        where = f"{rel}:{line}" if line else rel
        reasons.append(f"static scan: {where} uses {what}")
    if len(reasons) > MAX_REASONS:
        more = len(reasons) - MAX_REASONS + 1
        reasons = [*reasons[: MAX_REASONS - 1], f"static scan: and {more} more"]
    return reasons


def _python_files(folder: str) -> list[tuple[str, str]]:
    """(relative, absolute) paths of the submission's .py files, never through a link."""
    found: list[tuple[str, str]] = []
    stack = [""]
    while stack and len(found) < MAX_FILES:
        rel_dir = stack.pop()
        try:
            entries = sorted(os.scandir(os.path.join(folder, rel_dir)), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode):
                stack.append(rel)
            elif stat.S_ISREG(mode) and entry.name.endswith(".py"):
                found.append((rel, entry.path))
    return found[:MAX_FILES]


class _Visitor(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []
        self.os_names = {"os", "posix"}  # names bound to the os module
        self.pytest_names = {"pytest"}
        self.inspect_names: set[str] = set()  # the stdlib's inspect (not sqlalchemy's)
        self.importers = {"__import__", "import_module"}
        self.own_lookups: set[int] = set()  # `sys.modules[__name__]` nodes

    def flag(self, node: ast.AST, what: str) -> None:
        self.found.append((getattr(node, "lineno", 0), what))

    # imports ----------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            self._module(node, top)
            bound = alias.asname or top
            if alias.name in ("os", "posix"):
                self.os_names.add(bound)
            if alias.name == "pytest":
                self.pytest_names.add(bound)
            if alias.name == "inspect":
                self.inspect_names.add(bound)
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        top = module.split(".")[0]
        if node.level == 0:
            self._module(node, top)
        for alias in node.names:
            self.inspect_names.discard(alias.asname or alias.name)  # e.g. sqlalchemy's inspect
            if module in ("os", "posix") and alias.name in OS_CALLS:
                self.flag(node, OS_CALLS[alias.name])
            elif module == "pytest" and alias.name not in PYTEST_PUBLIC and alias.name != "*":
                self.flag(node, f"pytest's `{alias.name}` (its run, not its test API)")
            elif alias.name in ATTRIBUTES:
                self.flag(node, ATTRIBUTES[alias.name])
            elif module == "inspect" and alias.name in FRAME_FUNCTIONS:
                self.flag(node, f"frame introspection (inspect.{alias.name})")
            elif module == "sys" and alias.name == "modules":
                self.flag(node, "sys.modules (other modules' objects, the grader's included)")
            elif module == "importlib" and alias.name == "import_module":
                self.importers.add(alias.asname or alias.name)
        self.generic_visit(node)

    def _module(self, node: ast.AST, top: str) -> None:
        if top in MODULES:
            self.flag(node, MODULES[top])

    # names, attributes, strings ------------------------------------------------------------
    def visit_Attribute(self, node: ast.Attribute) -> None:
        base = node.value.id if isinstance(node.value, ast.Name) else None
        if base in self.os_names and node.attr in OS_CALLS:
            self.flag(node, OS_CALLS[node.attr])
        elif base in self.pytest_names and node.attr not in PYTEST_PUBLIC:
            self.flag(node, f"pytest.{node.attr} (pytest's run, not its test API)")
        elif base in self.inspect_names and node.attr in FRAME_FUNCTIONS:
            self.flag(node, f"frame introspection (inspect.{node.attr})")
        elif node.attr in ATTRIBUTES:
            self.flag(node, ATTRIBUTES[node.attr])
        elif base == "sys" and node.attr == "modules" and id(node) not in self.own_lookups:
            self.flag(node, "sys.modules (other modules' objects, the grader's included)")
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.slice, ast.Name) and node.slice.id == "__name__":
            self.own_lookups.add(id(node.value))  # a module looking itself up
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id == "__builtins__":
            self.flag(node, ATTRIBUTES["__builtins__"])

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            text = node.value
            if text in ATTRIBUTES:
                self.flag(node, ATTRIBUTES[text])
            for needle, what in STRINGS.items():
                if needle == "/job":
                    hit = text == "/job" or text.startswith("/job/")
                else:
                    hit = needle in text
                if hit:
                    self.flag(node, what)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if node.name.startswith("pytest_"):
            self.flag(node, f"a pytest hook ({node.name})")
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    # calls ---------------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else None
        attr = func.attr if isinstance(func, ast.Attribute) else None
        first = node.args[0] if node.args else None
        if name in ("exec", "eval", "compile") and not _literal(first):
            self.flag(node, f"{name}() of a string built at run time")
        if name in self.importers or attr == "import_module":
            self._dynamic_import(node, first)
        self.generic_visit(node)

    def _dynamic_import(self, node: ast.Call, first: ast.expr | None) -> None:
        if _literal(first):
            assert isinstance(first, ast.Constant)
            top = str(first.value).split(".")[0]
            if top in MODULES:
                self.flag(node, MODULES[top])
            return
        if isinstance(first, ast.JoinedStr) and first.values:
            head = first.values[0]
            if isinstance(head, ast.Constant) and "." in str(head.value):
                top = str(head.value).split(".")[0]
                if top in MODULES:
                    self.flag(node, MODULES[top])
                return  # a known package's submodule, chosen at run time
        self.flag(node, "an import of a module named at run time")


def _literal(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str | bytes)
