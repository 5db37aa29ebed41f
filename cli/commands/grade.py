"""`grade SELECTOR` (also `grade run SELECTOR`): run the hidden tests on your workspace."""

from __future__ import annotations

from typing import Annotated

import typer

from cli import options, output
from grader.grading import grade_workspace
from grader.sandbox import get_sandbox
from grader.staging import Limits


def run(
    selectors: options.SelectorsArg = None,
    workspace: options.WorkspaceOpt = None,
    sandbox: options.SandboxOpt = "auto",
    jobs: options.JobsOpt = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Show whole messages, every traceback of yours, timings."
        ),
    ] = False,
    as_json: options.JsonOpt = False,
) -> None:
    """Grade your work on the selected exercises; exit 0 only when all of them pass."""
    if not selectors:
        raise typer.BadParameter("name what to grade, e.g. `grade 2.1`", param_hint="SELECTOR")
    exercises = options.select(selectors)
    box = get_sandbox(sandbox)
    from cli import render

    if box.warning:  # on stderr: never mixed with the JSON on stdout
        render.warning(box.warning)
    limits = Limits(jobs=jobs) if jobs else Limits()
    space = options.workspace(workspace)
    if as_json:
        report = grade_workspace(exercises, space, box, limits)
        output.emit_json(report.to_json_dict())
    else:
        with render.grading([e for e in exercises if space.is_started(e)]):
            report = grade_workspace(exercises, space, box, limits)
        render.grade_report(report, verbose=verbose)
    raise typer.Exit(output.EXIT_OK if report.passed else output.EXIT_FAILED)
