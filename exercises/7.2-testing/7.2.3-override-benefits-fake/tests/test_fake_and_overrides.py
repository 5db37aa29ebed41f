"""fakes.py and conftest.py through the grader's probe tests; test_signup.py by mutation."""

import textwrap
from pathlib import Path

import pytest

from grader.mutation import overrides_left

HERE = Path(__file__).parent
PROBES = {"test_probes.py": (HERE / "probes" / "fake_probes.py").read_text()}
# What each altered main.py does, in a few words, and the number of the behaviour (Task 3) it
# breaks: the feedback's first line (all that some views show) names both, the next lines quote
# the behaviour's sentence whole.
MISTAKES = {
    "wrong-subject": (1, "the subject carries the user's name"),
    "wrong-recipient": (1, "the email goes to the shop's own address"),
    "welcome-email-sent-twice": (1, "the welcome email is sent twice"),
    "email-failure-not-503": (2, "a failed email answers 500"),
    "user-created-before-email": (3, "the user is stored before the email is sent"),
    "duplicate-sends-email": (4, "a duplicate sign-up sends the email before it answers 409"),
}


@pytest.fixture
def probed(learner_tests):
    suite = learner_tests(HERE, ["fakes.py", "conftest.py"], inspect=overrides_left("main"))
    run = suite.on_subject(probes=PROBES)
    assert not run.collection_errors, f"fakes.py or conftest.py could not be used: {run.problems()}"
    return run


@pytest.fixture
def suite(learner_tests):
    return learner_tests(HERE, ["fakes.py", "conftest.py", "test_signup.py"])


def not_caught(mutant: str, behaviour: str) -> str:
    """The feedback for a mutant no test caught: a first line under 200 characters that says
    what went unnoticed, then the behaviour's sentence, whole, on lines of their own."""
    number, mistake = MISTAKES[mutant]
    lines = [
        f"Not caught (behaviour {number} of Task 3): a main.py where {mistake} passes all your "
        "tests. Add a test that fails on it."
    ]
    lines += textwrap.wrap(f'Behaviour {number}: "{behaviour}"', 180, break_long_words=False)
    return "\n".join(lines)


def probe(run, name):
    test_id = f"test_probes.py::{name}"
    assert run.outcome(test_id) == "passed", run.reason(test_id) or f"{name} did not run"


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_fake_records_each_email(probed):
    probe(probed, "test_1_a_fake_records_what_it_sends")


@pytest.mark.task(1)
@pytest.mark.hint(
    "Create the list in `__init__` (`self.sent = []`): a list written in the class body is "
    "one list shared by every FakeEmailSender, so a new fake starts with the emails of the "
    "others."
)
def test_a_new_fake_starts_with_an_empty_list(probed):
    probe(probed, "test_2_a_new_fake_starts_empty")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_failing_fake_raises_email_delivery_error(probed):
    probe(probed, "test_3_a_failing_fake_raises_and_records_nothing")


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_fixture_gives_the_client_and_the_fake_it_installed(probed):
    probe(probed, "test_4_a_sign_up_reaches_the_fake")


@pytest.mark.task(2)
def test_fixture_fake_can_make_the_request_fail(probed):
    probe(probed, "test_5_the_fake_can_fail_the_request")


@pytest.mark.task(2)
def test_fixture_gives_each_test_a_new_fake(probed):
    probe(probed, "test_6_each_test_gets_a_new_fake")


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_fixture_removes_the_override(probed):
    # Only a fixture that installed the fake can be said to have removed it.
    probe(probed, "test_4_a_sign_up_reaches_the_fake")
    probe(probed, "test_7_the_override_is_gone_after_the_test")
    assert probed.inspected == [], (
        f"after the tests had run, app.dependency_overrides still held {probed.inspected}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_learner_tests_pass_on_the_provided_app(suite):
    run = suite.on_subject()
    assert not run.collection_errors, f"your tests could not be run: {run.problems()}"
    assert run.green, f"on the provided main.py, {run.problems() or 'no test was collected'}"


@pytest.mark.task(3)
@pytest.mark.parametrize(
    "mutant",
    [
        "wrong-subject",
        "wrong-recipient",
        "welcome-email-sent-twice",
        "email-failure-not-503",
        "user-created-before-email",
        "duplicate-sends-email",
    ],
)
def test_learner_tests_catch_the_broken_behaviour(suite, mutant):
    behaviour = suite.subject.mutant(mutant).behaviour  # fails loudly if the patch is stale
    subject = suite.on_subject()
    assert subject.passed and not subject.collection_errors, (
        f"no test of yours passes on the provided main.py: {subject.problems()}"
    )
    run = suite.on_mutant(mutant)
    caught = [t for t in subject.passed if t in run.failed or t in run.errors]
    assert caught, not_caught(mutant, behaviour)
