"""The learner's test_weather.py, run on the provided app and on altered copies of it."""

import textwrap
from pathlib import Path

import pytest

from grader.mutation import overrides_left

HERE = Path(__file__).parent
FILES = ["test_weather.py"]
# What each altered app does, in a few words, and the number of the behaviour (Task 2) it
# breaks: the feedback's first line (all that some views show) names both, the next lines quote
# the behaviour's sentence whole.
MISTAKES = {
    "renamed-temperature": (1, "the body names the temperature field `temp`"),
    "city-field-renamed": (1, "the body names the city field `name`"),
    "summary-not-description": (1, "`summary` repeats the city, not the client's description"),
    "unknown-city-not-404": (2, "a city the client returns None for answers 502"),
    "default-units-imperial": (3, "`units` defaults to imperial when it is left out"),
    "units-not-passed": (3, "the client is always asked for metric units"),
    "client-not-from-dependency": (4, "the handler builds its own WeatherClient"),
    "city-not-in-path": (5, "the city is read from the query string (`GET /weather?city=...`)"),
}


@pytest.fixture
def suite(learner_tests):
    return learner_tests(HERE, FILES, inspect=overrides_left("app"))


def not_caught(mutant: str, behaviour: str) -> str:
    """The feedback for a mutant no test caught: a first line under 200 characters that says
    what went unnoticed, then the behaviour's sentence, whole, on lines of their own."""
    number, mistake = MISTAKES[mutant]
    lines = [
        f"Not caught (behaviour {number} of Task 2): an app where {mistake} passes all your "
        "tests. Add a test that fails on it."
    ]
    lines += textwrap.wrap(f'Behaviour {number}: "{behaviour}"', 180, break_long_words=False)
    return "\n".join(lines)


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
    # "whether the test passed or failed": on the altered apps some of the tests fail (the run
    # stops at the first failure); the override must be gone after those runs too.
    for mutant in MISTAKES:
        failed = suite.on_mutant(mutant)
        left, culprits = failed.inspected, [*failed.failed, *failed.errors]
        failing = culprits[0].rpartition("::")[2] if culprits else ""
        assert not (left and culprits), (
            f"the override is removed only when a test passes: app.dependency_overrides still "
            f"held {left} after {failing} failed (on an altered app)"
        )


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "mutant",
    [
        "renamed-temperature",
        "city-field-renamed",
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
    assert caught, not_caught(mutant, behaviour)
