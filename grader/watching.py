"""Re-grade on save: watch the workspace folders of the selection and grade what changed."""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from .grading import grade_workspace
from .models import Exercise, GradeReport
from .sandbox import Sandbox
from .staging import Limits
from .workspace import Workspace


def changed_exercises(
    changes: Iterable[Path], exercises: list[Exercise], workspace: Workspace
) -> list[Exercise]:
    """The exercises whose folder holds a changed Python or text file."""
    hit = []
    for exercise in exercises:
        folder = workspace.folder(exercise).resolve()
        if any(
            Path(p).resolve().is_relative_to(folder) and "__pycache__" not in Path(p).parts
            for p in changes
        ):
            hit.append(exercise)
    return hit


def content_digest(exercise: Exercise, workspace: Workspace) -> str:
    """What the learner wrote in the exercise's folder (its Python and text files): a save that
    changes nothing keeps the digest, and is neither graded again nor counted as an attempt."""
    folder = workspace.folder(exercise)
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file() or path.is_symlink():
            continue
        try:
            data = path.read_bytes()
        except OSError:
            data = b"\0unreadable"
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


def watch(
    exercises: list[Exercise],
    workspace: Workspace,
    sandbox: Sandbox,
    on_report: Callable[[GradeReport, list[Exercise]], None],
    *,
    limits: Limits | None = None,
    stop: threading.Event | None = None,
    busy: Callable[[list[Exercise]], AbstractContextManager] | None = None,
) -> None:
    """Grade once, then again each time a file of a selected exercise changes, until `stop`.

    The watcher runs in its own thread from the start, so a save made while a grading runs is
    queued, not missed. Only a save that changes a file's content grades again (and so counts as
    an attempt): an editor that saves an unchanged buffer, or a `touch`, does not."""
    from watchfiles import watch as watch_files

    stop = stop or threading.Event()
    started = [e for e in exercises if workspace.is_started(e)]
    folders = [str(workspace.folder(e)) for e in started] or [str(workspace.root)]
    changes: queue.Queue[set[Path]] = queue.Queue()

    def watcher() -> None:
        for batch in watch_files(*folders, stop_event=stop, debounce=300, rust_timeout=500):
            changes.put({Path(p) for _, p in batch})

    thread = threading.Thread(target=watcher, daemon=True, name="grade-watch")
    thread.start()
    graded = {e.id: content_digest(e, workspace) for e in started}

    def grade(selected: list[Exercise]) -> None:
        with (busy or (lambda _: nullcontext()))(selected):
            report = grade_workspace(selected, workspace, sandbox, limits)
        on_report(report, selected)

    if started:
        grade(started)
    while not stop.is_set():
        try:
            paths = changes.get(timeout=0.2)
        except queue.Empty:
            continue
        while not changes.empty():  # saves made during the last grading: grade them together
            paths |= changes.get_nowait()
        changed = []
        for exercise in changed_exercises(paths, started, workspace):
            digest = content_digest(exercise, workspace)
            if digest != graded[exercise.id]:
                graded[exercise.id] = digest
                changed.append(exercise)
        if changed:
            grade(changed)
    thread.join(timeout=2)
