"""`grade SELECTOR` (also `grade run SELECTOR`): run the hidden tests on your workspace."""

from __future__ import annotations

import importlib
import threading
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
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show timings.")] = False,
    as_json: options.JsonOpt = False,
) -> None:
    """Grade your work on the selected exercises; exit 0 only when all of them pass."""
    if not selectors:
        raise typer.BadParameter("name what to grade, e.g. `grade 2.1`", param_hint="SELECTOR")
    exercises = options.catalog().select(selectors)
    box = get_sandbox(sandbox)
    if box.warning and not as_json:
        from cli import render

        render.warning(box.warning)
    limits = Limits(jobs=jobs) if jobs else Limits()
    if not as_json:  # Rich loads while the sandbox starts, on the core it leaves idle
        threading.Thread(target=importlib.import_module, args=("cli.render",), daemon=True).start()
    report = grade_workspace(exercises, options.workspace(workspace), box, limits)
    if as_json:
        output.emit_json(report.to_json_dict())
    else:
        from cli import render

        render.grade_report(report, verbose=verbose)
    raise typer.Exit(output.EXIT_OK if report.passed else output.EXIT_FAILED)
