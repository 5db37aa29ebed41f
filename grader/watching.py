"""Re-grade on save: watch the workspace folders of the selection and grade what changed."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
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


def watch(
    exercises: list[Exercise],
    workspace: Workspace,
    sandbox: Sandbox,
    on_report: Callable[[GradeReport, list[Exercise]], None],
    *,
    limits: Limits | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Grade once, then again each time a file of a selected exercise changes, until `stop`.

    The watcher runs in its own thread from the start, so a save made while a grading runs is
    queued, not missed."""
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
    if started:
        on_report(grade_workspace(started, workspace, sandbox, limits), started)
    while not stop.is_set():
        try:
            paths = changes.get(timeout=0.2)
        except queue.Empty:
            continue
        while not changes.empty():  # saves made during the last grading: grade them together
            paths |= changes.get_nowait()
        changed = changed_exercises(paths, started, workspace)
        if changed:
            on_report(grade_workspace(changed, workspace, sandbox, limits), changed)
    thread.join(timeout=2)
