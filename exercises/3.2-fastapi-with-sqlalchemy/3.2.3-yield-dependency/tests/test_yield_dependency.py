import inspect

import pytest
from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "get_db", "SessionLocal", "Base", "Note")


@pytest.fixture
def engine(main, db_engine):
    """A private in-memory database; the learner's SessionLocal is bound to it (the seam)."""
    engine = db_engine(main.Base.metadata)
    main.SessionLocal.configure(bind=engine)
    return engine


@pytest.fixture
def client(main, engine, app_client):
    return app_client(main.app)


@pytest.fixture
def closed(monkeypatch):
    """Every Session that gets closed, in order (a spy on SQLAlchemy's Session.close)."""
    sessions: list[Session] = []
    original = Session.close

    def spy(self, *args, **kwargs):
        sessions.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Session, "close", spy)
    return sessions


def stored_texts(main, engine):
    """The texts of all committed notes, read through a fresh session of the tests' own.

    The in-memory database has a single connection, shared by every session: a
    transaction that the learner's session left open would be visible here, so that is checked
    first.
    """
    raw = engine.raw_connection()
    try:
        left_open = raw.driver_connection.in_transaction
    finally:
        raw.close()  # returning it to the pool rolls back whatever was left open
    assert not left_open, (
        "the database connection still has an open transaction after get_db finished: its "
        "session was neither committed, nor rolled back, nor closed"
    )
    with Session(engine) as session:
        return list(session.scalars(select(main.Note.text).order_by(main.Note.id)))


def post(client, path, text):
    return client.post(path, json={"text": text})


def keep_one(client, text="keep me"):
    """A successful request first: a get_db that never commits can't pass the error tests."""
    response = post(client, "/notes", text)
    assert response.status_code == 201, (
        f"POST /notes answered {response.status_code}: {response.text[:200]}"
    )


def distinct(sessions):
    unique = []
    for session in sessions:
        if all(session is not seen for seen in unique):
            unique.append(session)
    return unique


def start(main):
    """Call get_db() like FastAPI does and take the session it yields."""
    generator = main.get_db()
    assert inspect.isgenerator(generator), (
        f"get_db() returned {type(generator).__name__}, not a generator: define it with `def` "
        "and `yield`"
    )
    return generator, next(generator)


def throw_into(generator, exception, error):
    """Raise `exception` at get_db's yield, as FastAPI does when the handler raised; return what
    comes back out."""
    try:
        generator.throw(exception)
    except StopIteration:
        raise AssertionError(
            f"get_db swallowed the {error} thrown into it: it must re-raise it"
        ) from None
    except BaseException as raised:  # what FastAPI would see
        return raised
    raise AssertionError(f"get_db yielded again after the {error} was thrown into it")


def finish(generator):
    """Resume get_db after a handler that returned normally, as FastAPI does."""
    with pytest.raises(StopIteration):
        next(generator)
        pytest.fail("get_db yielded a second time: it must yield exactly once")


# --- Task 1: commit on success ------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "The handlers never commit: get_db must. Put `session.commit()` right after the `yield`, "
    "so it runs once the handler has returned without an exception."
)
def test_post_notes_is_persisted(main, engine, client):
    answers = [post(client, "/notes", text) for text in ("milk", "eggs")]
    statuses = [answer.status_code for answer in answers]
    assert statuses == [201, 201], f"two POST /notes answered {statuses}"
    assert stored_texts(main, engine) == ["milk", "eggs"], (
        f"after two POST /notes a fresh session sees {stored_texts(main, engine)}: the session "
        "was not committed"
    )
    ids = [answer.json().get("id") for answer in answers]
    assert ids[0] != ids[1], f"the two notes got the ids {ids}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "get_db is a generator function: `yield` a session from SessionLocal(), then commit. "
    "Returning a session (no yield) leaves nothing to run after the handler."
)
def test_get_db_commits_when_the_handler_returns(main, engine):
    generator, session = start(main)
    assert isinstance(session, Session), f"get_db yielded {type(session).__name__}"
    session.add(main.Note(text="direct"))
    finish(generator)
    assert stored_texts(main, engine) == ["direct"], (
        f"after get_db finished normally a fresh session sees {stored_texts(main, engine)}"
    )


