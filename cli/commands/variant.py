"""`grade variant list|open|save`: review and write known-wrong variants (patches).

`open` lays out the reference with a variant applied (or the plain reference, for a new one) in a
folder; edit it there, then `save` writes the diff back as `wrong/<name>.patch`."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from cli import options, output
from grader import variants
from grader.errors import CatalogError

variant_app = typer.Typer(help="Review or write known-wrong variants.", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="The variant's name, e.g. status-200.")]
FolderArg = Annotated[Path, typer.Argument(help="The folder to lay it out in / read it from.")]


def _patch_path(exercise_id: str, name: str):
    exercise = options.catalog().get(exercise_id)
    if not variants.NAME.fullmatch(name):
        raise CatalogError("bad-name", f"'{name}' is not a kebab-case variant name", "")
    return exercise, exercise.solution_root / "wrong" / f"{name}.patch"


def list_variants(exercise_id: options.ExerciseArg, as_json: options.JsonOpt = False) -> None:
    """Each variant of an exercise: the requirement it breaks and its mistake."""
    out = output.Output(as_json)
    exercise = options.catalog().get(exercise_id)
    rows = []
    for path in exercise.wrong_patches:
        try:
            variant = variants.load(path)
            rows.append({"name": path.stem, "breaks": variant.breaks, "mistake": variant.mistake})
        except variants.VariantError as exc:
            rows.append({"name": path.stem, "breaks": "", "mistake": "", "problem": str(exc)})
    shown = [
        line
        for row in rows
        for line in (
            f"{row['name']}: {row.get('problem') or row['mistake']}",
            f'    breaks "{row["breaks"]}"',
        )
    ]
    out.success({"exercise": exercise.id, "variants": rows}, lambda _: out.render.lines(*shown))


def open_variant(
    exercise_id: options.ExerciseArg,
    name: NameArg,
    folder: FolderArg,
    force: Annotated[bool, typer.Option("--force", help="Replace a non-empty folder.")] = False,
    as_json: options.JsonOpt = False,
) -> None:
    """Lay out the reference with the variant applied (the plain reference for a new name)."""
    out = output.Output(as_json)
    exercise, path = _patch_path(exercise_id, name)
    if folder.exists() and any(folder.iterdir()) and not force:
        raise CatalogError(
            "folder-not-empty", f"{folder} is not empty", "Pick another folder or pass --force."
        )
    if folder.exists():
        shutil.rmtree(folder)
    try:
        if path.is_file():
            variants.materialise(variants.load(path), exercise.solution_root, folder)
        else:
            shutil.copytree(
                exercise.solution_root, folder, ignore=shutil.ignore_patterns(*variants.SKIPPED)
            )
    except variants.VariantError as exc:
        raise CatalogError("bad-variant", str(exc), "Fix or delete the patch.") from exc
    state = "applied" if path.is_file() else "new: the plain reference"
    out.success(
        {"folder": str(folder), "variant": name, "exists": path.is_file()},
        lambda _: out.render.lines(
            f"{folder}: {exercise.id} reference, variant {name} {state}",
            f"next: edit it, then `grade variant save {exercise.id} {name} {folder}`",
        ),
    )


def save_variant(
    exercise_id: options.ExerciseArg,
    name: NameArg,
    folder: FolderArg,
    breaks: Annotated[
        str | None,
        typer.Option("--breaks", help="The prompt sentence it breaks (default: keep the old)."),
    ] = None,
    mistake: Annotated[
        str | None, typer.Option("--mistake", help="The plausible mistake, in one line.")
    ] = None,
    as_json: options.JsonOpt = False,
) -> None:
    """Write `wrong/<name>.patch`: the folder's files diffed against the reference."""
    out = output.Output(as_json)
    exercise, path = _patch_path(exercise_id, name)
    old = variants.load(path) if path.is_file() else None
    breaks = breaks or (old.breaks if old else None)
    if not breaks:
        raise CatalogError("no-breaks", "a new variant needs --breaks", 'e.g. --breaks "..."')
    prompt = variants.normalised(exercise.prompt_path.read_text(encoding="utf-8"))
    if variants.normalised(breaks) not in prompt:
        raise CatalogError(
            "breaks-not-in-prompt",
            f'"{breaks}" is not a sentence of {exercise.id}\'s prompt',
            "Quote the requirement word for word.",
        )
    try:
        text = variants.make_patch(
            exercise.solution_root,
            folder,
            list(exercise.meta.files),
            breaks,
            mistake if mistake is not None else (old.mistake if old else ""),
        )
    except variants.VariantError as exc:
        raise CatalogError("empty-variant", str(exc), "Edit the folder first.") from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    out.success(
        {"patch": str(path)},
        lambda _: out.render.lines(
            f"wrote {path}; next: `grade check {exercise.id}` proves it is caught"
        ),
    )
