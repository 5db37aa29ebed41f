"""`grade lint`: metadata and layout of every exercise, without running anything."""

from __future__ import annotations

import typer

from cli import options, output
from grader.check import layout_problems


def lint(selectors: options.SelectorsArg = None, as_json: options.JsonOpt = False) -> None:
    """Validate exercise.toml files, folder layout and hidden-test markers."""
    exercises = options.catalog().select(selectors or ["all"])
    problems = [f"{e.id}: {p}" for e in exercises for p in layout_problems(e)]
    if as_json:
        output.emit_json({"exercises": len(exercises), "problems": problems})
    else:
        from cli import render

        render.lint(problems, len(exercises))
    raise typer.Exit(output.EXIT_FAILED if problems else output.EXIT_OK)
