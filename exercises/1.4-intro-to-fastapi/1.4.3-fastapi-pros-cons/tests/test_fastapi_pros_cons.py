"""Hidden tests for 1.4.3 (a quiz: ANSWERS in answers.py, graded exactly)."""

import pytest

STATEMENTS = {
    "s1": "advantage",
    "s2": "false",
    "s3": "disadvantage",
    "s4": "false",
    "s5": "advantage",
    "s6": "disadvantage",
    "s7": "false",
    "s8": "advantage",
}
CHOICES = {"m1": "b", "m2": "c"}
STATEMENT_VALUES = ("advantage", "disadvantage", "false")
CHOICE_VALUES = ("a", "b", "c", "d")

# Shown with a wrong answer: a pointer to the idea, never the answer itself.
NUDGES = {
    "s1": "Where does the OpenAPI document come from, and who has to keep it up to date?",
    "s2": "What does FastAPI do with an endpoint declared with a plain `def`?",
    "s3": "Is it true? What else can run on the event loop while a call inside async def blocks?",
    "s4": "Which separate projects do FastAPI apps use for the ORM, the admin and migrations?",
    "s5": "Is it true, and does being able to swap a dependency in a test help or hurt you?",
    "s6": "Is it true? Who picks, wires and upgrades the ORM, admin and migrations then?",
    "s7": "What does async let a request do while it waits, and does a CPU-bound task ever wait?",
    "s8": "Is it true? What answers an invalid body before your handler runs?",
    "m1": "Faster Python is not on offer; think about how requests *wait*, and what validates.",
    "m2": "Which option keeps the blocking call off the event loop, in a worker thread?",
}


@pytest.fixture(scope="module")
def answers(learner) -> dict:
    value = learner.require("answers", "ANSWERS").ANSWERS
    assert isinstance(value, dict), f"ANSWERS is a {type(value).__name__}, not a dict"
    return value


def check_keys(answers: dict, expected: dict, allowed: tuple[str, ...]) -> None:
    missing = [key for key in expected if key not in answers]
    assert not missing, f"ANSWERS has no {', '.join(missing)}"
    wrong = {key: answers[key] for key in expected if answers[key] not in allowed}
    assert not wrong, (
        f"ANSWERS has values outside {list(allowed)}: {wrong} (exactly these lower-case strings)"
    )


def check_answer(answers: dict, key: str, expected: str, allowed: tuple[str, ...]) -> None:
    assert key in answers, f"ANSWERS has no {key!r}"
    given = answers[key]
    assert given in allowed, f"ANSWERS[{key!r}] is {given!r}, not one of {list(allowed)}"
    assert given == expected, f"ANSWERS[{key!r}] = {given!r} is not right. {NUDGES[key]}"


# --- Task 1: statements ------------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.hint("ANSWERS holds exactly the keys s1..s8, m1 and m2; every key a lower-case str.")
def test_answers_has_only_the_listed_keys(answers):
    unknown = sorted(map(repr, set(answers) - set(STATEMENTS) - set(CHOICES)))
    assert not unknown, f"ANSWERS has keys that are not asked: {', '.join(unknown)}"


@pytest.mark.task(1)
@pytest.mark.hint("Each of s1..s8 is one of 'advantage', 'disadvantage' or 'false'.")
def test_statement_keys_and_values_are_complete(answers):
    check_keys(answers, STATEMENTS, STATEMENT_VALUES)


@pytest.mark.task(1)
@pytest.mark.parametrize("key", ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"])
def test_statement_is_classified_right(answers, key):
    check_answer(answers, key, STATEMENTS[key], STATEMENT_VALUES)


# --- Task 2: multiple choice -------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.hint("m1 and m2 are each one letter: 'a', 'b', 'c' or 'd'.")
def test_choice_keys_and_values_are_complete(answers):
    check_keys(answers, CHOICES, CHOICE_VALUES)


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("key", ["m1", "m2"])
def test_choice_is_right(answers, key):
    check_answer(answers, key, CHOICES[key], CHOICE_VALUES)
