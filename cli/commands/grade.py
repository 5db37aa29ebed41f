"""`grade SELECTOR` (also `grade run SELECTOR`): run the hidden tests on your workspace."""

from __future__ import annotations

from typing import Annotated

import typer

from cli import options, output
from grader.grading import grade_workspace
from grader.sandbox.warm import kept_warm
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
    out = output.Output(as_json)
    exercises = options.select(selectors)
    options.grades_here(selectors)  # before a sandbox is looked for
    box = kept_warm(out.sandbox(sandbox))  # the next grading skips the sandbox's start
    space = options.workspace(workspace)
    started = [e.id for e in exercises if space.is_started(e)]
    with out.busy(f"grading {options.listed(started)}"):
        report = grade_workspace(exercises, space, box, Limits(jobs=jobs) if jobs else Limits())
    out.success(
        report,
        lambda r: out.render.grade_report(r, verbose=verbose),
        exit_code=output.EXIT_OK if report.passed else output.EXIT_FAILED,
    )
