"""The values that cross module boundaries: exercise metadata, expected tests, results, reports."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .variants import variant_paths

SCHEMA_VERSION = 1


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Task(Strict):
    id: int = Field(ge=1)
    title: str = Field(min_length=1)
    hint: str = Field(min_length=1)

    @field_validator("hint")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class ExerciseMeta(Strict):
    """The contents of an `exercise.toml` (schema_version 1)."""

    schema_version: Literal[1]
    id: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str = Field(min_length=1)
    kind: Literal["code", "quiz", "config"]
    difficulty: int = Field(ge=1, le=5)
    files: list[str] = Field(min_length=1)
    timeout: float = Field(default=10, gt=0, le=120)
    packages: list[str] = []
    tasks: list[Task] = Field(min_length=1)

    @model_validator(mode="after")
    def _tasks_numbered(self) -> ExerciseMeta:
        ids = [task.id for task in self.tasks]
        if ids != list(range(1, len(ids) + 1)):
            raise ValueError(f"tasks must be numbered 1..{len(ids)} in order, got {ids}")
        return self

    @property
    def section(self) -> str:
        return self.id.split(".")[0]

    @property
    def topic(self) -> str:
        return ".".join(self.id.split(".")[:2])

    @property
    def name(self) -> str:
        """The folder name: `2.1.1-hello-json`, also used in workspaces."""
        return f"{self.id}-{self.slug}"

    def task(self, task_id: int) -> Task | None:
        return next((t for t in self.tasks if t.id == task_id), None)


class Exercise(BaseModel):
    """An exercise found on disk: its metadata and where its parts live."""

    model_config = ConfigDict(frozen=True)

    meta: ExerciseMeta
    root: Path
    solution_root: Path

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def starter_dir(self) -> Path:
        return self.root / "starter"

    @property
    def tests_dir(self) -> Path:
        return self.root / "tests"

    @property
    def prompt_path(self) -> Path:
        return self.root / "README.md"

    @property
    def wrong_patches(self) -> list[Path]:
        """Known-wrong variants: `wrong/<name>.patch`, diffs against the reference."""
        return variant_paths(self.solution_root)

    @property
    def alternative_dirs(self) -> list[Path]:
        """Other correct designs: each must score 100% too."""
        return self._variants("alternatives")

    def _variants(self, kind: str) -> list[Path]:
        folder = self.solution_root / kind
        return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


class TestSpec(Strict):
    """A hidden test as read statically from its source, before anything runs."""

    __test__ = False  # not a pytest test class

    id: str  # "test_file.py::test_name" or "test_file.py::TestClass::test_name"
    task: int
    points: float = 1
    hint: str = ""
    cases: int = 1  # parametrized cases, each worth `points`


class TestStatus(StrEnum):
    __test__ = False  # not a pytest test class

    passed = "passed"
    failed = "failed"
    error = "error"
    timeout = "timeout"
    oom = "oom"
    crash = "crash"
    skipped = "skipped"


class RunStatus(StrEnum):
    """How the sandboxed run of one exercise ended."""

    ok = "ok"
    timeout = "timeout"
    oom = "oom"
    crash = "crash"
    output_limit = "output_limit"
    no_results = "no_results"
    not_started = "not_started"


class CodeFrame(BaseModel):
    """A line of the learner's own code on the way to an error (never a hidden test's)."""

    file: str
    line: int
    function: str
    column: int = 0  # a syntax error's column (1-based), 0 otherwise
    source: str = ""  # the line as the learner's file holds it


class CodeError(BaseModel):
    """What the learner's code raised and where, innermost frame last. `broken`: a module of
    theirs could not be loaded (a syntax error, a failed import, a missing name), so every
    test that needs it fails the same way."""

    raised: str = ""
    frames: list[CodeFrame] = []
    broken: str = ""


class TestResult(BaseModel):
    __test__ = False  # not a pytest test class

    name: str
    task: int
    status: TestStatus
    points: float
    earned: float
    message: str = ""
    hint: str = ""
    error: CodeError | None = None  # the learner's own traceback, when their code raised


class ExerciseResult(BaseModel):
    id: str
    slug: str
    title: str
    status: RunStatus
    score: float
    max_score: float
    tests: list[TestResult] = []
    message: str = ""
    duration: float = 0.0
    suite_hash: str = ""
    # Why a teacher should read this submission before trusting its score (a forgery check or
    # a static scan flagged it); empty when nothing did. Never lowers or raises the score.
    review: list[str] = []
    # A module of the learner's that could not be loaded: shown once, not on every test.
    code_error: CodeError | None = None

    @property
    def needs_review(self) -> bool:
        return bool(self.review)

    @property
    def passed(self) -> bool:
        return self.status is RunStatus.ok and self.max_score > 0 and self.score >= self.max_score


class GradeReport(BaseModel):
    grader_version: str
    sandbox: str
    image_digest: str | None = None
    exercises: list[ExerciseResult]
    duration: float = 0.0

    @property
    def score(self) -> float:
        return sum(e.score for e in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(e.max_score for e in self.exercises)

    @property
    def passed(self) -> bool:
        return bool(self.exercises) and all(e.passed for e in self.exercises)

    def to_json_dict(self) -> dict:
        data = self.model_dump(mode="json")
        data.update(score=self.score, max_score=self.max_score, passed=self.passed)
        for item, exercise in zip(data["exercises"], self.exercises, strict=True):
            item["passed"] = exercise.passed
        return data
