"""Read the hidden tests statically: which tests exist, their task, points, hint and case count.

Knowing this before anything runs is what makes grading fail closed: a test that never reports
(the learner's code called `os._exit`, crashed, or hung) still counts, as failed, with its points.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from functools import cache
from pathlib import Path

from .errors import CatalogError
from .models import TestSpec

SPECS_FILE = "expected-tests.json"  # in the suite's __pycache__, beside pytest's own files


def suite_hash(tests_dir: Path) -> str:
    """A hash of the hidden suite's files, recorded with every result."""
    digest = hashlib.sha256()
    for path in sorted(
        p for p in tests_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ):
        digest.update(path.relative_to(tests_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def cached_specs(tests_dir: Path, digest: str) -> list[TestSpec]:
    """`read_specs`, kept in the suite's `__pycache__` under the suite's hash and this reader's
    own: parsing a suite costs ~3.5 ms, about half a second for a whole course at every
    `grade`, where reading the kept list costs a tenth of that. A read-only folder parses."""
    key = f"{digest}-{_reader_hash()}"
    cache_file = tests_dir / "__pycache__" / SPECS_FILE
    try:
        kept = json.loads(cache_file.read_text(encoding="utf-8"))
        if kept.get("key") == key:
            return [TestSpec.model_validate(spec) for spec in kept["specs"]]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        pass
    specs = read_specs(tests_dir)
    try:
        cache_file.parent.mkdir(exist_ok=True)
        partial = cache_file.with_name(f".{SPECS_FILE}.{os.getpid()}")
        partial.write_text(
            json.dumps({"key": key, "specs": [spec.model_dump() for spec in specs]}),
            encoding="utf-8",
        )
        partial.replace(cache_file)  # whole or absent, for a grading running at the same time
    except OSError:
        pass
    return specs


@cache
def _reader_hash() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def read_specs(tests_dir: Path) -> list[TestSpec]:
    specs: list[TestSpec] = []
    for path in sorted(tests_dir.glob("test_*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (SyntaxError, ValueError, UnicodeDecodeError, OSError) as exc:
            where = f"{path}:{exc.lineno}" if isinstance(exc, SyntaxError) else str(path)
            reason = exc.msg if isinstance(exc, SyntaxError) else str(exc)
            raise CatalogError(
                "bad-tests",
                f"{where}: the hidden tests cannot be read ({type(exc).__name__}: {reason})",
                "Fix that file (`grade lint` checks every exercise).",
            ) from None
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test"
            ):
                specs.append(_spec(path, [node.name], node.decorator_list))
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and (
                        item.name.startswith("test")
                    ):
                        decorators = node.decorator_list + item.decorator_list
                        specs.append(_spec(path, [node.name, item.name], decorators))
    if not specs:
        raise CatalogError("no-tests", f"{tests_dir}: no test functions found", "")
    return specs


def _spec(path: Path, names: list[str], decorators: list[ast.expr]) -> TestSpec:
    where = f"{path.name}::{'::'.join(names)}"
    fields: dict = {"id": where, "cases": 1}
    for deco in decorators:
        marker = _marker_name(deco)
        if marker is None:
            continue
        args = deco.args if isinstance(deco, ast.Call) else []
        try:
            if marker in ("task", "points", "hint"):
                if len(args) != 1:
                    raise ValueError(f"@pytest.mark.{marker} takes one literal argument")
                fields[marker] = ast.literal_eval(args[0])
            elif marker == "parametrize":
                if len(args) < 2 or not isinstance(args[1], ast.List | ast.Tuple):
                    raise ValueError("parametrize needs a literal list or tuple of cases")
                fields["cases"] *= len(args[1].elts)
        except ValueError as exc:
            raise CatalogError(
                "bad-marker", f"{where}: {exc}", "Marker arguments must be literals."
            ) from None
    if "task" not in fields:
        raise CatalogError("no-task", f"{where}: missing @pytest.mark.task(n)", "Tag every test.")
    try:
        return TestSpec(**fields)
    except Exception as exc:
        raise CatalogError("bad-marker", f"{where}: {exc}", "") from None


def _marker_name(deco: ast.expr) -> str | None:
    """`pytest.mark.NAME` or `pytest.mark.NAME(...)` → NAME."""
    target = deco.func if isinstance(deco, ast.Call) else deco
    if (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Attribute)
        and target.value.attr == "mark"
    ):
        return target.attr
    return None


def base_id(nodeid: str) -> str:
    """`test_x.py::test_y[case]` → `test_x.py::test_y`."""
    return nodeid.split("[", 1)[0]
