"""`grade next`: the first exercise, in course order, that is not yet at 100%."""

from __future__ import annotations

from cli import options, output
from grader.course import course_of
from grader.workspace import Progress


def next_exercise(
    selectors: options.SelectorsArg = None,
    workspace: options.WorkspaceOpt = None,
    as_json: options.JsonOpt = False,
) -> None:
    """Say which exercise to do next (within a section or topic if you name one), and how."""
    out = output.Output(as_json)
    space = options.workspace(workspace)
    catalog = options.catalog()
    exercises = catalog.select(selectors or ["all"])
    course = course_of(catalog.root)
    exercise = space.next_exercise(exercises)
    summary = space.progress_store.summary()
    passed = sum(1 for e in exercises if space.progress(e, summary) is Progress.passed)
    data: dict = {"next": None, "passed": passed, "total": len(exercises)}
    if exercise is not None:
        progress = space.progress(exercise)
        started = space.is_started(exercise)
        data = {
            "next": {
                "id": exercise.id,
                "slug": exercise.meta.slug,
                "title": exercise.meta.title,
                "progress": progress.value,
                "folder": str(space.folder(exercise)) if started else None,
                "command": _command(exercise.id, started, course.graded_by_server, course.server),
            },
            "passed": passed,
            "total": len(exercises),
        }
    out.success(data, lambda d: out.render.next_exercise(d))


def _command(exercise_id: str, started: bool, by_server: bool, server: str) -> str:
    """What to run next: start it, grade it, or (in a student pack) submit it."""
    if not started:
        return f"grade start {exercise_id}"
    if by_server:
        return f"grade submit {exercise_id}" + ("" if server else " --server URL")
    return f"grade {exercise_id}"
