"""The learner's test_weather.py, run on the provided app and on altered copies of it."""

from pathlib import Path

import pytest

from grader.mutation import overrides_left

HERE = Path(__file__).parent
FILES = ["test_weather.py"]


@pytest.fixture
def suite(learner_tests):
    return learner_tests(HERE, FILES, inspect=overrides_left("app"))


def subject_run(suite):
    run = suite.on_subject()
    assert not run.collection_errors, f"test_weather.py could not be run: {run.problems()}"
    assert run.collected, "test_weather.py holds no test that pytest collects (test_* functions)"
    return run


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Every test must pass on the provided app.py: install the fake through "
    "app.dependency_overrides before the request, and never let a request reach the real "
    "WeatherClient (the network is blocked)."
)
def test_learner_tests_pass_on_the_provided_app(suite):
    run = subject_run(suite)
    assert run.green, f"on the provided app.py, {run.problems()}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Remove the override after each test: in a fixture, put "
    "`app.dependency_overrides.clear()` after the `yield` (in a `finally`), or use "
    "monkeypatch.setitem on the overrides dict, which pytest undoes."
)
def test_overrides_are_removed_after_the_tests(suite):
    run = subject_run(suite)
    # A test that sends a request with the fake installed is what tells the real client from the
    # fake: without one, an empty dependency_overrides proves nothing.
    used = suite.on_mutant("client-not-from-dependency")
    assert any(t in used.failed or t in used.errors for t in run.passed), (
        "none of your tests sends GET /weather/{city} with the fake installed through "
        "app.dependency_overrides (and passes)"
    )
    assert run.inspected is not None, "test_weather.py never imported app"
    assert run.inspected == [], (
        f"after your tests had run, app.dependency_overrides still held {run.inspected}"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "mutant",
    [
        "renamed-temperature",
        "summary-not-description",
        "default-units-imperial",
        "unknown-city-not-404",
        "units-not-passed",
        "client-not-from-dependency",
        "city-not-in-path",
    ],
)
def test_learner_tests_catch_the_broken_behaviour(suite, mutant):
    behaviour = suite.subject.mutant(mutant).behaviour  # fails loudly if the patch is stale
    subject = subject_run(suite)
    assert subject.passed, f"no test of yours passes on the provided app.py: {subject.problems()}"
    run = suite.on_mutant(mutant)
    caught = [t for t in subject.passed if t in run.failed or t in run.errors]
    assert caught, (
        "all your tests that pass on the provided app.py also pass on an app that breaks this "
        f'behaviour: "{behaviour}" Add a test that fails when it is broken.'
    )
