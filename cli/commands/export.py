"""`grade export FORMAT`: the gradebook as CSV, JSON, JUnit XML, LMS imports (Canvas, Moodle),
Gradescope or Exercism results, or one Markdown feedback file per student.

The data goes to the file (`-o -`: to stdout); what the command has to say goes to stderr, so
that `-o /dev/stdout` and pipes get the data alone.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cli import options, output
from cli.commands.batch import DEFAULT_DB, DbOpt
from grader.errors import SelectionError

FORMATS = (
    "csv",
    "json",
    "junit",
    "gradescope",
    "exercism",
    "feedback",
    "canvas",
    "moodle",
)  # grader.exports.FORMATS
STDOUT = Path("-")


def export(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help=" | ".join(FORMATS))],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="File (csv, json, junit, canvas, moodle; - for stdout) or folder (gradescope, "
            "exercism, feedback). Default: gradebook.<ext> or gradebook-<format>/",
        ),
    ] = None,
    selectors: Annotated[
        list[str] | None, typer.Option("--select", help="Exercises to include (default: all).")
    ] = None,
    db: DbOpt = DEFAULT_DB,
    as_json: options.JsonOpt = False,
) -> None:
    """Export the latest grades, with manual overrides applied and missing exercises marked."""
    from grader.exports import FOLDER_FORMATS, SUFFIX, render, review_notes, write
    from grader.gradebook import Gradebook
    from grader.standing import columns_of
    from grader.text import clean_line

    if fmt not in FORMATS:
        raise SelectionError(
            "unknown-format", f"unknown format '{fmt}'", f"Choose one of {', '.join(FORMATS)}."
        )
    to_stdout = out == STDOUT
    if to_stdout and fmt in FOLDER_FORMATS:
        raise SelectionError(
            "not-a-file-format",
            f"{fmt} writes a folder of files, not one stream",
            f"Give a folder: -o gradebook-{fmt}",
        )
    if to_stdout and as_json:
        raise SelectionError(
            "stdout-taken", "-o - and --json both want stdout", "Drop one of them."
        )
    gradebook = Gradebook(db, create=False)
    columns = columns_of(options.catalog().select(selectors)) if selectors else None
    view = gradebook.view(columns)
    flagged = sorted(clean_line(s) for s, grades in view.table.items() if review_notes(grades))
    ungraded = [s.student for s in view.standings() if s.state.state != "graded"]
    if to_stdout:
        sys.stdout.write(render(fmt, view))
        sys.stdout.flush()
        files, target = [], "stdout"
    else:
        path = out or Path(f"gradebook.{SUFFIX[fmt]}" if fmt in SUFFIX else f"gradebook-{fmt}")
        if fmt in ("canvas", "moodle") and out is None:
            path = Path(f"gradebook-{fmt}.csv")
        files, target = write(fmt, view, path), str(path)
    summary = {
        "format": fmt,
        "students": len(view.table),
        "exercises": [c.id for c in view.columns],
        "files": [str(f) for f in files],
        "needs_review": flagged,
        "not_graded": [clean_line(s) for s in ungraded],
    }

    def say(summary: dict) -> None:
        """Status lines go to stderr: stdout may be the export itself (-o -)."""
        count = summary["students"]
        print(
            f"{fmt}: {count} student{'s' if count != 1 else ''} → {target}"
            + (f" ({len(files)} file{'s' if len(files) != 1 else ''})" if files else ""),
            file=sys.stderr,
        )
        if flagged:
            print(f"needs review ({len(flagged)}): {', '.join(flagged)}", file=sys.stderr)
        if ungraded:
            shown = ", ".join(clean_line(s) for s in ungraded)
            print(
                f"could not be graded ({len(ungraded)}), see their state: {shown}",
                file=sys.stderr,
            )

    output.Output(as_json).success(summary, say)
