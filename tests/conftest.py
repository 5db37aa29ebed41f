from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from grader.catalog import Catalog
from grader.errors import SandboxUnavailable

# A grading leaves no sandbox warm behind it (tests of the warm sandbox ask for one).
os.environ["GRADE_KEEP_WARM"] = "0"
FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_CATALOG = FIXTURES / "catalog"
ATTACKS = FIXTURES / "attacks"


def adder_result(
    score: float, review: list[str] | None = None, message: str = "", with_test: bool = True
):
    """A graded result of the fixture exercise (8 points, one test), as the engine makes it."""
    from grader.models import ExerciseResult, RunStatus, TestResult, TestStatus

    test = TestResult(
        name="test_adds",
        task=1,
        status=TestStatus.passed if score else TestStatus.failed,
        points=8,
        earned=score,
        message=message,
    )
    return ExerciseResult(
        id="9.1.1",
        slug="adder",
        title="Add",
        status=RunStatus.ok,
        score=score,
        max_score=8,
        tests=[test] if with_test else [],
        suite_hash="abc" if with_test else "",
        review=review or [],
    )


def adder_wrong_variant(target: Path) -> Path:
    """The fixture exercise's off-by-one variant, applied to a copy of its reference."""
    from grader.variants import load, materialise

    reference = FIXTURE_CATALOG / "solutions/9.1-fixture-topic/9.1.1-adder"
    materialise(load(reference / "wrong" / "off-by-one.patch"), reference, target)
    return target


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(FIXTURE_CATALOG)


@pytest.fixture
def adder(catalog):
    return catalog.get("9.1.1")


@pytest.fixture
def copy_catalog(tmp_path) -> Path:
    """A writable copy of the fixture catalog, for tests that break it."""
    target = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, target)
    return target


@pytest.fixture(scope="session")
def bwrap():
    from grader.sandbox.bwrap import BwrapSandbox

    try:
        return BwrapSandbox()
    except SandboxUnavailable as exc:
        pytest.skip(f"bubblewrap unavailable: {exc}")
