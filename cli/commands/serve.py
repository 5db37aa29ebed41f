"""`grade serve`: the course server (teachers' pages, students' submissions), and
`grade token STUDENT`: a student's submission token.

The teacher's password comes from GRADE_TEACHER_PASSWORD or --teacher-password-file, never
from the command line (where `ps` would show it). Sessions are signed with GRADE_SERVER_SECRET
when set, else with a key made at start (teachers then sign in again after a restart)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated

import typer

from cli import options, output
from cli.commands.batch import DEFAULT_DB, DbOpt
from grader.errors import GraderError


def serve(
    db: DbOpt = DEFAULT_DB,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    teacher_password_file: Annotated[
        Path | None,
        typer.Option(
            "--teacher-password-file",
            help="A file holding the teacher's password [else env GRADE_TEACHER_PASSWORD].",
        ),
    ] = None,
    sandbox: options.SandboxOpt = "auto",
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Students graded at once.")] = 2,
    broker: Annotated[
        str,
        typer.Option(
            "--broker",
            envvar="GRADE_BROKER",
            help="Redis URL: `grade worker`s grade the submissions (started with the same --db).",
        ),
    ] = "",
    secure_cookies: Annotated[
        bool,
        typer.Option("--secure-cookies", help="Behind HTTPS: send the session cookie only there."),
    ] = False,
    as_json: options.JsonOpt = False,
) -> None:
    """Serve the gradebook to the teacher and grade students' submissions."""
    import uvicorn
    from kombu.utils.url import maybe_sanitize_url

    from grader.sandbox import get_sandbox
    from grader.server import ServerSettings, create_app

    out = output.Output(as_json)
    password = _password(teacher_password_file)
    if broker:  # the workers grade, each in its own sandbox: this machine needs none
        sandbox = "workers"
    elif sandbox != "none":  # resolved once (auto probes Docker); no sandbox: one line, now
        sandbox = get_sandbox(sandbox).name
    settings = ServerSettings(
        db=db,
        teacher_password=password,
        catalog=options.catalog(),
        sandbox=sandbox,
        jobs=jobs,
        broker=broker,
        secret_key=os.environ.get("GRADE_SERVER_SECRET") or secrets.token_urlsafe(32),
        secure_cookies=secure_cookies,
    )
    app = create_app(settings)
    url = f"http://{host}:{port}/"
    graded_by = f"the workers of {maybe_sanitize_url(broker)}" if broker else f"{sandbox} here"
    out.line(
        {"serving": url, "db": db, "graded_by": graded_by},
        lambda d: print(f"Course server on {url}, grading with {graded_by} (Ctrl-C stops)"),
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _password(path: Path | None) -> str:
    if path is not None:
        try:
            password = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise GraderError(
                "no-teacher-password",
                f"cannot read {path}: {exc.strerror or exc}",
                "Give a readable file holding the password.",
            ) from None
    else:
        password = os.environ.get("GRADE_TEACHER_PASSWORD", "").strip()
    if len(password) < 8:
        raise GraderError(
            "no-teacher-password",
            "the course server needs a teacher password of at least 8 characters",
            "Set GRADE_TEACHER_PASSWORD or pass --teacher-password-file.",
        )
    return password


def token(
    student: Annotated[str, typer.Argument(help="The student's name as in the gradebook.")],
    db: DbOpt = DEFAULT_DB,
    as_json: options.JsonOpt = False,
) -> None:
    """Make a student's submission token (shown once; it replaces their old one)."""
    from grader.gradebook import Gradebook
    from grader.server.tokens import ensure_table, make_token
    from grader.text import clean_line

    gradebook = Gradebook(db)
    ensure_table(gradebook)
    name = clean_line(student)
    made = make_token(gradebook, name)
    output.Output(as_json).success(
        {"student": name, "token": made},
        lambda d: print(f"Token for {d['student']} (shown once): {d['token']}"),
    )
