"""Hidden tests for 4.6.1: the lifespan opens the database, get_db reads it from app.state, and
the engine is disposed when the app stops, whatever happens."""

import asyncio
import contextlib
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from grader.testing import client_for

# The prompt announces it: DeprecationWarnings raised from main.py are errors in every test.
pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning:main")


NAMES = ("app", "Base", "Note", "get_db")


def import_main(learner, fresh=False):
    """main.py, imported under this module's warning filter; a failed import fails the test with
    its error on one line."""
    try:
        return learner.require("main", *NAMES, fresh=fresh)
    except Exception as exc:  # the plugin's LearnerCodeError
        text = " ".join(str(exc).split())
        if "DeprecationWarning" in text:
            text += " (a DeprecationWarning raised from main.py is an error in these tests)"
        raise AssertionError(text) from None


@pytest.fixture
def main(learner):
    return import_main(learner)


@pytest.fixture
def disposed():
    """Every engine whose dispose() runs during the test, in order."""
    seen: list = []

    def record(engine):
        seen.append(engine)

    event.listen(Engine, "engine_disposed", record)
    yield seen
    event.remove(Engine, "engine_disposed", record)


def file_url(path: Path) -> str:
    return f"sqlite:///{path}"


def running(app):
    """`with running(app) as client:` runs the app's lifespan around the block."""
    return client_for(app)


def texts_in_file(main, path: Path) -> list[str]:
    engine = create_engine(file_url(path))
    try:
        with Session(engine) as session:
            return list(session.scalars(select(main.Note.text).order_by(main.Note.id)))
    finally:
        engine.dispose()


def database_of(engine) -> str | None:
    return getattr(getattr(engine, "url", None), "database", None)


def disposed_for(disposed, path: Path) -> list:
    return [engine for engine in disposed if database_of(engine) == str(path)]


def state_engine(app):
    return getattr(app.state, "engine", None)


def post_note(client, text):
    response = client.post("/notes", json={"text": text})
    assert 200 <= response.status_code < 300, (
        f"POST /notes with text {text!r} answered {response.status_code}: {response.text[:200]}"
    )
    return response


def startup_error(app) -> Exception | None:
    """The error that starting the app raised, or None when it started."""
    try:
        with running(app):
            pass
    except Exception as exc:  # any error, as long as the app does not start
        return exc
    return None


def cancel_while_running(app) -> bool:
    """Enter the app's lifespan in a task, as the server does, and cancel the task once startup
    is done. Returns whether startup completed."""

    async def scenario() -> bool:
        started = asyncio.Event()

        async def serve():
            async with app.router.lifespan_context(app):
                started.set()
                await asyncio.Event().wait()

        task = asyncio.create_task(serve())
        waiter = asyncio.create_task(started.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return started.is_set()

    return asyncio.run(scenario())


# --- Task 1: the lifespan opens the database ----------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Move everything that opens the database into the lifespan: no `engine = ...` at module "
    "level, no create_all at import. The module only defines things; the lifespan opens them "
    "when the server starts."
)
def test_importing_main_opens_nothing(learner, tmp_path, monkeypatch):
    path = tmp_path / "import.db"
    monkeypatch.setenv("DATABASE_URL", file_url(path))
    main = import_main(learner, fresh=True)
    engines = sorted(name for name, value in vars(main).items() if isinstance(value, Engine))
    assert not engines, f"after importing main.py, {engines} already hold(s) an Engine"
    assert state_engine(main.app) is None, (
        "app.state.engine is set as soon as main.py is imported, before the app started"
    )
    assert not path.exists(), (
        f"importing main.py with DATABASE_URL={file_url(path)} created the database file"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "In the lifespan: `url = os.environ.get('DATABASE_URL', DEFAULT_DATABASE_URL)`, "
    "`engine = make_engine(url)`, `Base.metadata.create_all(engine)`, then "
    "`app.state.engine = engine` and `app.state.sessionmaker = sessionmaker(bind=engine)` "
    "before the yield. Read the variable inside the lifespan, not at module level."
)
def test_startup_creates_the_database_named_by_database_url(main, tmp_path, monkeypatch):
    path = tmp_path / "notes.db"
    monkeypatch.setenv("DATABASE_URL", file_url(path))  # set after main.py was imported
    with running(main.app):
        assert path.exists(), (
            f"after startup with DATABASE_URL={file_url(path)} (set after main.py was "
            "imported), the file does not exist"
        )
        engine = state_engine(main.app)
        assert isinstance(engine, Engine), f"app.state.engine is {engine!r}, not an Engine"
        assert database_of(engine) == str(path), (
            f"app.state.engine points at {engine.url}, not at DATABASE_URL {file_url(path)}"
        )
        factory = getattr(main.app.state, "sessionmaker", None)
        assert callable(factory), f"app.state.sessionmaker is {factory!r}"
        with factory() as session:
            assert isinstance(session, Session), (
                f"app.state.sessionmaker() gave a {type(session).__name__}, not a Session"
            )
            assert session.get_bind() is engine, (
                "the sessions of app.state.sessionmaker are not bound to app.state.engine"
            )
    checker = create_engine(file_url(path))
    try:
        tables = inspect(checker).get_table_names()
    finally:
        checker.dispose()
    assert "notes" in tables, f"startup created the database file with the tables {tables}"


