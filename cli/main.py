"""The `grade` command: composes the subcommands and maps errors to exit codes.

`grade 2.1` is short for `grade run 2.1`: any first argument that is not a command name is
taken as a selector.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Annotated, NoReturn

import typer
from typer.core import TyperGroup

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
    next_,
    override,
    pack,
    report,
    reset,
    serve,
    show,
    start,
    submit,
    variant,
    watch,
    worker,
)
from grader import __version__
from grader.errors import GraderError

USAGE_ERROR = typer.BadParameter.__mro__[1]  # click's UsageError, as Typer ships it


class Group(TyperGroup):
    """Usage errors (a missing argument, an unknown option) as a JSON error object when the
    command line asks for `--json`, like every other error; as Typer shows them otherwise."""

    def make_context(self, info_name, args, parent=None, **extra):  # noqa: ANN001
        self.as_json = "--json" in args
        try:
            return super().make_context(info_name, args, parent, **extra)
        except USAGE_ERROR as error:
            self._usage(error)

    def invoke(self, ctx):  # noqa: ANN001
        try:
            return super().invoke(ctx)
        except USAGE_ERROR as error:
            self._usage(error)

    def _usage(self, error: Exception) -> NoReturn:
        if not getattr(self, "as_json", False):
            raise error
        context = getattr(error, "ctx", None)
        command = context.command_path if context is not None else "grade"
        output.Output(as_json=True).fail(
            GraderError("usage", error.format_message(), f"See `{command} --help`.")
        )


app = typer.Typer(
    cls=Group,
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
    "worker": worker.worker,
    "new": new.new,
    "next": next_.next_exercise,
    "serve": serve.serve,
    "token": serve.token,
    "submit": submit.submit,
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
pack.pack_app.command("student")(guarded(pack.student))
app.add_typer(pack.pack_app, name="pack")


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


def command_names() -> list[str]:
    return [*COMMANDS, "image", "variant", "gradescope", "pack"]


def route(argv: list[str]) -> list[str]:
    """`grade 2.1 --json` → `grade run 2.1 --json`."""
    if argv and not argv[0].startswith("-") and argv[0] not in command_names():
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
