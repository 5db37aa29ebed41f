"""`grade batch SUBMISSIONS [SELECTOR]`: grade every student's submission into the gradebook."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from cli import options, output
from grader.sandbox import get_sandbox

DbOpt = Annotated[
    str,
    typer.Option("--db", envvar="GRADE_DB", help="Gradebook: any SQLAlchemy URL."),
]
DEFAULT_DB = "sqlite:///gradebook.db"


def batch(
    submissions: Annotated[
        Path, typer.Argument(help="A folder with one folder or .zip per student.")
    ],
    selectors: options.SelectorsArg = None,
    jobs: options.JobsOpt = None,
    db: DbOpt = DEFAULT_DB,
    regrade: Annotated[
        bool, typer.Option("--regrade", help="Grade again even what is unchanged.")
    ] = False,
    sandbox: options.SandboxOpt = "auto",
    as_json: options.JsonOpt = False,
    broker: Annotated[
        str | None,
        typer.Option(
            "--broker",
            envvar="GRADE_BROKER",
            help="Grade on `grade worker`s fed by this Redis (redis://HOST:6379/0), not here.",
        ),
    ] = None,
) -> None:
    """Grade all students in parallel; results go to the gradebook as each student finishes."""
    if broker:
        from cli.commands.batch_broker import batch_on_broker

        return batch_on_broker(submissions, selectors, db, broker, regrade=regrade, as_json=as_json)
    from grader.batch import grade_batch  # SQLAlchemy: imported only by the commands using it
    from grader.gradebook import Gradebook

    exercises = options.catalog().select(selectors or ["all"])
    workers = jobs or os.cpu_count() or 1
    first = get_sandbox(sandbox, slot=0)  # fail early, with what to install
    if first.warning and not as_json:
        from cli import render

        render.warning(first.warning)

    def make_sandbox(slot: int):
        return first if slot == 0 else get_sandbox(sandbox, slot=slot)

    gradebook = Gradebook(db)
    if as_json:
        report = grade_batch(
            submissions, exercises, gradebook, make_sandbox, jobs=workers, regrade=regrade
        )
        output.emit_json(report.to_dict())
    else:
        from cli import render

        with render.batch_progress() as (on_start, on_done):
            report = grade_batch(
                submissions,
                exercises,
                gradebook,
                make_sandbox,
                jobs=workers,
                regrade=regrade,
                on_start=on_start,
                on_done=on_done,
            )
        render.batch_report(report, db)
    raise typer.Exit(output.EXIT_OK if report.ok else output.EXIT_FAILED)
