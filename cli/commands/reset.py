"""`grade reset ID`: put the starter back (your edits are backed up first)."""

from __future__ import annotations

from cli import options, output


def reset(
    exercise_id: options.ExerciseArg,
    workspace: options.WorkspaceOpt = None,
    as_json: options.JsonOpt = False,
) -> None:
    """Restore an exercise's starter files; edited files are saved under .grade/backups."""
    out = output.Output(as_json)
    space = options.workspace(workspace)
    outcome = space.reset(options.catalog().get(exercise_id))
    out.success(outcome, lambda o: out.render.start_outcomes([o]))
