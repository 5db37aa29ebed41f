"""Hidden tests for 6.2.1: database exceptions translated by app-level handlers (409, 404, 503
with Retry-After, 500), answers that never show the SQL, and a get_db that rolls back a failed
request and always closes its session.

`main.SessionLocal` is replaced by a real sessionmaker on a private in-memory database that
remembers every session it gives out. Routes added by the tests raise real SQLAlchemy errors,
so only handlers registered on the app (not try/except in the starter's endpoints) answer them.
"""

import sqlite3

import pytest
from fastapi import Depends, HTTPException
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from grader import testing

CONFLICT = {"error": "conflict"}
NOT_FOUND = {"error": "not_found"}
UNAVAILABLE = {"error": "unavailable"}
DATABASE_ERROR = {"error": "database_error"}

# What str(exc) of the errors raised here holds: none of it may reach an answer.
LEAK_MARKERS = (
    "SELECT",
    "INSERT",
    "UPDATE",
    "[SQL",
    "parameters",
    "sqlite",
    "UNIQUE constraint",
    "database is locked",
    "Incorrect number of bindings",
    "bind parameter",
    "Multiple rows",
    "No row was found",
    "sqlalche.me",
)


class RecordingSessions(sessionmaker):
    """A real sessionmaker that remembers every session it makes (they stay referenced, so a
    session left open stays open until the test looks at it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.made = []

    def __call__(self, **local_kw):
        session = super().__call__(**local_kw)
        self.made.append(session)
        return session

    def open_ones(self):
        """Sessions not closed: still in a transaction, or still holding loaded objects
        (close() empties the identity map; a rollback alone keeps what was loaded before)."""
        return [s for s in self.made if s.in_transaction() or len(s.identity_map) > 0]


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "Base", "User", "SessionLocal", "get_db")


@pytest.fixture(scope="module")
def module_engine(learner):
    """One in-memory test database for the module (one connection for all threads): a new
    engine and create_all per test would also compile every statement again."""
    main = learner.require("main", "app", "Base", "User", "SessionLocal", "get_db")
    engine = testing.memory_engine(main.Base.metadata)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(main, module_engine):
    """The module's database, emptied for this test (ids from 1 again), with whatever a
    previous test's request left uncommitted on its connection rolled back first."""
    raw = module_engine.raw_connection()
    raw.rollback()
    raw.close()
    testing.empty_database(module_engine, main.Base.metadata)
    return module_engine


@pytest.fixture
def sessions(main, engine, monkeypatch):
    factory = RecordingSessions(bind=engine, autoflush=False, expire_on_commit=False)
    monkeypatch.setattr(main, "SessionLocal", factory)
    yield factory
    # After the test's checks: a session the app left open must not carry its transaction
    # into the next test on the shared connection.
    for session in factory.made:
        session.close()


def failing_routes(main, kept):
    """Routes the learner never saw: each loads or flushes rows, then raises a real SQLAlchemy
    error. `kept` holds the loaded objects, so that the session's (weak) identity map keeps
    them until the session is closed."""
    User = main.User

    def user(email):
        return User(email=email, name="Test Route")

    def duplicate(db: Session = Depends(main.get_db)):
        db.add(user("dup@example.com"))
        db.flush()
        db.add(user("dup@example.com"))
        db.flush()

    def get_one(db: Session = Depends(main.get_db)):
        kept.extend(db.scalars(select(User)).all())  # loads whatever is stored
        db.add(user("before-get-one@example.com"))
        db.flush()
        return db.get_one(User, 424242)

    def locked(db: Session = Depends(main.get_db)):
        db.add(user("locked@example.com"))
        db.flush()
        raise OperationalError(
            "UPDATE users SET name = ? WHERE email = ?",
            ("Locked", "locked@example.com"),
            sqlite3.OperationalError("database is locked"),
        )

    def bad_sql(db: Session = Depends(main.get_db)):
        db.add(user("bad-sql@example.com"))
        db.flush()
        db.connection().exec_driver_sql("SELECT email FROM users WHERE id = ?", ())

    def missing_bind(db: Session = Depends(main.get_db)):
        db.add(user("missing-bind@example.com"))
        db.flush()
        db.execute(text("SELECT id FROM users WHERE email = :email"), {})

    def two_rows(db: Session = Depends(main.get_db)):
        db.add_all([user("two-a@example.com"), user("two-b@example.com")])
        db.flush()
        return db.execute(select(User)).scalar_one().email

    def flush_then_http_error(db: Session = Depends(main.get_db)):
        db.add(user("http-error@example.com"))
        db.flush()
        raise HTTPException(status_code=400, detail="refused after a flush")

    def flush_then_value_error(db: Session = Depends(main.get_db)):
        db.add(user("value-error@example.com"))
        db.flush()
        raise ValueError("failed after a flush")

    return {
        "/_tests/flush-then-http-error": flush_then_http_error,
        "/_tests/flush-then-value-error": flush_then_value_error,
        "/_tests/duplicate": duplicate,
        "/_tests/get-one": get_one,
        "/_tests/locked": locked,
        "/_tests/bad-sql": bad_sql,
        "/_tests/missing-bind": missing_bind,
        "/_tests/two-rows": two_rows,
    }


