"""The learner's workspace: starters copied in, edits never clobbered, last results remembered.

Layout: `<workspace>/<id>-<slug>/<files>` per exercise and `<workspace>/.grade/` for state:
`state.json` (the hash of each starter file as copied), `progress.db` (every graded attempt,
see progress.py) and `backups/` (files saved before `--force` or `reset` replaced them).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from .errors import WorkspaceError
from .models import Exercise, ExerciseResult
from .progress import ProgressStore

STATE_DIR = ".grade"


def default_workspace(cwd: Path | None = None) -> Path:
    """GRADE_WORKSPACE if set; else the workspace that holds the current folder (a learner in
    `workspace/3.2.1-…/` means that workspace, not a new one inside it); else `./workspace`."""
    if os.environ.get("GRADE_WORKSPACE"):
        return Path(os.environ["GRADE_WORKSPACE"]).resolve()
    here = (cwd or Path.cwd()).resolve()
    return enclosing_workspace(here) or here / "workspace"


def is_workspace(path: Path) -> bool:
    return (path / STATE_DIR).is_dir()


def enclosing_workspace(path: Path) -> Path | None:
    """`path` itself or the nearest folder above it that is a workspace, if any."""
    for folder in (path, *path.parents):
        if is_workspace(folder):
            return folder
    return None


def check_not_nested(root: Path) -> None:
    """Refuse a new workspace inside another: its exercises would never be found again."""
    if is_workspace(root):
        return
    outer = enclosing_workspace(root.parent)
    if outer is not None:
        raise WorkspaceError(
            "nested-workspace",
            f"{root} is inside the workspace {outer}.",
            f"Use that one: run grade from {outer.parent}, or pass --workspace {outer}.",
        )


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


PROMPT_FILE = "README.md"


def copied_files(exercise: Exercise) -> list[str]:
    """What `grade start` puts in the exercise's folder: the starter files, then the prompt."""
    names = list(exercise.meta.files)
    if exercise.prompt_path.is_file() and PROMPT_FILE not in names:
        names.append(PROMPT_FILE)
    return names


def source_of(exercise: Exercise, name: str) -> Path:
    if name == PROMPT_FILE and name not in exercise.meta.files:
        return exercise.prompt_path
    return exercise.starter_dir / name


class Progress(StrEnum):
    not_started = "not started"
    started = "started"
    edited = "edited"
    failing = "failing"
    passed = "passed"


class StartAction(StrEnum):
    created = "created"
    restored = "restored missing files"
    unchanged = "already started"
    kept_edits = "kept your edits"
    overwritten = "overwritten"


@dataclass
class StartOutcome:
    id: str
    path: Path
    action: StartAction
    edited_files: list[str] = field(default_factory=list)
    backup: Path | None = None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "path": str(self.path),
            "action": self.action.name,
            "edited_files": self.edited_files,
            "backup": str(self.backup) if self.backup else None,
        }


