"""`grade image build` / `grade image show`: the Docker sandbox image."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli import options, output
from grader.image import DEFAULT_BASE, build_image, image_tag

image_app = typer.Typer(help="Build or inspect the Docker sandbox image.", no_args_is_help=True)


def build(
    base: Annotated[
        str, typer.Option("--base", help="Base image with python3 (3.11+) and venv.")
    ] = DEFAULT_BASE,
    wheels: Annotated[
        Path | None,
        typer.Option("--wheels", help="Folder of pre-downloaded wheels (default: pip download)."),
    ] = None,
    as_json: options.JsonOpt = False,
) -> None:
    """Build the pinned grader image from the project's Dockerfile."""
    result = build_image(base=base, wheels=wheels)
    if as_json:
        output.emit_json({"tag": result.tag, "image_id": result.image_id, "base": result.base})
    else:
        typer.echo(f"built {result.tag} ({result.image_id[:19]}) from {result.base}")


def show(as_json: options.JsonOpt = False) -> None:
    """Say which image this version uses and whether the engine has it."""
    from grader.errors import SandboxUnavailable
    from grader.sandbox.container import DockerSandbox

    data = {"tag": image_tag(), "present": False, "image_id": None, "problem": ""}
    try:
        box = DockerSandbox()
        data.update(present=True, image_id=box.image_digest)
    except SandboxUnavailable as exc:
        data["problem"] = str(exc)
    if as_json:
        output.emit_json(data)
    else:
        state = f"present ({data['image_id'][:19]})" if data["present"] else data["problem"]
        typer.echo(f"{data['tag']}: {state}")
    raise typer.Exit(output.EXIT_OK if data["present"] else output.EXIT_FAILED)