# What each added route raises, and the answer it must get.
EXPECTED = {
    "/_tests/duplicate": ("IntegrityError", 409, CONFLICT),
    "/_tests/get-one": ("NoResultFound", 404, NOT_FOUND),
    "/_tests/locked": ("OperationalError", 503, UNAVAILABLE),
    "/_tests/bad-sql": ("ProgrammingError", 500, DATABASE_ERROR),
    "/_tests/missing-bind": ("StatementError", 500, DATABASE_ERROR),
    "/_tests/two-rows": ("MultipleResultsFound", 500, DATABASE_ERROR),
}

# Routes that flush a row and then fail with an error that is not a database error.
NOT_DATABASE = {
    "/_tests/flush-then-http-error": "HTTPException(400)",
    "/_tests/flush-then-value-error": "ValueError",
}


@pytest.fixture(scope="module")
def module_client(learner):
    """The app with the tests' routes added, and a client of it for the module, its requests
    on one event loop; the routes are taken off the app at the end of the module."""
    main = learner.require("main", "app", "Base", "User", "SessionLocal", "get_db")
    app = main.app
    before = list(app.router.routes)
    kept = []
    for path, endpoint in failing_routes(main, kept).items():
        app.add_api_route(path, endpoint, methods=["POST"])
    try:
        with testing.looped_client(app) as client:
            yield client, kept
    finally:
        app.router.routes[:] = before


@pytest.fixture
def client(sessions, module_client):
    client, kept = module_client
    kept.clear()
    yield client
    kept.clear()


def stored_emails(main, engine):
    with Session(engine) as session:
        return sorted(session.scalars(select(main.User.email)).all())


def create_user(client, email, name="Ada"):
    return client.post("/users", json={"email": email, "name": name})


def created(client, email, name="Ada"):
    response = create_user(client, email, name)
    assert response.status_code == 201, (
        f"POST /users with a new email answered {response.status_code}: {response.text[:200]}"
    )
    return response.json()


def body_of(response):
    try:
        return response.json()
    except ValueError:
        return response.text[:200]


def check_answer(response, what, status, body):
    assert response.status_code == status, (
        f"{what} answered {response.status_code}, not {status}: {response.text[:300]}"
    )
    assert body_of(response) == body, (
        f"{what} answered the body {body_of(response)!r}, not {body!r}"
    )


# --- Task 1: conflicts and missing rows ---------------------------------------------------


@pytest.mark.task(1)
def test_a_user_is_created_and_read(client):
    user = created(client, "ada@example.com", "Ada")
    response = client.get(f"/users/{user['id']}")
    assert response.status_code == 200, (
        f"GET /users/{user['id']} answered {response.status_code}: {response.text[:200]}"
    )
    assert response.json() == user, f"GET /users/{user['id']} answered {response.json()!r}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The commit raises sqlalchemy.exc.IntegrityError. Register "
    "`@app.exception_handler(IntegrityError)` returning "
    '`JSONResponse(status_code=409, content={"error": "conflict"})`: a handler must return a '
    "Response, not a dict, and must not raise."
)
def test_a_duplicate_email_is_409_conflict(client):
    created(client, "ada@example.com")
    response = create_user(client, "ada@example.com", "Another Ada")
    check_answer(response, "POST /users with an email already stored", 409, CONFLICT)


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`.scalar_one()` raises sqlalchemy.exc.NoResultFound when no row matches. Register a "
    'handler for exactly NoResultFound answering 404 {"error": "not_found"}.'
)
def test_a_missing_user_is_404_not_found(client):
    response = client.get("/users/999")
    check_answer(response, "GET /users/999 (no such user)", 404, NOT_FOUND)


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("path", ["/_tests/duplicate", "/_tests/get-one"])
@pytest.mark.hint(
    "The translation must hold for routes you have never seen: register the handlers on the "
    "app (`@app.exception_handler(...)` or `app.add_exception_handler`), not as try/except "
    "inside the starter's endpoints."
)
def test_every_route_gets_the_translation(client, path):
    raised, status, body = EXPECTED[path]
    check_answer(client.post(path), f"a route raising {raised} (POST {path})", status, body)


