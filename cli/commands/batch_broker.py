"""`grade batch SUBMISSIONS [SELECTOR] --broker URL`: the class is graded by `grade worker`s.

The same command as a local batch, from the teacher's side: the same progress bar, table,
JSON and exit codes. Two endings are its own: the broker lost midway (said in one line; the
report is not ok, and running the batch again resumes) and Ctrl-C (nothing more is enqueued,
queued tasks are withdrawn, the command says who was saved and exits 130).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from cli import options, output

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C


def batch_on_broker(
    submissions: Path,
    selectors: list[str] | None,
    db: str,
    broker: str,
    *,
    regrade: bool,
    as_json: bool,
) -> None:
    from grader.distributed.dispatch import check_broker, grade_batch_on_broker, workers_listening
    from grader.gradebook import Gradebook

    exercises = options.catalog().select(selectors or ["all"])
    check_broker(broker)  # one line and exit 2 before anything else happens
    out = output.Output(as_json)
    if not workers_listening(broker):
        out.warn(
            "no worker answers on this broker yet: students wait in the queue until one starts "
            "(grade worker --broker URL --db URL)"
        )
    gradebook = Gradebook(db)
    stop = threading.Event()
    with stop_on_interrupt(stop), out.progress() as (on_start, on_done, _):
        report = grade_batch_on_broker(
            submissions, exercises, gradebook, broker, regrade=regrade, stop=stop,
            on_start=on_start, on_done=on_done,
        )  # fmt: skip

    def say(report) -> None:
        out.render.batch_report(report, db)
        if report.broker_lost:
            out.render.warning(report.broker_lost)
        if report.interrupted:
            out.render.warning(
                f"interrupted: {report.saved} students graded and saved in this batch; "
                f"{report.withdrawn} queued were withdrawn (students being graded right now "
                "may still be saved). Run the batch again to resume."
            )

    out.success(report, say)
    if report.interrupted:
        raise typer.Exit(EXIT_INTERRUPTED)
    raise typer.Exit(output.EXIT_OK if report.ok else output.EXIT_FAILED)


@contextmanager
def stop_on_interrupt(stop: threading.Event) -> Iterator[None]:
    """While the block runs, Ctrl-C sets `stop` (the batch ends at its next safe point: never
    halfway through sending a task) instead of raising wherever the program happens to be."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
