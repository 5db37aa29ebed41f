"""The learner's files compiled once per source in a child, not at every fresh import.

Nothing writes bytecode inside the sandbox, so each fresh import of the learner's modules
(`Learner.fresh`, for tests that need new module state) compiled every file again: ~0.5-1 ms a
file, a few ms of each test in a suite that imports afresh per test. The learner's folder gets
a finder whose loader keeps the code it compiled for each file's exact source; the module is
still executed anew each time, and a file whose source changed is compiled again.
"""

from __future__ import annotations

import os
import sys
from importlib import machinery
from types import CodeType
from typing import Any

_compiled: dict[tuple[str, bytes], CodeType] = {}
_installed: set[str] = set()  # the folders that have their hook


class CompiledOnceLoader(machinery.SourceFileLoader):
    def source_to_code(self, data: Any, path: Any, *, _optimize: int = -1) -> CodeType:  # type: ignore[override]
        key = (str(path), bytes(data))
        code = _compiled.get(key)
        if code is None:
            code = super().source_to_code(data, path, _optimize=_optimize)
            _compiled[key] = code
        return code


def install(folder: str) -> None:
    """Modules found in `folder` or below load through `CompiledOnceLoader`."""
    root = folder.rstrip(os.sep)
    if root in _installed:
        return
    _installed.add(root)
    loaders = (
        (machinery.ExtensionFileLoader, machinery.EXTENSION_SUFFIXES),
        (CompiledOnceLoader, machinery.SOURCE_SUFFIXES),
        (machinery.SourcelessFileLoader, machinery.BYTECODE_SUFFIXES),
    )

    def inside(path: str) -> bool:
        return path == root or path.startswith(root + os.sep)

    def learner_folders(path: str) -> machinery.FileFinder:
        # a folder only, as the standard hook: `runpy.run_path("run.py")` asks about a file
        if inside(path) and os.path.isdir(path):
            return machinery.FileFinder(path, *loaders)
        raise ImportError("not a folder of the learner's", path=path)

    sys.path_hooks.insert(0, learner_folders)
    for path in [p for p in sys.path_importer_cache if inside(p)]:
        del sys.path_importer_cache[path]
