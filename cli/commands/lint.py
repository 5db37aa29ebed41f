"""`grade lint`: metadata and layout of every exercise, without running anything."""

from __future__ import annotations

from cli import options, output
from grader.check import layout_problems


def lint(selectors: options.SelectorsArg = None, as_json: options.JsonOpt = False) -> None:
    """Validate exercise.toml files, folder layout and hidden-test markers."""
    out = output.Output(as_json)
    exercises = options.catalog().select(selectors or ["all"])
    problems = [f"{e.id}: {p}" for e in exercises for p in layout_problems(e)]
    out.success(
        {"exercises": len(exercises), "problems": problems},
        lambda data: out.render.lint(data["problems"], data["exercises"]),
        exit_code=output.EXIT_FAILED if problems else output.EXIT_OK,
    )
