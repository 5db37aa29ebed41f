"""Hidden test modules rewritten by pytest once per content, not in every sandboxed child.

pytest rewrites the asserts of every test module and conftest it imports (about 15 ms a suite,
the biggest part of collecting it). Inside the sandbox the staged tests are read-only, so each
child rewrote them again. The host rewrites each module once, keeps pytest's own cache file
beside it (`tests/__pycache__/<name>.<cache-tag>-pytest-<version>.pyc`, where a plain `pytest`
run would write it too), and stages a copy with the tests; the child's pytest loads it after
checking its source hash, as it would any pyc of its own. Where the sandbox's Python or pytest
differs (a Docker image), the file's name does not match and the child rewrites as before.
Where the exercises' folder is read-only, the rewrite is kept in memory for this process.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from fnmatch import fnmatch
from pathlib import Path

REWRITTEN = ("test_*.py", "*_test.py", "conftest.py")  # pytest's defaults: what it rewrites
HASH_BASED = b"\x03\x00\x00\x00"  # PEP 552 flags: checked hash, the only kind pytest reads
_memory: dict[tuple[str, bytes], bytes] = {}


def pyc_tail() -> str:
    """pytest's cache-file suffix, without importing pytest itself (the host rarely needs it)."""
    from _pytest._version import version

    return f".{sys.implementation.cache_tag}-pytest-{version}.pyc"


def add_rewritten(tests_dir: Path, staged: Path) -> int:
    """Put the rewritten bytecode of `tests_dir`'s test modules into `staged` (its copy) where
    the child's pytest looks for it; how many modules got one."""
    tail = pyc_tail()
    added = 0
    for source in sorted(tests_dir.rglob("*.py")):
        if "__pycache__" in source.parts or not any(fnmatch(source.name, p) for p in REWRITTEN):
            continue
        data = rewritten(source, tail)
        if data is None:
            continue
        target = staged / source.relative_to(tests_dir).parent / "__pycache__"
        target.mkdir(exist_ok=True)
        (target / (source.stem + tail)).write_bytes(data)
        added += 1
    return added


def rewritten(source: Path, tail: str) -> bytes | None:
    """The pyc pytest would write for `source`: read from its cache file when that matches the
    source's hash, else made now (and cached); None if pytest cannot rewrite it (a syntax
    error: the child then reports it as pytest would)."""
    text = source.read_bytes()
    digest = importlib.util.source_hash(text)
    key = (str(source), digest)
    if key in _memory:
        return _memory[key]
    cache = source.parent / "__pycache__" / (source.stem + tail)
    data = _read_valid(cache, digest)
    if data is None:
        data = _rewrite(source, digest)
        if data is None:
            return None
        _store(cache, data)
    _memory[key] = data
    return data


def _read_valid(cache: Path, digest: bytes) -> bytes | None:
    try:
        data = cache.read_bytes()
    except OSError:
        return None
    header = importlib.util.MAGIC_NUMBER + HASH_BASED + digest[:8]
    return data if data.startswith(header) and len(data) > len(header) else None


def _rewrite(source: Path, digest: bytes) -> bytes | None:
    import io

    from _pytest.assertion.rewrite import _rewrite_test, _write_pyc_fp

    try:
        source_hash, code = _rewrite_test(source, None)  # type: ignore[arg-type]  # no config:
        # the default options (no assertion pass hook), as the staged pytest.ini sets none
    except (SyntaxError, ValueError, OSError):
        return None
    if source_hash[:8] != digest[:8]:
        return None  # the file changed under us: let the child rewrite what it finds
    buffer = io.BytesIO()
    _write_pyc_fp(buffer, source_hash, code)
    return buffer.getvalue()


def _store(cache: Path, data: bytes) -> None:
    """Atomically, as pytest does; a read-only exercises folder just keeps no cache."""
    partial = cache.with_name(f"{cache.name}.{os.getpid()}")
    try:
        cache.parent.mkdir(exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, cache)
    except OSError:
        try:
            partial.unlink()
        except OSError:
            pass
