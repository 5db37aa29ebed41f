"""`grade new ID SLUG`: scaffold an exercise that follows the contract."""

from __future__ import annotations

from typing import Annotated

import typer

from cli import options, output
from grader.scaffold import scaffold


def new(
    exercise_id: Annotated[str, typer.Argument(help="The new id, e.g. 4.1.1.")],
    slug: Annotated[str, typer.Argument(help="kebab-case, e.g. permission-dependency.")],
    title: Annotated[str, typer.Option("--title", help="The exercise's title.")] = "TODO",
    kind: Annotated[str, typer.Option("--kind", help="code | quiz | config")] = "code",
    files: Annotated[
        list[str] | None, typer.Option("--file", help="A learner file (repeat).")
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", help="Topic folder slug, for a new topic.")
    ] = None,
    as_json: options.JsonOpt = False,
) -> None:
    """Create the exercise, its starter, hidden-test and solution files, all marked TODO."""
    out = output.Output(as_json)
    written = scaffold(
        options.catalog(), exercise_id, slug, title, kind, files or ["main.py"], topic
    )
    out.success(
        {"files": [str(p) for p in written]},
        lambda _: out.render.lines(
            *(f"created {path}" for path in written),
            f"next: fill in the TODOs, then `grade check {exercise_id}`",
        ),
    )
