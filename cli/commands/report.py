"""`grade report`: a class summary from the gradebook (mean, median, pass rate per exercise, the
most-failed hidden tests with their hints)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli import options, output
from cli.commands.batch import DEFAULT_DB, DbOpt


def report(
    selectors: Annotated[
        list[str] | None, typer.Option("--select", help="Exercises to include (default: all).")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Most-failed tests to list.")] = 10,
    db: DbOpt = DEFAULT_DB,
    as_json: options.JsonOpt = False,
) -> None:
    """How the class did: overall, per exercise, and the tests that failed most."""
    from grader.class_report import class_report
    from grader.gradebook import Gradebook
    from grader.standing import columns_of

    gradebook = Gradebook(db, create=False)
    columns = columns_of(options.catalog().select(selectors)) if selectors else None
    summary = class_report(gradebook.view(columns), top=top)
    out = output.Output(as_json)
    out.success(summary, lambda summary: out.render.class_report(summary))
