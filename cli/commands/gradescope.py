"""`grade gradescope build SELECTOR -o autograder.zip` makes a Gradescope autograder package;
`grade gradescope run` is what its `run_autograder` calls inside Gradescope's container."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli import options, output

gradescope_app = typer.Typer(
    help="Run these exercises on Gradescope: build the autograder package, or run it.",
    no_args_is_help=True,
)


def build(
    selectors: options.SelectorsArg = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The autograder zip to write.")] = Path(
        "autograder.zip"
    ),
    sandbox: Annotated[
        str,
        typer.Option(
            "--sandbox",
            "-s",
            help="The sandbox the package grades in: auto | bwrap | docker | none.",
        ),
    ] = "auto",
    as_json: options.JsonOpt = False,
) -> None:
    """Write a Gradescope autograder zip (setup.sh, run_autograder, the grader and the
    selected exercises, never their solutions)."""
    from grader.autograder import build_package
    from grader.errors import SelectionError

    if not selectors:
        raise SelectionError(
            "no-selection",
            "name the exercises the assignment grades",
            "e.g. grade gradescope build 2.1 -o autograder.zip",
        )
    catalog = options.catalog()
    exercises = catalog.select(selectors)
    root = Path(__file__).resolve().parents[2]
    names = build_package(exercises, catalog.root, root, out, sandbox)
    if as_json:
        output.emit_json(
            {
                "package": str(out),
                "exercises": [e.id for e in exercises],
                "sandbox": sandbox,
                "files": len(names),
            }
        )
        return
    typer.echo(
        f"{out}: Gradescope autograder for {', '.join(e.id for e in exercises)} "
        f"({len(names)} files, {sandbox} sandbox). Upload it as the assignment's autograder."
    )


def run(
    selectors: options.SelectorsArg = None,
    root: Annotated[
        Path, typer.Option("--root", help="Gradescope's folder (submission/, results/).")
    ] = Path("/autograder"),
    sandbox: options.SandboxOpt = "auto",
    as_json: options.JsonOpt = False,
) -> None:
    """Grade ROOT/submission and write ROOT/results/results.json (Gradescope's layout)."""
    from grader.autograder import run_autograder
    from grader.sandbox import get_sandbox

    exercises = options.catalog().select(selectors or ["all"])
    box = get_sandbox(sandbox)
    if box.warning:
        typer.echo(f"warning: {box.warning}", err=True)
    results = run_autograder(root, exercises, box)
    if as_json:
        output.emit_json(results)
        return
    maximum = sum(t.get("max_score", 0) for t in results["tests"])
    typer.echo(
        f"{root / 'results' / 'results.json'}: {results['score']:g}/{maximum:g} points "
        f"({box.name} sandbox)"
    )
