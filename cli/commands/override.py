"""`grade override STUDENT EXERCISE SCORE`: a manual grade that survives regrades."""

from __future__ import annotations

from typing import Annotated

import typer

from cli import options, output
from cli.commands.batch import DEFAULT_DB, DbOpt


def override(
    student: Annotated[str, typer.Argument(help="The student's name as in the gradebook.")],
    exercise_id: options.ExerciseArg,
    score: Annotated[float, typer.Argument(min=0, help="The points to give.")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why (kept with the grade).")] = "",
    db: DbOpt = DEFAULT_DB,
    as_json: options.JsonOpt = False,
) -> None:
    """Set a student's score on one exercise by hand; exports use it over any run."""
    from grader.gradebook import Gradebook
    from grader.text import clean_line

    exercise = options.catalog().get(exercise_id)
    Gradebook(db).override(student, exercise.id, score, reason)
    shown = clean_line(student)
    data = {"student": shown, "exercise": exercise.id, "score": score, "reason": reason}
    if as_json:
        output.emit_json(data)
    else:
        typer.echo(f"{shown} · {exercise.id}: {score:g} points (manual)")
