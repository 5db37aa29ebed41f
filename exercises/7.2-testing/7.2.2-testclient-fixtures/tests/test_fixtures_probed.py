"""The learner's conftest.py, used by the grader's probe tests beside the provided app."""

from pathlib import Path

import pytest

from grader.mutation import overrides_left

HERE = Path(__file__).parent
PROBES = {"test_probes.py": (HERE / "probes" / "fixture_probes.py").read_text()}


@pytest.fixture
def run(learner_tests):
    suite = learner_tests(HERE, ["conftest.py"], inspect=overrides_left("main"))
    result = suite.on_subject(probes=PROBES)
    assert not result.collection_errors, f"conftest.py could not be used: {result.problems()}"
    return result


def probe(run, name):
    test_id = f"test_probes.py::{name}"
    assert run.outcome(test_id) == "passed", run.reason(test_id) or f"{name} did not run"


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_client_and_db_session_share_one_database(run):
    probe(run, "test_1_a_row_committed_by_the_endpoint")
    probe(run, "test_4_rows_the_test_commits_are_what_the_app_reads")


@pytest.mark.task(1)
@pytest.mark.hint(
    "Close the session after the test: `with Session(...) as session: yield session`, or "
    "`session.close()` after the `yield` (in a `finally`). A fixture that returns the session "
    "never gets the chance."
)
def test_db_session_is_closed_after_the_test(run):
    probe(run, "test_7_db_session_commits_an_item")
    probe(run, "test_8_the_previous_db_session_was_closed")


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_rows_committed_in_one_test_are_gone_in_the_next(run):
    probe(run, "test_1_a_row_committed_by_the_endpoint")
    probe(run, "test_2_the_next_test_starts_empty")


@pytest.mark.task(2)
def test_each_test_gets_its_own_client_and_session(run):
    probe(run, "test_3_each_test_gets_new_fixtures")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_the_client_runs_the_lifespan(run):
    probe(run, "test_5_the_lifespan_ran")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_get_db_is_overridden_during_the_test_and_removed_after(run):
    probe(run, "test_6_the_override_is_in_place")
    assert run.inspected == [], (
        f"after the tests had run, app.dependency_overrides still held {run.inspected}"
    )
