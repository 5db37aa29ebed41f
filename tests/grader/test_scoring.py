"""Scoring is pure: expected tests + records → points. It must fail closed."""

from __future__ import annotations

import pytest

from grader.expected import read_specs
from grader.models import RunStatus, TestStatus
from grader.results import UnitOutcome
from grader.scoring import merge_records, score

ADDS = "test_adder.py::test_adds"
CASES = "test_adder.py::test_adds_cases"
NEG = "test_adder.py::test_negates"


def rec(test_id, outcome="passed", message=""):
    return {"id": test_id, "outcome": outcome, "message": message}


ALL_PASS = [rec(ADDS), rec(f"{CASES}[0-0]"), rec(f"{CASES}[-1-1]"), rec(f"{CASES}[10-5]"), rec(NEG)]


@pytest.fixture
def grade(adder):
    specs = read_specs(adder.tests_dir)

    def run(records, status=RunStatus.ok, message=""):
        return score(adder.meta, specs, UnitOutcome(status, message, records))

    return run


def test_all_passed_is_full_marks(grade):
    result = grade(ALL_PASS)
    assert (result.score, result.max_score) == (8, 8)
    assert result.passed


def test_no_records_scores_zero_and_every_test_fails(grade):
    result = grade([], RunStatus.crash, "the tests ended early")
    assert result.score == 0 and result.max_score == 8
    assert {t.status for t in result.tests} == {TestStatus.crash}
    assert all("the tests ended early" in t.message for t in result.tests)
    assert not result.passed


def test_missing_cases_count_as_failed(grade):
    result = grade([rec(ADDS), rec(f"{CASES}[0-0]"), rec(NEG)])
    cases = next(t for t in result.tests if t.name == "test_adds_cases")
    assert (cases.earned, cases.points) == (2, 6)
    assert cases.status is TestStatus.failed
    assert "1/3 cases passed" in cases.message
    assert result.score == 4


def test_results_before_a_crash_count(grade):
    result = grade(ALL_PASS[:4], RunStatus.crash, "the tests crashed (SIGSEGV)")
    assert result.score == 7
    neg = next(t for t in result.tests if t.name == "test_negates")
    assert neg.status is TestStatus.crash
    assert not result.passed


def test_worst_outcome_wins_for_one_test(grade):
    records = [*ALL_PASS, rec(NEG, "error", "teardown failed")]
    result = grade(records)
    neg = next(t for t in result.tests if t.name == "test_negates")
    assert neg.status is TestStatus.error and neg.earned == 0
    assert result.score == 7


def test_unexpected_or_duplicate_records_cannot_raise_the_score(grade):
    records = [
        *ALL_PASS[:1],
        *[rec(f"{CASES}[x{i}]") for i in range(50)],
        rec("test_other.py::test_z"),
    ]
    result = grade(records)
    cases = next(t for t in result.tests if t.name == "test_adds_cases")
    assert cases.earned == 6  # capped at 3 cases x 2 points
    assert result.max_score == 8


def test_skipped_tests_earn_nothing(grade):
    result = grade([rec(ADDS, "skipped", "skipped by the code under test")])
    adds = next(t for t in result.tests if t.name == "test_adds")
    assert adds.status is TestStatus.skipped and adds.earned == 0


def test_failed_test_shows_its_hint_then_the_task_hint(grade):
    result = grade(
        [rec(ADDS, "failed", "add(2, 3) is not 5"), rec(NEG, "failed", "assert 4 == -4")]
    )
    by_name = {t.name: t for t in result.tests}
    assert by_name["test_adds"].hint == "add(2, 3) is 5."
    assert by_name["test_negates"].hint == "Return -x."
    assert by_name["test_adds"].message == "add(2, 3) is not 5"


def test_passed_tests_carry_no_hint(grade):
    assert all(t.hint == "" for t in grade(ALL_PASS).tests)


def test_merge_ignores_malformed_records():
    merged = merge_records(
        [{"id": 3}, {"outcome": "passed"}, {"id": "a", "outcome": "won"}, rec("b")]
    )
    assert merged == {"b": {"outcome": "passed", "message": ""}}


def test_review_reasons_are_carried_and_never_change_the_score(adder):
    specs = read_specs(adder.tests_dir)
    reasons = ["static scan: calc.py:1 uses gc", "runtime: the grader's reporter was altered"]
    flagged = score(adder.meta, specs, UnitOutcome(RunStatus.ok, "", ALL_PASS, review=reasons))
    plain = score(adder.meta, specs, UnitOutcome(RunStatus.ok, "", ALL_PASS))
    assert flagged.review == reasons and flagged.needs_review
    assert (flagged.score, flagged.passed) == (plain.score, plain.passed) == (8, True)
    assert plain.review == [] and not plain.needs_review


def test_a_failure_put_back_from_pytests_tally_wins_over_a_forged_pass(grade):
    records = [*ALL_PASS, rec(NEG, "failed", "pytest itself recorded this test as failed")]
    neg = next(t for t in grade(records).tests if t.name == "test_negates")
    assert neg.status is TestStatus.failed and neg.earned == 0
