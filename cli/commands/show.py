"""`grade show ID`: the prompt of one exercise."""

from __future__ import annotations

from cli import options, output


def show(exercise_id: options.ExerciseArg, as_json: options.JsonOpt = False) -> None:
    """Show an exercise's prompt: its tasks and the interface the tests use."""
    out = output.Output(as_json)
    exercise = options.catalog().get(exercise_id)
    text = exercise.prompt_path.read_text(encoding="utf-8")
    out.success(
        {
            "id": exercise.id,
            "slug": exercise.meta.slug,
            "title": exercise.meta.title,
            "kind": exercise.meta.kind,
            "files": exercise.meta.files,
            "tasks": [{"id": t.id, "title": t.title} for t in exercise.meta.tasks],
            "prompt": text,
        },
        lambda data: out.render.prompt(data["prompt"]),
    )