@dataclass
class Workspace:
    root: Path

    @property
    def state_path(self) -> Path:
        return self.root / STATE_DIR / "state.json"

    @property
    def progress_store(self) -> ProgressStore:
        return ProgressStore(self.root / STATE_DIR / "progress.db")

    def folder(self, exercise: Exercise) -> Path:
        return self.root / exercise.meta.name

    def is_started(self, exercise: Exercise) -> bool:
        return self.folder(exercise).is_dir()

    # ---------------------------------------------------------------- state

    def _load(self) -> dict:
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"starters": {}}
        except (OSError, ValueError) as exc:
            raise WorkspaceError(
                "bad-state",
                f"cannot read {self.state_path}: {exc}",
                "Delete that file; your exercise files are not affected.",
            ) from None
        data.setdefault("starters", {})
        return data

    def _save(self, data: dict) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(self.state_path)

    # ---------------------------------------------------------------- edits

    def edited_files(self, exercise: Exercise, with_prompt: bool = False) -> list[str]:
        """Files that differ from the starter as it was copied (or as it is, if never recorded);
        `with_prompt`: the copy of the prompt (README.md) too."""
        recorded = self._load()["starters"].get(exercise.id, {})
        folder = self.folder(exercise)
        edited = []
        for name in copied_files(exercise) if with_prompt else exercise.meta.files:
            current = folder / name
            if not current.is_file():
                continue
            baseline = recorded.get(name)
            if baseline is None:
                source = source_of(exercise, name)
                baseline = _sha(source) if source.is_file() else ""
            if _sha(current) != baseline:
                edited.append(name)
        return edited

    def progress(self, exercise: Exercise, summary: dict | None = None) -> Progress:
        if not self.is_started(exercise):
            return Progress.not_started
        last = (self.progress_store.summary() if summary is None else summary).get(exercise.id)
        if last is not None:
            return Progress.passed if last.passed else Progress.failing
        return Progress.edited if self.edited_files(exercise) else Progress.started

    def next_exercise(self, exercises: list[Exercise]) -> Exercise | None:
        """The first exercise, in course order, whose last grading was not 100% (or that was
        never graded); None when every one of them passes."""
        summary = self.progress_store.summary()
        return next(
            (e for e in exercises if self.progress(e, summary) is not Progress.passed), None
        )

    def record_results(self, results: list[ExerciseResult]) -> None:
        if results:
            self.progress_store.record(results)

    # ---------------------------------------------------------------- start / reset

    def start(self, exercise: Exercise, force: bool = False) -> StartOutcome:
        check_not_nested(self.root)
        folder = self.folder(exercise)
        created = not folder.exists()
        edited = [] if created else self.edited_files(exercise, with_prompt=True)
        backup = None
        if edited and not force:
            self._copy_missing(exercise)
            return StartOutcome(exercise.id, folder, StartAction.kept_edits, edited)
        if edited:
            backup = self._backup(exercise, edited)
            self._copy_starter(exercise, overwrite=True)
            action = StartAction.overwritten
        else:
            missing = self._copy_missing(exercise)
            action = (
                StartAction.created
                if created
                else StartAction.restored
                if missing
                else StartAction.unchanged
            )
        return StartOutcome(exercise.id, folder, action, edited, backup)

    def reset(self, exercise: Exercise) -> StartOutcome:
        """Put the starter back; edited files are saved under .grade/backups first."""
        if not self.is_started(exercise):
            raise WorkspaceError(
                "not-started",
                f"{exercise.id} is not started, so there is nothing to reset.",
                f"Run `grade start {exercise.id}`.",
            )
        outcome = self.start(exercise, force=True)
        self.progress_store.forget(exercise.id)
        return outcome

    def _copy_missing(self, exercise: Exercise) -> list[str]:
        """Copy what is missing, and refresh an unedited copy of the prompt (a newer course's
        README.md replaces the old one unless the learner wrote in it)."""
        missing = [n for n in copied_files(exercise) if not (self.folder(exercise) / n).exists()]
        stale = [
            name
            for name in copied_files(exercise)[len(exercise.meta.files) :]
            if name not in missing and name not in self.edited_files(exercise, with_prompt=True)
        ]
        self._copy_starter(exercise, names=missing, overwrite=False)
        self._copy_starter(exercise, names=stale, overwrite=True)
        return missing

    def _copy_starter(
        self, exercise: Exercise, names: list[str] | None = None, overwrite: bool = False
    ) -> None:
        folder = self.folder(exercise)
        data = self._load()
        recorded = data["starters"].setdefault(exercise.id, {})
        for name in copied_files(exercise) if names is None else names:
            source = source_of(exercise, name)
            target = folder / name
            if target.exists() and not overwrite:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            recorded[name] = _sha(source)
        self._save(data)

    def _backup(self, exercise: Exercise, names: list[str]) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.root / STATE_DIR / "backups" / f"{exercise.meta.name}-{stamp}"
        suffix = 1
        while target.exists():
            suffix += 1
            target = target.with_name(f"{exercise.meta.name}-{stamp}-{suffix}")
        for name in names:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.folder(exercise) / name, target / name)
        return target
