"""The grader's own modules compiled on the host, for the sandbox runner's start.

Both sandboxes mount this package read-only, and their Python writes no bytecode. So a module
that only the runner imports (the runner itself, the pytest plugin, the suite kit) was compiled
at every sandbox's start, ~60 ms before the first exercise could begin, unless the host happened
to have imported it. The host now compiles whatever is missing or stale, as its own imports
would. It does not when Python is told to write no bytecode (PYTHONDONTWRITEBYTECODE, -B), and
a read-only install is left as it is.
"""

from __future__ import annotations

import compileall
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def compile_package(folder: Path = PACKAGE) -> None:
    """Write the bytecode of `folder`'s modules (not its subpackages) where Python looks for it."""
    if sys.dont_write_bytecode:
        return
    compileall.compile_dir(str(folder), maxlevels=0, quiet=2)
