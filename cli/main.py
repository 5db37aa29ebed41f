"""The `grade` command: composes the subcommands and maps errors to exit codes.

`grade 2.1` is short for `grade run 2.1`: any first argument that is not a command name is
taken as a selector.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Annotated

import typer

from cli import output
from cli.commands import (
    batch,
    check,
    export,
    grade,
    gradescope,
    hint,
    image,
    lint,
    list_,
    new,
    override,
    report,
    reset,
    show,
    start,
    variant,
    watch,
)
from grader import __version__
from grader.errors import GraderError

app = typer.Typer(
    name="grade",
    help="FastAPI & SQLAlchemy Exercises: start, grade and check exercises.\n\n"
    "Usage: grade 2.1 (grade a topic), grade start 2.1, grade list, grade check.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def guarded(command: Callable) -> Callable:
    """Turn a GraderError into one clear line (or JSON) and its exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except GraderError as error:
            output.fail(error, bool(kwargs.get("as_json")))

    return wrapper


COMMANDS: dict[str, Callable] = {
    "run": grade.run,
    "list": list_.list_exercises,
    "show": show.show,
    "start": start.start,
    "hint": hint.hint,
    "reset": reset.reset,
    "check": check.check,
    "lint": lint.lint,
    "batch": batch.batch,
    "export": export.export,
    "override": override.override,
    "report": report.report,
    "watch": watch.watch,
    "new": new.new,
}
for name, command in COMMANDS.items():
    app.command(name)(guarded(command))
image.image_app.command("build")(guarded(image.build))
image.image_app.command("show")(guarded(image.show))
app.add_typer(image.image_app, name="image")
variant.variant_app.command("list")(guarded(variant.list_variants))
variant.variant_app.command("open")(guarded(variant.open_variant))
variant.variant_app.command("save")(guarded(variant.save_variant))
app.add_typer(variant.variant_app, name="variant")
gradescope.gradescope_app.command("build")(guarded(gradescope.build))
gradescope.gradescope_app.command("run")(guarded(gradescope.run))
app.add_typer(gradescope.gradescope_app, name="gradescope")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"grade {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """FastAPI & SQLAlchemy Exercises."""


def route(argv: list[str]) -> list[str]:
    """`grade 2.1 --json` → `grade run 2.1 --json`."""
    if (
        argv
        and not argv[0].startswith("-")
        and argv[0] not in {*COMMANDS, "image", "variant", "gradescope"}
    ):
        return ["run", *argv]
    return argv


def run() -> None:
    try:
        app(args=route(sys.argv[1:]), prog_name="grade")
    except Exception as exc:  # a bug of ours: say so in one line, with a distinct exit code
        print(f"internal error: {type(exc).__name__}: {exc} (please report it)", file=sys.stderr)
        sys.exit(output.EXIT_INTERNAL)


if __name__ == "__main__":
    run()