# --- Task 2: roll back and re-raise -------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "FastAPI raises the handler's exception, HTTPException included, at the `yield` in get_db. "
    "Catch it with `except Exception:`, call `session.rollback()`, then `raise` it again so "
    "FastAPI can still answer 400. Committing in a `finally:` block saves the failed request's "
    "note too."
)
def test_fail_is_400_and_persists_nothing(main, engine, client):
    keep_one(client)
    response = post(client, "/notes/fail", "must vanish")
    assert response.status_code == 400, (
        f"POST /notes/fail answered {response.status_code}, not 400: {response.text[:200]}"
    )
    assert stored_texts(main, engine) == ["keep me"], (
        f"after POST /notes/fail the stored notes are {stored_texts(main, engine)}"
    )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "An unexpected exception must roll back the note too, and still reach FastAPI (re-raise "
    "it), which answers 500."
)
def test_crash_is_500_and_persists_nothing(main, engine, client):
    keep_one(client)
    response = post(client, "/notes/crash", "must vanish")
    assert response.status_code == 500, (
        f"POST /notes/crash answered {response.status_code}, not 500"
    )
    assert stored_texts(main, engine) == ["keep me"], (
        f"after POST /notes/crash the stored notes are {stored_texts(main, engine)}"
    )


@pytest.mark.task(2)
@pytest.mark.hint("After a failed request the next one must work normally.")
def test_requests_after_errors_still_work(main, engine, client):
    keep_one(client)
    statuses = [post(client, path, "gone").status_code for path in ("/notes/fail", "/notes/crash")]
    after = post(client, "/notes", "after")
    assert after.status_code == 201, (
        f"POST /notes after answers {statuses} answered {after.status_code}"
    )
    assert stored_texts(main, engine) == ["keep me", "after"], (
        f"after ok, fail, crash, ok the stored notes are {stored_texts(main, engine)}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("error", ["HTTPException", "RuntimeError"])
@pytest.mark.hint(
    "When an exception is thrown in at the `yield`: roll back, then re-raise the very same "
    "exception (a bare `raise`); don't swallow it or replace it."
)
def test_get_db_rolls_back_and_reraises(main, engine, error):
    exception = HTTPException(status_code=400) if error == "HTTPException" else RuntimeError()
    generator, session = start(main)
    session.add(main.Note(text="must vanish"))
    session.flush()
    raised = throw_into(generator, exception, error)
    assert raised is exception, (
        f"get_db raised {raised!r} instead of re-raising the {error} thrown into it"
    )
    assert stored_texts(main, engine) == [], (
        f"after a {error} in the handler a fresh session sees {stored_texts(main, engine)}"
    )


# --- Task 3: always close -----------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Close the session in every case: `with SessionLocal() as session:` around the try block, "
    "or `finally: session.close()`. Each request must get a new session."
)
def test_every_request_closes_its_own_session(main, engine, client, closed):
    expected = {"/notes": 201, "/notes/fail": 400, "/notes/crash": 500}
    used: list[Session] = []
    for path, status in expected.items():
        del closed[:]
        response = post(client, path, "note")
        assert response.status_code == status, (
            f"POST {path} answered {response.status_code}, not {status}"
        )
        sessions = distinct(closed)
        assert len(sessions) == 1, (
            f"POST {path} closed {len(sessions)} sessions, expected exactly its own one"
        )
        assert all(sessions[0] is not old for old in used), (
            f"POST {path} was given a session that an earlier request already used"
        )
        used.append(sessions[0])


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The session is closed once get_db resumes, whether the handler returned or raised, and "
    "not before: the handler still needs it."
)
def test_get_db_closes_its_session_in_every_case(main, engine, closed):
    (ok, first), (failing, second) = start(main), start(main)
    assert first is not second, "two calls of get_db yielded the same session"
    assert not closed, "get_db closed a session before the handler was done with it"
    finish(ok)
    assert first in closed, "get_db did not close its session after a successful handler"
    raised = throw_into(failing, RuntimeError("handler failed"), "RuntimeError")
    assert isinstance(raised, RuntimeError), f"get_db raised {raised!r}, not the RuntimeError"
    assert second in closed, "get_db did not close its session after the handler raised"
