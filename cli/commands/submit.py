"""`grade submit SELECTOR --server URL --token T`: have the course server grade your work
against its hidden tests; the feedback is the same as `grade SELECTOR` shows."""

from __future__ import annotations

from typing import Annotated

import typer

from cli import options, output


def submit(
    selectors: options.SelectorsArg = None,
    server: Annotated[
        str, typer.Option("--server", envvar="GRADE_SERVER", help="The course server's URL.")
    ] = "",
    token: Annotated[
        str,
        typer.Option("--token", envvar="GRADE_TOKEN", help="Your token (from your teacher)."),
    ] = "",
    workspace: options.WorkspaceOpt = None,
    as_json: options.JsonOpt = False,
) -> None:
    """Submit the selected exercises to the course server and show its feedback."""
    if not selectors:
        raise typer.BadParameter(
            "name what to submit, e.g. `grade submit 2.1`", param_hint="SELECTOR"
        )
    if not server:  # a student pack made with --server knows its server
        from grader.course import course_of

        server = course_of(options.catalog().root).server
    if not server or not token:
        raise typer.BadParameter(
            "give --server URL and --token TOKEN (or GRADE_SERVER and GRADE_TOKEN)"
        )
    from grader.server.client import pack
    from grader.server.client import submit as send

    out = output.Output(as_json)
    exercises = options.select(selectors)
    space = options.workspace(workspace)
    archive = pack(exercises, space)
    sent = {e.id for e in exercises if space.is_started(e)}
    with out.busy(f"submitting {options.listed([e.id for e in exercises])}"):
        report = send(server, token, " ".join(selectors), archive)
    # the server's grades are this workspace's progress too: `grade list` and `grade next`
    space.record_results([r for r in report.exercises if r.id in sent])
    out.success(
        report,
        lambda r: out.render.grade_report(r),
        exit_code=output.EXIT_OK if report.passed else output.EXIT_FAILED,
    )
