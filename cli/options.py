"""Options shared by several commands, and the context they resolve to."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated

import typer

from grader.catalog import Catalog, load_catalog
from grader.errors import SelectionError
from grader.models import Exercise
from grader.workspace import Workspace, default_workspace

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace", "-w", help="Your exercise folder [env GRADE_WORKSPACE; default ./workspace]."
    ),
]
SandboxOpt = Annotated[
    str,
    typer.Option(
        "--sandbox",
        "-s",
        envvar="GRADE_SANDBOX",
        help="auto | docker | bwrap | none (none runs untrusted code unsandboxed).",
    ),
]
JobsOpt = Annotated[
    int | None, typer.Option("--jobs", "-j", min=1, help="Exercises graded in parallel.")
]
SelectorsArg = Annotated[
    list[str] | None,
    typer.Argument(help="all | section (2) | topic (2.1) | exercise (2.1.1) | slug."),
]
ExerciseArg = Annotated[str, typer.Argument(help="One exercise: 2.1.1 or its slug.")]


def catalog() -> Catalog:
    return load_catalog()


def select(selectors: list[str]) -> list[Exercise]:
    """The exercises selected; a mistyped command (`grade lsit`) is told the command it meant."""
    try:
        return catalog().select(selectors)
    except SelectionError as error:
        from cli.main import command_names  # loaded already: it called us

        names = command_names()
        near = difflib.get_close_matches(selectors[0], names, n=1, cutoff=0.7)
        if len(selectors) == 1 and error.code == "unknown-selector" and near:
            raise SelectionError(
                error.code,
                f"no exercise or command is called '{selectors[0]}'; did you mean "
                f"`grade {near[0]}`?",
                "`grade --help` lists the commands, `grade list` the exercises.",
            ) from None
        raise


def grades_here(selectors: list[str]) -> None:
    """A student pack has no hidden tests: `grade 3.2` there says to submit instead."""
    from grader.course import require_local_grading

    require_local_grading(catalog().root, selectors)


def listed(ids: list[str], most: int = 3) -> str:
    """`2.1.1, 2.1.2, 2.1.3 …`: what a status line names."""
    return ", ".join(ids[:most]) + (" …" if ids[most:] else "")


def workspace(path: Path | None) -> Workspace:
    return Workspace(path.resolve() if path else default_workspace())
