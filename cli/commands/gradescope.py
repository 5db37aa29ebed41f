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
    built = {
        "package": str(out),
        "exercises": [e.id for e in exercises],
        "sandbox": sandbox,
        "files": len(names),
    }
    output.Output(as_json).success(built, _say_built)


def _say_built(built: dict) -> None:
    print(
        f"{built['package']}: Gradescope autograder for {', '.join(built['exercises'])} "
        f"({built['files']} files, {built['sandbox']} sandbox). Upload it as the assignment's "
        "autograder."
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

    exercises = options.catalog().select(selectors or ["all"])
    out = output.Output(as_json)
    box = out.sandbox(sandbox)
    results = run_autograder(root, exercises, box)

    def say(results: dict) -> None:
        maximum = sum(t.get("max_score", 0) for t in results["tests"])
        print(
            f"{root / 'results' / 'results.json'}: {results['score']:g}/{maximum:g} points "
            f"({box.name} sandbox)"
        )

    out.success(results, say)
