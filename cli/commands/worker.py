"""`grade worker --broker URL --db URL`: grade students from the queue, on this machine.

A Celery worker (see grader.distributed): one student per task, in this machine's sandbox,
recorded into the shared gradebook. It refuses to start without a real sandbox (a queue's
submissions are as untrusted as any), without its broker, or without its gradebook, each in
one line. It starts without Celery's "mingle" (asking the other workers for their state): a
worker that joins later may grade a task the batch withdrew, which costs time, never a second
record.
"""

from __future__ import annotations

import os
import socket
import sys
from typing import Annotated

import typer

from cli import options, output
from grader.errors import SandboxUnavailable
from grader.sandbox import get_sandbox

WorkerDbOpt = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="GRADE_DB",
        help="The shared gradebook the batch reads (e.g. postgresql+psycopg://USER@HOST/gradebook).",
    ),
]
BrokerOpt = Annotated[
    str,
    typer.Option("--broker", envvar="GRADE_BROKER", help="The Redis broker: redis://HOST:6379/0."),
]


def worker(
    broker: BrokerOpt,
    db: WorkerDbOpt,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency", "-c", min=1, help="Students graded at once (default: the cores)."
        ),
    ] = None,
    sandbox: options.SandboxOpt = "auto",
    name: Annotated[
        str | None, typer.Option("--name", help="This worker's name in Flower and in reports.")
    ] = None,
    first_slot: Annotated[
        int,
        typer.Option(
            "--first-slot",
            min=0,
            help="First sandbox slot (uid offset) of this worker, when one machine runs several.",
        ),
    ] = 0,
    as_json: options.JsonOpt = False,
) -> None:
    """Grade students sent by `grade batch --broker`, until stopped (Ctrl-C)."""
    from celery.signals import worker_ready

    from grader.distributed import tasks
    from grader.distributed.app import QUEUE, make_app
    from grader.distributed.dispatch import check_broker
    from grader.gradebook import Gradebook

    if sandbox == "none":
        raise SandboxUnavailable(
            "worker-unsandboxed",
            "a worker never grades unsandboxed (--sandbox none)",
            "Install bubblewrap or start Docker, and pass --sandbox auto, bwrap or docker.",
        )
    first = get_sandbox(sandbox, slot=first_slot)  # no sandbox: one line, before anything
    check_broker(broker)
    Gradebook(db).engine.dispose()  # a bad URL or an unreachable database: one line now
    processes = concurrency or os.cpu_count() or 1
    hostname = f"{name or 'grade'}-{os.getpid()}@{socket.gethostname()}"
    tasks.SETUP = tasks.Setup(db, sandbox, options.catalog(), first_slot=first_slot)
    app = make_app(broker)
    tasks.register(app)
    started = {"worker": hostname, "concurrency": processes, "sandbox": first.name, "db": db}

    def say_started(started: dict) -> None:
        print(
            f"grade worker: {processes} at once in {first.name}, broker {_safe(broker)}; "
            "Ctrl-C to stop",
            file=sys.stderr,
        )

    output.Output(as_json).success({"started": started}, lambda _: say_started(started))

    @worker_ready.connect(weak=False)
    def ready(**_: object) -> None:
        print(f"grade worker ready: {hostname}", file=sys.stderr, flush=True)

    app.worker_main(
        [
            "worker",
            f"--concurrency={processes}",
            f"--hostname={hostname}",
            f"--queues={QUEUE}",
            "--loglevel=WARNING",
            "--task-events",
            "--without-gossip",
            "--without-mingle",
        ]
    )


def _safe(url: str) -> str:
    from kombu.utils.url import maybe_sanitize_url

    return maybe_sanitize_url(url)
