"""`grade check [SELECTOR]`: references 100%, starters less, every wrong variant caught."""

from __future__ import annotations

from typing import Annotated

import typer

from cli import options, output
from grader.check import check as run_check
from grader.staging import Limits


def check(
    selectors: options.SelectorsArg = None,
    sandbox: options.SandboxOpt = "auto",
    jobs: options.JobsOpt = None,
    repeat: Annotated[
        int,
        typer.Option(
            "--repeat", min=1, help="Grade every unit N times; a score that changes fails."
        ),
    ] = 1,
    stress: Annotated[
        bool, typer.Option("--stress", help="Run one busy process per core beside the grading.")
    ] = False,
    as_json: options.JsonOpt = False,
) -> None:
    """Prove the exercises: exit 0 only when every check holds."""
    out = output.Output(as_json)
    exercises = options.catalog().select(selectors or ["all"])
    limits = Limits(jobs=jobs) if jobs else Limits()
    box = out.sandbox(sandbox)
    report = run_check(exercises, box, limits, repeat=repeat, stress=stress)
    out.success(
        report,
        lambda r: out.render.check_report(r),
        exit_code=output.EXIT_OK if report.ok else output.EXIT_FAILED,
    )
