from __future__ import annotations

import pytest

from grader.errors import WorkspaceError
from grader.workspace import Progress, StartAction, Workspace


@pytest.fixture
def space(tmp_path):
    return Workspace(tmp_path / "ws")


def test_start_copies_the_starter(space, adder):
    outcome = space.start(adder)
    assert outcome.action is StartAction.created
    copied = space.folder(adder) / "calc.py"
    assert copied.read_text() == (adder.starter_dir / "calc.py").read_text()
    assert space.progress(adder) is Progress.started


def test_start_never_overwrites_edits_without_force(space, adder):
    space.start(adder)
    mine = space.folder(adder) / "calc.py"
    mine.write_text("def add(a, b):\n    return a + b\n")
    outcome = space.start(adder)
    assert outcome.action is StartAction.kept_edits
    assert outcome.edited_files == ["calc.py"]
    assert mine.read_text() == "def add(a, b):\n    return a + b\n"
    assert space.progress(adder) is Progress.edited


def test_force_overwrites_but_keeps_a_backup(space, adder):
    space.start(adder)
    mine = space.folder(adder) / "calc.py"
    mine.write_text("my work\n")
    outcome = space.start(adder, force=True)
    assert outcome.action is StartAction.overwritten
    assert (outcome.backup / "calc.py").read_text() == "my work\n"
    assert mine.read_text() == (adder.starter_dir / "calc.py").read_text()


def test_start_restores_a_deleted_file(space, adder):
    space.start(adder)
    (space.folder(adder) / "calc.py").unlink()
    assert space.start(adder).action is StartAction.restored


def test_restarting_an_untouched_exercise_changes_nothing(space, adder):
    space.start(adder)
    assert space.start(adder).action is StartAction.unchanged


def test_reset_backs_up_and_forgets_the_result(space, adder):
    space.start(adder)
    space.record_results([result(adder, 8)])
    (space.folder(adder) / "calc.py").write_text("mine\n")
    outcome = space.reset(adder)
    assert (outcome.backup / "calc.py").read_text() == "mine\n"
    assert "9.1.1" not in space.progress_store.summary()


def test_reset_of_an_exercise_not_started_is_an_error(space, adder):
    with pytest.raises(WorkspaceError, match="grade start 9.1.1"):
        space.reset(adder)


def test_corrupt_state_file_is_a_clear_error(space, adder):
    space.start(adder)
    space.state_path.write_text("{not json")
    with pytest.raises(WorkspaceError, match="Delete that file"):
        space.progress(adder)


def result(exercise, score):
    from grader.models import ExerciseResult, RunStatus

    return ExerciseResult(
        id=exercise.id,
        slug=exercise.meta.slug,
        title=exercise.meta.title,
        status=RunStatus.ok,
        score=score,
        max_score=8,
    )


def test_progress_keeps_attempts_best_score_and_first_pass(space, adder):
    space.start(adder)
    space.record_results([result(adder, 3)])
    assert space.progress(adder) is Progress.failing
    space.record_results([result(adder, 8)])
    first = space.progress_store.summary()["9.1.1"].first_passed_at
    space.record_results([result(adder, 5)])
    history = space.progress_store.summary()["9.1.1"]
    assert (history.attempts, history.best_score, history.last_score) == (3, 8, 5)
    assert history.first_passed_at == first is not None
    assert space.progress(adder) is Progress.failing  # the last attempt decides
