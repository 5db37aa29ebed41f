"""`grade start SELECTOR`: copy starters (and the prompt) into your workspace, never over your
edits."""

from __future__ import annotations

from typing import Annotated

import typer

from cli import options, output


def start(
    selectors: options.SelectorsArg = None,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Overwrite edited files (a backup is kept).")
    ] = False,
    workspace: options.WorkspaceOpt = None,
    as_json: options.JsonOpt = False,
) -> None:
    """Copy the starter files and README.md of the selected exercises into your workspace."""
    if not selectors:
        raise typer.BadParameter(
            "name what to start, e.g. `grade start 2.1`", param_hint="SELECTOR"
        )
    out = output.Output(as_json)
    space = options.workspace(workspace)
    outcomes = [space.start(e, force=force) for e in options.catalog().select(selectors)]
    out.success(
        {"workspace": str(space.root), "exercises": [o.to_dict() for o in outcomes]},
        lambda _: out.render.start_outcomes(outcomes),
    )
