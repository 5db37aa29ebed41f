"""`grade override STUDENT EXERCISE SCORE`: a manual grade that survives regrades.

`--remove` drops it (the run's score counts again), `--history` lists every change with who and
when. A score outside 0..the exercise's points, an exercise this gradebook does not grade, or a
name it does not know is refused in one line, with the nearest names when there are some.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cli import options, output
from cli.commands.batch import DEFAULT_DB, DbOpt
from grader.errors import GraderError


def override(
    student: Annotated[str, typer.Argument(help="The student's name as in the gradebook.")],
    exercise_id: options.ExerciseArg,
    score: Annotated[
        float | None, typer.Argument(help="The points to give (0 to the exercise's points).")
    ] = None,
    reason: Annotated[
        str,
        typer.Option("--reason", "-r", help="Why (kept with the grade; default: the last one)."),
    ] = "",
    remove: Annotated[
        bool, typer.Option("--remove", help="Remove the manual grade: the run counts again.")
    ] = False,
    history: Annotated[
        bool, typer.Option("--history", help="Show every change to this manual grade.")
    ] = False,
    db: DbOpt = DEFAULT_DB,
    as_json: options.JsonOpt = False,
) -> None:
    """Set a student's score on one exercise by hand; exports use it over any run."""
    from grader.gradebook import Gradebook
    from grader.text import clean_line

    gradebook = Gradebook(db, create=False)
    exercise = _exercise(exercise_id, gradebook)
    shown = clean_line(student)
    out = output.Output(as_json)
    if history:
        events = gradebook.override_history(student, exercise)

        def say_history(data: dict) -> None:
            if not events:
                print(f"{shown} · {exercise}: no manual grade ever")
            for event in events:
                what = "removed" if event["score"] is None else f"{event['score']:g} points"
                why = f" ({clean_line(event['reason'])})" if event["reason"] else ""
                print(f"{event['at']} {clean_line(event['by']) or '?'}: {what}{why}")

        out.success({"student": shown, "exercise": exercise, "history": events}, say_history)
        return
    if remove == (score is not None):
        raise GraderError(
            "override-usage",
            "give either a SCORE or --remove",
            f"e.g. grade override {shown!r} {exercise} 6 -r 'partial credit'",
        )
    if remove:
        gradebook.remove_override(student, exercise, reason)
        data = {"student": shown, "exercise": exercise, "removed": True, "reason": reason}
        out.success(
            data,
            lambda _: print(f"{shown} · {exercise}: manual grade removed (the run's score counts)"),
        )
        return
    assert score is not None
    kept_score, kept_reason = gradebook.override(student, exercise, score, reason)
    data = {"student": shown, "exercise": exercise, "score": kept_score, "reason": kept_reason}
    why = f" ({clean_line(kept_reason)})" if kept_reason else ""
    out.success(data, lambda _: print(f"{shown} · {exercise}: {kept_score:g} points (manual){why}"))


def _exercise(given: str, gradebook) -> str:
    """The exercise id: as the gradebook holds it, or by the catalog's id or slug."""
    graded = {c.id for c in gradebook.exercises()}
    if given in graded:
        return given
    try:
        return options.catalog().get(given).id
    except GraderError:
        return given  # the gradebook says it does not grade it, with near names
