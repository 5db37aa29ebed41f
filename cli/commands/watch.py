"""`grade watch SELECTOR`: re-grade on every save, on a compact screen. Ctrl-C to stop."""

from __future__ import annotations

import json

import typer

from cli import options
from grader.sandbox import get_sandbox
from grader.staging import Limits
from grader.watching import watch as watch_loop


def watch(
    selectors: options.SelectorsArg = None,
    workspace: options.WorkspaceOpt = None,
    sandbox: options.SandboxOpt = "auto",
    jobs: options.JobsOpt = None,
    as_json: options.JsonOpt = False,
) -> None:
    """Grade the selection now and again whenever you save one of its files."""
    if not selectors:
        raise typer.BadParameter(
            "name what to watch, e.g. `grade watch 2.1`", param_hint="SELECTOR"
        )
    exercises = options.catalog().select(selectors)
    space = options.workspace(workspace)
    box = get_sandbox(sandbox)
    limits = Limits(jobs=jobs) if jobs else Limits()

    def on_report(report, changed) -> None:
        if as_json:  # one JSON object per line, per grading
            typer.echo(json.dumps(report.to_json_dict()))
        else:
            from cli import render

            render.watch_screen(report, [e.id for e in changed], space.progress_store.summary())

    try:
        watch_loop(exercises, space, box, on_report, limits=limits)
    except KeyboardInterrupt:
        pass
