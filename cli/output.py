"""Exit codes and machine output shared by every command (no Rich here)."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer

from grader.errors import GraderError

EXIT_OK = 0
EXIT_FAILED = 1  # tests failed, check found problems
EXIT_USAGE = 2  # bad input: unknown exercise, bad metadata, workspace problem
EXIT_SANDBOX = 3  # no sandbox can run the code
EXIT_INTERNAL = 4


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def fail(error: GraderError, as_json: bool) -> NoReturn:
    """One clear line on stderr (or a JSON error object), then the error's exit code."""
    if as_json:
        emit_json({"error": error.to_dict()})
    else:
        print(f"error: {error}", file=sys.stderr)
    raise typer.Exit(error.exit_code)
