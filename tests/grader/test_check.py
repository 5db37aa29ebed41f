"""`grade check` fails when the forgery checks or the static scan flag honest code: every unit
it runs is a solution, a starter or a known mistake, so a flag there is a false alarm."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.catalog import Catalog
from grader.check import KIT_ONLY, _judge, check, layout_problems, suite_kit_problems
from tests.conftest import FIXTURE_CATALOG
from tests.conftest import adder_result as result


def test_a_flagged_reference_alternative_or_variant_fails_its_row():
    reason = "static scan: calc.py:1 uses gc"
    for variant, score in (("reference", 8), ("alternative/x", 8), ("wrong/y", 1), ("starter", 0)):
        row = _judge("9.1.1", variant, result(score, [reason]))
        assert not row.ok and row.flagged == [reason]
        assert row.problem == f"{variant} is flagged for review: {reason}"
    assert _judge("9.1.1", "reference", result(8)).ok


def test_check_counts_flagged_rows_and_fails(tmp_path, bwrap):
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    alternative = catalog / "solutions/9.1-fixture-topic/9.1.1-adder/alternatives/via-sum/calc.py"
    alternative.write_text("import gc\n\n\n" + alternative.read_text())
    report = check([Catalog(catalog).get("9.1.1")], bwrap)
    assert not report.ok and report.flagged == 1
    [row] = [r for r in report.rows if not r.ok]
    assert row.variant == "alternative/via-sum" and row.score == 8
    assert report.to_dict()["flagged"] == 1


@pytest.mark.parametrize(
    "line, what",
    [
        ("engine = create_engine(url, poolclass=StaticPool)", "StaticPool"),
        ("app.dependency_overrides[get_db] = fake", "dependency_overrides"),
        (
            "monkeypatch.setitem(main.app.dependency_overrides, main.get_x, fake)",
            "dependency_overrides",
        ),
        ('event.listen(engine, "before_cursor_execute", count)', "before_cursor_execute"),
    ],
)
def test_a_suite_building_what_the_kit_provides_is_named(copy_catalog, line, what):
    exercise = Catalog(copy_catalog).get("9.1.1")
    suite = next(exercise.tests_dir.glob("test_*.py"))
    suite.write_text(suite.read_text() + f"\n# {line}\n")
    instead = next(hint for _, name, hint in KIT_ONLY if name == what)
    assert suite_kit_problems(exercise) == [f"tests/{suite.name} uses {what} itself: {instead}"]


def test_a_suite_that_only_reads_the_overrides_is_fine(copy_catalog):
    exercise = Catalog(copy_catalog).get("9.1.1")
    suite = next(exercise.tests_dir.glob("test_*.py"))
    suite.write_text(suite.read_text() + "\nassert app.dependency_overrides == {}\n")
    assert suite_kit_problems(exercise) == []


def test_lint_names_a_mutant_that_no_longer_applies(tmp_path):
    """A learner-written-tests exercise whose subject drifted from a mutant's patch."""
    root = Path(__file__).resolve().parents[2]
    exercise = Catalog(root).get("7.2.1")
    assert not [p for p in layout_problems(exercise) if "mutant" in p]
    copy = tmp_path / "catalog"
    for part in ("exercises/7.2-testing", "solutions/7.2-testing"):
        shutil.copytree(root / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(root / "exercises" / "sections.toml", copy / "exercises" / "sections.toml")
    drifted = Catalog(copy).get("7.2.1")
    subject = drifted.tests_dir / "subject" / "app.py"
    subject.write_text(subject.read_text().replace("404", "410"))
    found = [p for p in layout_problems(drifted) if "mutant" in p]
    assert any("no longer applies" in p for p in found), found
