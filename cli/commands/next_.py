"""`grade next`: the first exercise, in course order, that is not yet at 100%."""

from __future__ import annotations

from cli import options, output
from grader.workspace import Progress


def next_exercise(
    selectors: options.SelectorsArg = None,
    workspace: options.WorkspaceOpt = None,
    as_json: options.JsonOpt = False,
) -> None:
    """Say which exercise to do next (within a section or topic if you name one), and how."""
    out = output.Output(as_json)
    space = options.workspace(workspace)
    exercises = options.catalog().select(selectors or ["all"])
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
                "command": f"grade {exercise.id}" if started else f"grade start {exercise.id}",
            },
            "passed": passed,
            "total": len(exercises),
        }
    out.success(data, lambda d: out.render.next_exercise(d))
