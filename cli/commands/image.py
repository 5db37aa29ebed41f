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
    out = output.Output(as_json)
    result = build_image(base=base, wheels=wheels)
    out.success(
        {"tag": result.tag, "image_id": result.image_id, "base": result.base},
        lambda _: out.render.lines(
            f"built {result.tag} ({result.image_id[:19]}) from {result.base}"
        ),
    )


def show(as_json: options.JsonOpt = False) -> None:
    """Say which image this version uses and whether the engine has it."""
    from grader.errors import SandboxUnavailable
    from grader.sandbox.container import DockerSandbox

    out = output.Output(as_json)
    data = {"tag": image_tag(), "present": False, "image_id": None, "problem": ""}
    try:
        box = DockerSandbox()
        data.update(present=True, image_id=box.image_digest)
    except SandboxUnavailable as exc:
        data["problem"] = str(exc)
    state = f"present ({data['image_id'][:19]})" if data["present"] else data["problem"]
    out.success(
        data,
        lambda _: out.render.lines(f"{data['tag']}: {state}"),
        exit_code=output.EXIT_OK if data["present"] else output.EXIT_FAILED,
    )
