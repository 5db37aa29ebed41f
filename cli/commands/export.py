"""`grade export FORMAT`: the gradebook as CSV, JSON, JUnit XML, Gradescope or Exercism files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli import options, output
from cli.commands.batch import DEFAULT_DB, DbOpt
from grader.errors import SelectionError

FORMATS = ("csv", "json", "junit", "gradescope", "exercism")  # grader.exports.FORMATS


def export(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help=" | ".join(FORMATS))],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="File (csv, json, junit) or folder (gradescope, "
            "exercism). Default: gradebook.<ext> or gradebook-<format>/",
        ),
    ] = None,
    selectors: Annotated[
        list[str] | None, typer.Option("--select", help="Exercises to include (default: all).")
    ] = None,
    db: DbOpt = DEFAULT_DB,
    as_json: options.JsonOpt = False,
) -> None:
    """Export the latest grades, with manual overrides applied."""
    from grader.exports import review_notes, write
    from grader.gradebook import Gradebook
    from grader.text import clean_line

    if fmt not in FORMATS:
        raise SelectionError(
            "unknown-format", f"unknown format '{fmt}'", f"Choose one of {', '.join(FORMATS)}."
        )
    exercises = options.catalog().select(selectors) if selectors else []
    default = {"csv": "gradebook.csv", "json": "gradebook.json", "junit": "gradebook.xml"}
    target = out or Path(default.get(fmt, f"gradebook-{fmt}"))
    table = Gradebook(db).grades()
    files = write(fmt, table, exercises, target)
    flagged = sorted(clean_line(s) for s, grades in table.items() if review_notes(grades))
    if as_json:
        output.emit_json(
            {
                "format": fmt,
                "students": len(table),
                "files": [str(f) for f in files],
                "needs_review": flagged,
            }
        )
    else:
        typer.echo(f"{fmt}: {len(table)} students → {target} ({len(files)} file(s))")
        if flagged:
            typer.echo(f"needs review ({len(flagged)}): {', '.join(flagged)}")