@pytest.mark.task(1)
@pytest.mark.hint(
    "Without DATABASE_URL the app uses DEFAULT_DATABASE_URL, `sqlite://`: an in-memory database, "
    "created with the starter's make_engine so that every request sees its tables."
)
def test_without_database_url_the_database_is_in_memory(main, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with running(main.app) as client:
        engine = state_engine(main.app)
        url = getattr(engine, "url", None)
        assert url is not None and url.get_backend_name() == "sqlite", (
            f"without DATABASE_URL, app.state.engine is {engine!r}"
        )
        assert database_of(engine) in (None, "", ":memory:"), (
            f"without DATABASE_URL the app opened {url}, not the in-memory sqlite://"
        )
        created = client.post("/notes", json={"text": "in memory"})
        listed = client.get("/notes")
    assert created.status_code == 201 and listed.status_code == 200, (
        f"with the in-memory database, POST /notes answered {created.status_code} and GET /notes "
        f"{listed.status_code}: {created.text[:150]} {listed.text[:150]}"
    )
    assert [note.get("text") for note in listed.json()] == ["in memory"], (
        f"GET /notes answered {listed.json()}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Create the engine inside the lifespan, on every startup, from the DATABASE_URL of that "
    "moment. An engine (or a URL) fixed at import serves the first database forever."
)
def test_each_start_opens_the_database_url_of_that_moment(main, tmp_path, monkeypatch):
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    monkeypatch.setenv("DATABASE_URL", file_url(first))
    with running(main.app) as client:
        engine_one = state_engine(main.app)
        post_note(client, "one")
    monkeypatch.setenv("DATABASE_URL", file_url(second))
    with running(main.app) as client:
        engine_two = state_engine(main.app)
        post_note(client, "two")
    assert engine_two is not engine_one, "the second start of the app reused the first engine"
    assert second.exists(), (
        f"the app was started again with DATABASE_URL={file_url(second)}; that file was never "
        "created"
    )
    assert texts_in_file(main, second) == ["two"], (
        f"the note posted during the second run is not in {second.name}: it holds "
        f"{texts_in_file(main, second)}"
    )
    assert texts_in_file(main, first) == ["one"], (
        f"{first.name} holds {texts_in_file(main, first)}, expected only the first run's note"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`@app.on_event(...)` is deprecated and is not called at all when the app has a lifespan; "
    "FastAPI(on_startup=..., on_shutdown=...) is the same old mechanism. Put startup code "
    "before the lifespan's yield and shutdown code after it, and pass FastAPI(lifespan=lifespan)."
)
def test_no_deprecated_startup_or_shutdown_events(learner, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    # Imported and run under this module's filter: a DeprecationWarning from main.py is an error.
    main = import_main(learner, fresh=True)
    with running(main.app) as client:
        client.get("/notes")
    router = main.app.router
    handlers = list(getattr(router, "on_startup", [])) + list(getattr(router, "on_shutdown", []))
    names = [getattr(handler, "__name__", repr(handler)) for handler in handlers]
    assert not names, f"the app has startup/shutdown event handlers {names}: use the lifespan"


# --- Task 2: get_db and the routes ----------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_note_routes_work_while_the_app_runs(main, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with running(main.app) as client:
        first = client.post("/notes", json={"text": "buy milk"})
        assert first.status_code == 201, (
            f"POST /notes answered {first.status_code}, not 201: {first.text[:200]}"
        )
        body = first.json()
        assert isinstance(body, dict) and set(body) == {"id", "text"}, (
            f"POST /notes answered {body!r}, expected exactly the keys id and text"
        )
        assert body["text"] == "buy milk" and isinstance(body["id"], int), (
            f"POST /notes answered {body!r}"
        )
        second = post_note(client, "call mum").json()
        listed = client.get("/notes")
        one = client.get(f"/notes/{second.get('id')}")
    assert listed.status_code == 200, f"GET /notes answered {listed.status_code}"
    assert listed.json() == [body, second], (
        f"GET /notes answered {listed.json()}, expected {[body, second]}"
    )
    assert one.status_code == 200 and one.json() == second, (
        f"GET /notes/{second.get('id')} answered {one.status_code} {one.text[:200]}"
    )


@pytest.fixture
def unordered_selects_reversed():
    """Every SQLite connection opened during the test answers a SELECT without ORDER BY in the
    reverse of its usual order (SQLite's own PRAGMA for catching code that relies on it)."""

    def reverse(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA reverse_unordered_selects = ON")
        cursor.close()

    event.listen(Engine, "connect", reverse)
    yield
    event.remove(Engine, "connect", reverse)


@pytest.mark.task(2)
@pytest.mark.hint(
    "Sort in the query: `select(Note).order_by(Note.id)`. Without ORDER BY a database returns "
    "rows in whatever order is cheapest for it; SQLite's usual order only looks sorted."
)
def test_get_notes_sorts_by_id_itself(main, monkeypatch, unordered_selects_reversed):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with running(main.app) as client:
        for text in ("first", "second", "third"):
            post_note(client, text)
        listed = client.get("/notes")
    assert listed.status_code == 200, f"GET /notes answered {listed.status_code}"
    ids = [note.get("id") for note in listed.json()]
    texts = [note.get("text") for note in listed.json()]
    assert ids == sorted(ids) and texts == ["first", "second", "third"], (
        f"with SQLite told to return the rows of a SELECT without ORDER BY in reverse, GET /notes "
        f"answered the notes {list(zip(ids, texts))}: it relies on the database's order instead "
        "of asking for `id` order"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "request_",
    [
        ("POST", "/notes", {"text": ""}, 422),
        ("POST", "/notes", {"text": "x" * 501}, 422),
        ("POST", "/notes", {}, 422),
        ("GET", "/notes/9999", None, 404),
    ],
    ids=["empty-text", "long-text", "no-text", "unknown-note"],
)
def test_invalid_bodies_and_unknown_notes(main, monkeypatch, request_):
    method, path, body, expected = request_
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with running(main.app) as client:
        response = client.request(method, path, json=body)
    assert response.status_code == expected, (
        f"{method} {path} with {body!r} answered {response.status_code}, not {expected}: "
        f"{response.text[:200]}"
    )


@pytest.mark.task(2)
@pytest.mark.hint("Call `db.commit()` after `db.add(note)`: what is not committed is rolled back.")
def test_posted_notes_are_committed_to_the_database(main, tmp_path, monkeypatch):
    path = tmp_path / "committed.db"
    monkeypatch.setenv("DATABASE_URL", file_url(path))
    with running(main.app) as client:
        post_note(client, "kept")
    assert texts_in_file(main, path) == ["kept"], (
        f"after POST /notes the database file holds {texts_in_file(main, path)}"
    )


def watched_sessionmaker(engine, opened: list):
    """A sessionmaker for `engine` whose sessions are appended to `opened` and remember whether
    they were closed."""

    class WatchedSession(Session):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.was_closed = False
            opened.append(self)

        def close(self):
            self.was_closed = True
            super().close()

    return sessionmaker(bind=engine, class_=WatchedSession, expire_on_commit=False)


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "get_db(request: Request) reads the factory at request time: "
    "`with request.app.state.sessionmaker() as session: yield session`. A module-level "
    "SessionLocal, or a session made once, does not follow app.state, and a session that is "
    "never closed keeps its connection."
)
def test_get_db_takes_one_new_session_per_request_from_app_state(main, db_engine, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    engine = db_engine(main.Base.metadata)
    opened: list = []
    with running(main.app) as client:
        main.app.state.sessionmaker = watched_sessionmaker(engine, opened)
        created = client.post("/notes", json={"text": "through app.state"})
        listed = client.get("/notes")
    assert created.status_code == 201 and listed.status_code == 200, (
        f"with app.state.sessionmaker replaced, POST /notes answered {created.status_code} and "
        f"GET /notes {listed.status_code}"
    )
    with Session(engine) as session:
        stored = list(session.scalars(select(main.Note.text)))
    assert stored == ["through app.state"], (
        "app.state.sessionmaker was replaced during the run, but POST /notes did not store its "
        f"note through it (that database holds {stored}): get_db must call "
        "request.app.state.sessionmaker() on each request"
    )
    assert len(opened) == 2, (
        f"two requests opened {len(opened)} session(s) from app.state.sessionmaker, expected one "
        "new session per request"
    )
    assert all(session.was_closed for session in opened), (
        f"{sum(not s.was_closed for s in opened)} of the {len(opened)} sessions were never closed "
        "after their request"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Close the session whatever the route does: `with request.app.state.sessionmaker() as "
    "session: yield session`, or `try: yield session` / `finally: session.close()`. When the "
    "route raises HTTPException(404), the exception is raised at get_db's `yield`, and a "
    "`session.close()` written after a bare `yield` never runs."
)
def test_get_db_closes_the_session_of_a_request_that_answers_404(main, db_engine, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    engine = db_engine(main.Base.metadata)
    opened: list = []
    with running(main.app) as client:
        main.app.state.sessionmaker = watched_sessionmaker(engine, opened)
        missing = client.get("/notes/9999")
    assert missing.status_code == 404, (
        f"GET /notes/9999 answered {missing.status_code}, not 404: {missing.text[:200]}"
    )
    assert len(opened) == 1, (
        f"one request opened {len(opened)} session(s) from app.state.sessionmaker, expected one"
    )
    assert opened[0].was_closed, (
        "GET /notes/9999 answered 404, and the session get_db gave it was never closed: the "
        "session must be closed when the request is done, however the route ends"
    )


# --- Task 3: dispose at shutdown, whatever happens ------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "After the yield, call `engine.dispose()`: it closes the connections of the pool when the "
    "app stops."
)
def test_the_engine_is_disposed_when_the_app_stops(main, disposed, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with running(main.app) as client:
        engine = state_engine(main.app)
        post_note(client, "before stopping")
        client.get("/notes/9999")
    assert isinstance(engine, Engine), f"app.state.engine was {engine!r} while the app ran"
    assert engine in disposed, "the app stopped, and app.state.engine was never disposed"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Create the engine, then open a `try:` right away: `try: create_all(...); ...; yield` "
    "`finally: engine.dispose()`. Startup code that runs before the `try` skips the dispose "
    "when it fails."
)
def test_a_failed_startup_disposes_the_engine_and_fails(main, disposed, tmp_path, monkeypatch):
    path = tmp_path / "no-such-folder" / "notes.db"
    monkeypatch.setenv("DATABASE_URL", file_url(path))
    error = startup_error(main.app)
    assert error is not None, (
        f"with DATABASE_URL={file_url(path)}, in a folder that does not exist, the app started "
        "anyway: the startup error must propagate"
    )
    assert disposed_for(disposed, path), (
        f"startup with DATABASE_URL={file_url(path)} failed ({type(error).__name__}), and the "
        "engine created for it was never disposed"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "When the server cancels the lifespan, CancelledError is raised at the `yield`: code after a "
    "bare `yield` never runs. Put `engine.dispose()` in the `finally:` of a `try:` around the "
    "yield."
)
def test_a_cancelled_lifespan_disposes_the_engine(main, disposed, tmp_path, monkeypatch):
    path = tmp_path / "cancelled.db"
    monkeypatch.setenv("DATABASE_URL", file_url(path))
    started = cancel_while_running(main.app)
    assert started, f"the lifespan did not start with DATABASE_URL={file_url(path)}"
    assert disposed_for(disposed, path), (
        "the lifespan was cancelled while the app was running, and its engine was never disposed"
    )