# --- Task 2: outages and every other database error ---------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Register a handler for sqlalchemy.exc.OperationalError returning 503 with "
    '`headers={"Retry-After": "5"}` on the JSONResponse.'
)
def test_an_operational_error_is_503_with_retry_after(client):
    response = client.post("/_tests/locked")
    check_answer(response, "a route raising OperationalError", 503, UNAVAILABLE)
    assert response.headers.get("retry-after") == "5", (
        f"the 503 answer has Retry-After {response.headers.get('retry-after')!r}, not '5'"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("path", ["/_tests/bad-sql", "/_tests/missing-bind", "/_tests/two-rows"])
@pytest.mark.hint(
    "Register a handler for sqlalchemy.exc.SQLAlchemyError itself: Starlette picks the most "
    "specific class of the exception's MRO, so it only answers what the other handlers don't. "
    "MultipleResultsFound is a sibling of NoResultFound (both InvalidRequestError): a handler "
    "for InvalidRequestError would answer it with 404."
)
def test_other_database_errors_are_500_database_error(client, path):
    raised, status, body = EXPECTED[path]
    check_answer(client.post(path), f"a route raising {raised} (POST {path})", status, body)


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "str(exc) of a driver error holds the SQL statement, its parameters and the driver's "
    "message. Answer with the fixed body only, never str(exc), exc.orig or exc.statement."
)
def test_no_answer_shows_the_sql_or_the_driver_message(client):
    created(client, "ada@example.com")
    answers = {"POST /users (duplicate)": create_user(client, "ada@example.com")}
    answers["GET /users/999"] = client.get("/users/999")
    for path, (raised, _, _) in EXPECTED.items():
        answers[f"POST {path} ({raised})"] = client.post(path)
    leaks = []
    for what, response in answers.items():
        shown = response.text + " " + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        found = [marker for marker in LEAK_MARKERS if marker.lower() in shown.lower()]
        if found:
            leaks.append(f"{what} shows {found}: {response.text[:150]}")
    assert not leaks, "answers show what went wrong inside the database: " + "; ".join(leaks)


# --- Task 3: the session of a failed request ----------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.parametrize(
    "path",
    [
        "/_tests/locked",
        "/_tests/bad-sql",
        "/_tests/missing-bind",
        "/_tests/flush-then-http-error",
        "/_tests/flush-then-value-error",
    ],
)
@pytest.mark.hint(
    "A failed request's flushed rows must be rolled back, never committed, whatever it raised "
    "(an HTTPException or a ValueError as well as a database error): in get_db, "
    "`try: yield session` / `except Exception: session.rollback(); raise` / "
    "`finally: session.close()`. A commit in `finally` commits the half-done work of a failed "
    "request; a session left open lets the next request's commit take it along."
)
def test_a_failed_request_commits_nothing(main, engine, client, path):
    raised = EXPECTED[path][0] if path in EXPECTED else NOT_DATABASE[path]
    failed = client.post(path)
    assert failed.status_code >= 400, (
        f"POST {path} (raising {raised}) answered {failed.status_code}"
    )
    created(client, "next@example.com", "Next")
    emails = stored_emails(main, engine)
    assert emails == ["next@example.com"], (
        f"after POST {path} flushed a row and raised {raised}, then POST /users created "
        f"next@example.com, the table holds {emails}: the failed request's row was committed"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Close the session in a `finally:` (or `with SessionLocal() as session: yield session`): "
    "a line after a bare `yield` is skipped when the endpoint raises, because FastAPI throws "
    "the exception into the generator at the yield, and `except SQLAlchemyError:` lets an "
    "HTTPException or a ValueError pass by. A rollback alone is not a close: the "
    "session still holds the objects it loaded."
)
def test_every_session_is_closed_after_its_request(client, sessions):
    created(client, "ada@example.com")
    requests = [("GET", "/users/1"), ("GET", "/users/999"), ("POST", "/users")]
    requests += [("POST", path) for path in EXPECTED]
    requests += [("POST", path) for path in NOT_DATABASE]
    still_open = []
    for method, path in requests:
        sessions.made.clear()
        if path == "/users":
            response = create_user(client, "ada@example.com")
        else:
            response = client.request(method, path)
        if not sessions.made:
            pytest.fail(f"{method} {path} never called SessionLocal(): get_db must call it")
        if sessions.open_ones():
            still_open.append(f"{method} {path} ({response.status_code})")
    assert not still_open, (
        "after these requests, a session from SessionLocal() was not closed (still in a "
        "transaction, or still holding loaded objects): " + ", ".join(still_open)
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "get_db must re-raise the exception it catches (`raise` after the rollback): swallowing it "
    "leaves FastAPI with no answer and no handler to translate it."
)
def test_the_next_request_works_after_each_failure(client):
    user = created(client, "ada@example.com")
    broken = []
    for n, path in enumerate(["/_tests/duplicate", "/_tests/locked", "/_tests/two-rows"]):
        client.post(path)
        after = create_user(client, f"after-{n}@example.com")
        read = client.get(f"/users/{user['id']}")
        if after.status_code != 201 or read.status_code != 200:
            broken.append(
                f"after POST {path}: POST /users answered {after.status_code}, "
                f"GET /users/{user['id']} answered {read.status_code}"
            )
    assert not broken, "the app did not recover from a failed request: " + "; ".join(broken)
