"""`grade watch SELECTOR`: re-grade on every change, on a compact screen. Ctrl-C to stop."""

from __future__ import annotations

import typer

from cli import options, output
from grader.sandbox.warm import kept_warm
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
    out = output.Output(as_json)
    exercises = options.select(selectors)
    options.grades_here(selectors)  # before a sandbox is looked for
    space = options.workspace(workspace)
    box = kept_warm(out.sandbox(sandbox))  # warned once here, and on every screen below

    def on_report(report, changed) -> None:
        out.line(  # one JSON object per line, per grading; or a fresh screen
            report,
            lambda r: out.render.watch_screen(
                r, [e.id for e in changed], space.progress_store.summary(), warning=box.warning
            ),
        )

    def busy(selected):
        return out.busy(f"grading {options.listed([e.id for e in selected])}")

    limits = Limits(jobs=jobs) if jobs else Limits()
    try:
        watch_loop(exercises, space, box, on_report, limits=limits, busy=busy)
    except KeyboardInterrupt:
        pass
