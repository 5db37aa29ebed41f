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
    """Grade the selection now and again whenever you change one of its files."""
    if not selectors:
        raise typer.BadParameter(
            "name what to watch, e.g. `grade watch 2.1`", param_hint="SELECTOR"
        )
    exercises = options.select(selectors)
    space = options.workspace(workspace)
    box = get_sandbox(sandbox)
    limits = Limits(jobs=jobs) if jobs else Limits()
    from cli import render

    if box.warning:  # on stderr, so that it never mixes with the JSON lines
        render.warning(box.warning)

    def on_report(report, changed) -> None:
        if as_json:  # one JSON object per line, per grading
            typer.echo(json.dumps(report.to_json_dict()))
        else:
            summary = space.progress_store.summary()
            ids = [e.id for e in changed]
            render.watch_screen(report, ids, summary, warning=box.warning)

    try:
        watch_loop(
            exercises,
            space,
            box,
            on_report,
            limits=limits,
            busy=None if as_json else render.grading,
        )
    except KeyboardInterrupt:
        pass
