"""One output object per command, human or JSON, and the exit codes (no Rich here).

A command makes `Output(as_json)` once and then never asks which mode it is in: `warn` prints a
warning on stderr for a person and puts it under `"warnings"` in the JSON object; `busy` shows a
spinner only to a person on a terminal; `success` prints the command's result through its
renderer (cli/render.py, imported only in human mode) or as JSON, then exits with the given
code; `fail` does the same for an error. So no command can forget a warning in one of its modes.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from grader.errors import GraderError

if TYPE_CHECKING:
    from grader.sandbox import Sandbox

EXIT_OK = 0
EXIT_FAILED = 1  # tests failed, check found problems
EXIT_USAGE = 2  # bad input: unknown exercise, bad metadata, workspace problem
EXIT_SANDBOX = 3  # no sandbox can run the code
EXIT_INTERNAL = 4


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def fail(error: GraderError, as_json: bool) -> NoReturn:
    """One clear line on stderr (or a JSON error object), then the error's exit code."""
    Output(as_json).fail(error)


def to_json(data: Any) -> Any:
    """What a result is in JSON: its own `to_json_dict`/`to_dict`, a model's dump, or itself."""
    for method in ("to_json_dict", "to_dict"):
        if callable(getattr(data, method, None)):
            return getattr(data, method)()
    if callable(getattr(data, "model_dump", None)):
        return data.model_dump(mode="json")
    return data


class Output:
    """Where a command's result, warnings and errors go: a person's terminal or JSON."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.warnings: list[str] = []

    @property
    def render(self) -> ModuleType:
        """cli.render (Rich), imported only when a person reads the output."""
        from cli import render

        return render

    def warn(self, text: str) -> None:
        self.warnings.append(text)
        if not self.as_json:
            self.render.warning(text)

    def sandbox(self, name: str, slot: int = 0) -> Sandbox:
        """The sandbox asked for; its warning (`none` runs code unsandboxed) is never lost."""
        from grader.sandbox import get_sandbox

        box = get_sandbox(name, slot=slot)
        if box.warning:
            self.warn(box.warning)
        return box

    @contextmanager
    def busy(self, text: str) -> Iterator[None]:
        """A spinner while something slow runs, for a person on a terminal only (Rich is not
        even imported for piped output: the result is rendered after the work is done)."""
        if self.as_json or not (sys.stderr.isatty() or os.environ.get("FORCE_TERMINAL")):
            yield
            return
        with self.render.busy(text):
            yield

    @contextmanager
    def progress(self) -> Iterator[tuple[Callable, Callable, Callable]]:
        """A batch's (on_start, on_done, on_stopping): a progress bar for a person, nothing
        for JSON."""
        if self.as_json:
            yield (lambda total: None, lambda outcome: None, lambda: None)
            return
        with self.render.batch_progress() as callbacks:
            yield callbacks

    def success(
        self,
        data: Any,
        render: Callable[[Any], None] | None = None,
        *,
        exit_code: int = EXIT_OK,
    ) -> None:
        """The command's result: `render(data)` for a person, else `data` as one JSON object
        (with the warnings given, if any); then exit with `exit_code` when it is not 0."""
        if self.as_json:
            emit_json(self._payload(data))
        elif render is not None:
            render(data)
        if exit_code != EXIT_OK:
            raise typer.Exit(exit_code)

    def line(self, data: Any, render: Callable[[Any], None]) -> None:
        """One result of a stream (`grade watch`): a JSON line, or a fresh screen."""
        if self.as_json:
            typer.echo(json.dumps(self._payload(data), default=str))
        else:
            render(data)

    def _payload(self, data: Any) -> Any:
        payload = to_json(data)
        if self.warnings and isinstance(payload, dict):
            payload = {**payload, "warnings": self.warnings}
        return payload

    def fail(self, error: GraderError) -> NoReturn:
        if self.as_json:
            emit_json(self._payload({"error": error.to_dict()}))
        else:
            print(f"error: {error}", file=sys.stderr)
        raise typer.Exit(error.exit_code)
