"""`grade batch SUBMISSIONS [SELECTOR]`: grade every student's submission into the gradebook.

Ctrl-C stops the batch within seconds: the first press asks the engine to stop (it kills the
running sandboxes and keeps every student already graded), later presses change nothing; the
command then says what was saved and how to resume, and exits 130.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C


@contextmanager
def stop_on_interrupt(stop: threading.Event) -> Iterator[None]:
    """While the block runs, Ctrl-C (SIGINT) sets `stop` instead of raising anywhere. Once it
    was pressed, later presses stay harmless until the command exits: the summary of what was
    saved is printed whole, never cut by a KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def pressed(signum, frame) -> None:
        stop.set()
        # ignored, not handled, from now on: the interpreter's exit resets Python handlers to
        # the default, and a late press would then kill the process mid-summary
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    previous = signal.signal(signal.SIGINT, pressed)
    try:
        yield
    finally:
        if not stop.is_set():
            signal.signal(signal.SIGINT, previous)


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
    out = output.Output(as_json)
    first = out.sandbox(sandbox, slot=0)  # fail early, with what to install

    def make_sandbox(slot: int):
        return first if slot == 0 else get_sandbox(sandbox, slot=slot)

    gradebook = Gradebook(db)
    stop = threading.Event()
    with stop_on_interrupt(stop), out.progress() as (on_start, on_done, on_stopping):
        report = grade_batch(
            submissions,
            exercises,
            gradebook,
            make_sandbox,
            jobs=workers,
            regrade=regrade,
            stop=stop,
            on_start=on_start,
            on_done=on_done,
            on_stopping=on_stopping,
        )
    out.success(report, lambda report: out.render.batch_report(report, db))
    if report.interrupted:
        _exit_interrupted(report.unfinished)
    raise typer.Exit(output.EXIT_OK if report.ok else output.EXIT_FAILED)


def _exit_interrupted(unfinished: int) -> None:
    """Exit 130. A worker still winding down (a sandbox slow to die) must not hold the process:
    what it would write is not a grade, and everything graded is committed."""
    if unfinished:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)
    raise typer.Exit(EXIT_INTERRUPTED)
