"""`grade hint ID`: the hints of an exercise's tasks."""

from __future__ import annotations

from typing import Annotated

import typer

from cli import options, output
from grader.errors import SelectionError


def hint(
    exercise_id: options.ExerciseArg,
    task: Annotated[int | None, typer.Option("--task", "-t", help="Only this task.")] = None,
    as_json: options.JsonOpt = False,
) -> None:
    """Show the hints for an exercise (or one task of it)."""
    out = output.Output(as_json)
    exercise = options.catalog().get(exercise_id)
    tasks = [t for t in exercise.meta.tasks if task is None or t.id == task]
    if not tasks:
        raise SelectionError(
            "unknown-task",
            f"{exercise.id} has no task {task}",
            f"Its tasks are 1..{len(exercise.meta.tasks)}.",
        )
    data = [{"id": t.id, "title": t.title, "hint": t.hint} for t in tasks]
    out.success(
        {"id": exercise.id, "tasks": data},
        lambda _: out.render.hints(exercise.id, exercise.meta.title, data),
    )
