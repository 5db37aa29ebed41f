"""`grade list`: the exercises as a tree, with your progress."""

from __future__ import annotations

from cli import options, output
from grader.catalog import section_titles, topic_title, topic_titles
from grader.course import course_of
from grader.grading import suite_of


def list_exercises(
    selectors: options.SelectorsArg = None,
    workspace: options.WorkspaceOpt = None,
    as_json: options.JsonOpt = False,
) -> None:
    """List exercises by section and topic, with your progress."""
    out = output.Output(as_json)
    catalog = options.catalog()
    space = options.workspace(workspace)
    rows = []
    summary = space.progress_store.summary()
    topics = topic_titles(catalog.root)
    course = course_of(catalog.root)  # a student pack knows the points, not the hidden tests
    for exercise in catalog.select(selectors or ["all"]):
        history = summary.get(exercise.id)
        if course.graded_by_server:
            points = course.points.get(exercise.id, 0.0)
        else:
            points = sum(s.points * s.cases for s in suite_of(exercise)[0])
        rows.append(
            {
                "id": exercise.id,
                "slug": exercise.meta.slug,
                "title": exercise.meta.title,
                "kind": exercise.meta.kind,
                "difficulty": exercise.meta.difficulty,
                "section": exercise.meta.section,
                "topic": exercise.meta.topic,
                "topic_title": topic_title(exercise, topics),
                "progress": space.progress(exercise, summary).value,
                "score": history.last_score if history else 0,
                "max_score": points,
                "attempts": history.attempts if history else 0,
                "best_score": history.best_score if history else 0,
                "first_passed_at": (
                    history.first_passed_at.isoformat()
                    if history and history.first_passed_at
                    else None
                ),
            }
        )
    out.success(
        {"exercises": rows},
        lambda _: out.render.exercise_list(rows, section_titles(catalog.root)),
    )
