"""What the child checks of its own pytest session before it reports (stdlib only).

The learner's code runs in the child's process, so it can rewrite what pytest reports on its
way to the result pipe. These checks can't stop that, but they make it evident: pytest's own
tally of the session (kept by its terminal reporter), the identity of pytest's, pluggy's and the
grader's functions and classes against a snapshot taken before any learner code ran, and the
files every hook implementation comes from. The host compares the tally with the records.
"""

from __future__ import annotations

import os
import sys
import types

ROUTINES = (
    types.FunctionType,
    types.BuiltinFunctionType,
    property,
    classmethod,
    staticmethod,
)
WATCHED = frozenset({"_pytest", "pluggy", "pytest", "grader", "__main__"})
WATCHED_NAMES = {"os": ("write", "_exit"), "json": ("dumps",), "hmac": ("new",)}


def _watched(name: str) -> bool:
    return name.partition(".")[0] in WATCHED  # a package's modules too: `_pytest.main`


class Snapshot:
    """What pytest's, pluggy's and the grader's functions and classes were before any learner
    code ran; anything rewritten since (a patched `TestReport`, a wrapped `call_and_report`)
    shows as a difference."""

    def __init__(self) -> None:
        # (holder, name, value): the module or class, the member's name, what it held
        self.values: list[tuple[object, str, object]] = []
        self.members: list[tuple[type, frozenset[str]]] = []
        for name, module in list(sys.modules.items()):
            if module is None or not _watched(name):
                continue
            for attr, value in list(vars(module).items()):
                if isinstance(value, type) and getattr(value, "__module__", None) == name:
                    self.values.append((module, attr, value))
                    self.members.append((value, frozenset(vars(value))))
                    for member, item in list(vars(value).items()):
                        if isinstance(item, ROUTINES):
                            self.values.append((value, member, item))
                elif isinstance(value, ROUTINES):
                    self.values.append((module, attr, value))
        for name, attrs in WATCHED_NAMES.items():
            module = sys.modules[name]
            self.values += [(module, attr, vars(module)[attr]) for attr in attrs]

    def changes(self) -> list[str]:
        changed = [
            f"{_name(holder)}.{attr}"
            for holder, attr, value in self.values
            if vars(holder).get(attr) is not value
        ]
        for klass, members in self.members:
            changed += [
                f"{_name(klass)}.{key} (added)"
                for key, item in list(vars(klass).items())
                if key not in members and isinstance(item, ROUTINES)
            ]
        return changed


def _name(holder: object) -> str:
    if isinstance(holder, type):
        return f"{holder.__module__}.{holder.__qualname__}"
    return str(getattr(holder, "__name__", "?"))


def foreign_hooks(pluginmanager, trusted: tuple[str, ...]) -> list[str]:  # noqa: ANN001
    """Hook implementations whose code lives outside pytest, pluggy, anyio, the grader and the
    hidden tests: a plugin the learner's code registered while the tests ran."""
    found = []
    for name, caller in list(vars(pluginmanager.hook).items()):
        get = getattr(caller, "get_hookimpls", None)
        if get is None:
            continue
        for impl in get():
            function = getattr(impl.function, "__func__", impl.function)
            code = getattr(function, "__code__", None)
            where = code.co_filename if code is not None else "?"
            if not under(where, trusted):
                found.append(f"{name} from {os.path.basename(where)}")
    return found


def tally(session, exitstatus) -> dict:  # noqa: ANN001
    """pytest's own account of the session, kept by its terminal reporter, not by ours."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    stats = getattr(reporter, "stats", None) or {}
    failed = [r for key in ("failed", "error") for r in stats.get(key, ())]
    passed = [r for key in ("passed", "xpassed") for r in stats.get(key, ()) if r.when == "call"]
    reports = [
        r
        for reports in stats.values()
        for r in reports
        if getattr(r, "when", None) in ("setup", "call", "teardown")
    ]
    return {
        "exitstatus": int(exitstatus),
        "collected": int(session.testscollected),
        "testsfailed": int(session.testsfailed),
        "failures": len(failed),
        "failed_ids": sorted({str(getattr(r, "nodeid", "")) for r in failed})[:1000],
        "passed": len(passed),
        "reports": len(reports),
    }


def under(path: str, roots: tuple[str, ...]) -> bool:
    """Whether `path` lies in one of the folders `roots`."""
    path = os.path.normpath(path)
    return any(path == root or path.startswith(root + os.sep) for root in roots)
