"""`grade list`: the exercises as a tree, with your progress."""

from __future__ import annotations

from cli import options, output
from grader.catalog import section_titles, topic_title
from grader.grading import suite_of


def list_exercises(
    selectors: options.SelectorsArg = None,
    workspace: options.WorkspaceOpt = None,
    as_json: options.JsonOpt = False,
) -> None:
    """List exercises by section and topic, with your progress."""
    catalog = options.catalog()
    space = options.workspace(workspace)
    rows = []
    for exercise in catalog.select(selectors or ["all"]):
        last = space.last_result(exercise) or {}
        specs, _ = suite_of(exercise)
        rows.append(
            {
                "id": exercise.id,
                "slug": exercise.meta.slug,
                "title": exercise.meta.title,
                "kind": exercise.meta.kind,
                "difficulty": exercise.meta.difficulty,
                "section": exercise.meta.section,
                "topic": exercise.meta.topic,
                "topic_title": topic_title(exercise),
                "progress": space.progress(exercise).value,
                "score": last.get("score", 0),
                "max_score": last.get("max_score", sum(s.points * s.cases for s in specs)),
            }
        )
    if as_json:
        output.emit_json({"exercises": rows})
        return
    from cli import render

    render.exercise_list(rows, section_titles(catalog.root))
