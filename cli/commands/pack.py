"""`grade pack student OUT [SELECTOR]`: the folder to hand to the students of a course graded by
the course server (prompts, starters and the CLI; no solutions, no hidden tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli import options, output

pack_app = typer.Typer(help="Build folders to hand out.", no_args_is_help=True)


def student(
    out: Annotated[Path, typer.Argument(help="The folder to write (new or empty).")],
    selectors: Annotated[
        list[str] | None,
        typer.Argument(help="What to hand out: all (default), a section, topic or exercise."),
    ] = None,
    server: Annotated[
        str,
        typer.Option(
            "--server", help="The course server's URL, written into the pack for `grade submit`."
        ),
    ] = "",
    force: Annotated[
        bool,
        typer.Option("--force", "-f", help="Replace an earlier pack in OUT (other files stay)."),
    ] = False,
    as_json: options.JsonOpt = False,
) -> None:
    """Write the student folder of a server-graded course: prompts, starters and the CLI,
    without solutions/ and without hidden tests."""
    from grader.pack import pack_student

    out_ = output.Output(as_json)
    catalog = options.catalog()
    exercises = options.select(selectors or ["all"])
    with out_.busy(f"packing {len(exercises)} exercises"):
        report = pack_student(catalog, exercises, out, server=server.strip(), force=force)
    out_.success(report, lambda r: out_.render.pack_report(r))
