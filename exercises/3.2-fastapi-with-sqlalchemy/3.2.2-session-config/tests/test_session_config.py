import threading

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, String, create_engine, event, func, make_url, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from grader.testing import client_for


class ProbeBase(DeclarativeBase):
    pass


class Thing(ProbeBase):
    """A model of the tests' own: any mapped class works with the learner's sessions."""

    __tablename__ = "things"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


@pytest.fixture
def database(learner):
    return learner.require("database", "Base", "make_engine", "SessionLocal", "configure", "get_db")


@pytest.fixture
def main(learner, database):
    return learner.require("main", "create_app")


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


@pytest.fixture
def disposed(monkeypatch):
    """Every Engine that gets disposed, in order (a spy on SQLAlchemy's Engine.dispose)."""
    engines: list[Engine] = []
    original = Engine.dispose

    def spy(self, *args, **kwargs):
        engines.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Engine, "dispose", spy)
    return engines


@pytest.fixture
def connecting_engines():
    """Every Engine that hands out a connection while the test runs."""
    engines: list[Engine] = []

    def record(conn):
        engines.append(conn.engine)

    event.listen(Engine, "engine_connect", record)
    yield engines
    event.remove(Engine, "engine_connect", record)


def in_thread(work):
    """Run `work()` in another thread; return its result or re-raise its exception."""
    outcome = {}

    def target():
        try:
            outcome["value"] = work()
        except Exception as exc:  # handed back to the test thread
            outcome["error"] = exc

    worker = threading.Thread(target=target)
    worker.start()
    worker.join(timeout=10)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def create_table_with_a_row(engine):
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))


def count_rows(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM t")).scalar_one()


def titles_in(url):
    """The book titles stored in a database file, read by an engine of the tests' own."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(conn.execute(text("SELECT title FROM books")).scalars())
    finally:
        engine.dispose()


def post_titles(client, *titles):
    for title in titles:
        response = client.post("/books", json={"title": title})
        assert response.status_code == 201, (
            f"POST /books answered {response.status_code}: {response.text[:300]}"
        )


# --- Task 1: make_engine ------------------------------------------------------------------


@pytest.mark.task(1)
def test_make_engine_returns_an_engine_for_the_url(database, tmp_path):
    for url in ("sqlite://", f"sqlite:///{tmp_path / 'app.db'}"):
        engine = database.make_engine(url)
        try:
            assert isinstance(engine, Engine), (
                f"make_engine({url!r}) returned {type(engine).__name__}, not an Engine"
            )
            wanted = make_url(url)
            assert (engine.url.get_backend_name(), engine.url.database) == (
                wanted.get_backend_name(),
                wanted.database,
            ), f"make_engine({url!r}) returned an engine for {engine.url!r}"
        finally:
            engine.dispose()


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
@pytest.mark.hint(
    "Each new connection to an in-memory SQLite URL is a new, empty database. The static "
    "pool of `sqlalchemy.pool` (`poolclass=`, the prompt names it) keeps one connection for "
    "the whole engine, and `connect_args={'check_same_thread': False}` lets every thread use it."
)
def test_memory_database_is_one_database_for_every_thread(database, url):
    engine = database.make_engine(url)
    try:
        create_table_with_a_row(engine)
        try:
            rows = in_thread(lambda: count_rows(engine))
        except Exception as exc:
            pytest.fail(
                f"make_engine({url!r}): a table created in one thread could not be read from "
                f"another: {type(exc).__name__}: {exc}"
            )
        assert rows == 1, f"another thread counted {rows} rows instead of 1"
    finally:
        engine.dispose()


@pytest.mark.task(1)
@pytest.mark.hint(
    "The static pool is for in-memory databases only: for a file it would push every request "
    "through one shared connection. Leave file URLs on the default pool."
)
def test_file_database_gives_separate_connections(database, tmp_path):
    engine = database.make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        with engine.connect() as first, engine.connect() as second:
            same = first.connection.dbapi_connection is second.connection.dbapi_connection
        assert not same, "two open connections of a file engine share one DBAPI connection"
    finally:
        engine.dispose()


# --- Task 2: SessionLocal, configure, get_db ----------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Create `SessionLocal = sessionmaker(autoflush=False, expire_on_commit=False)` once, at "
    "module level, and bind it later: `SessionLocal.configure(bind=engine)` inside configure()."
)
def test_configure_binds_sessionlocal_to_a_new_engine(database):
    assert isinstance(database.SessionLocal, sessionmaker), (
        f"SessionLocal is a {type(database.SessionLocal).__name__}, not a sessionmaker"
    )
    first = database.configure("sqlite://")
    second = database.configure("sqlite://")
    assert isinstance(first, Engine), f"configure() returned {first!r}, not the Engine"
    assert first is not second, "two calls of configure() returned the same engine"
    with database.SessionLocal() as session:
        assert session.get_bind() is second, (
            "after configure(url), SessionLocal() sessions are not bound to the engine it returned"
        )


@pytest.mark.task(2)
@pytest.mark.hint(
    "configure() must bind the one SessionLocal created at import "
    "(`SessionLocal.configure(bind=engine)`), not replace it with a new sessionmaker: modules that "
    "did `from database import SessionLocal` keep the object they imported."
)
def test_configure_binds_the_sessionlocal_imported_before(database):
    imported = database.SessionLocal
    engine = database.configure("sqlite://")
    assert database.SessionLocal is imported, (
        "configure() replaced SessionLocal with another object instead of binding it"
    )
    with imported() as session:
        assert session.get_bind() is engine, (
            "a SessionLocal imported before configure(url) still makes sessions that are not "
            "bound to the engine configure() returned"
        )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Write `SessionLocal = sessionmaker(autoflush=False, expire_on_commit=False)` with no "
    "`bind=`: at import the URL is not known yet. configure(url) binds it later."
)
def test_sessionlocal_is_created_unbound(learner):
    database = learner.require("database", "SessionLocal", fresh=True)
    factory = database.SessionLocal
    assert isinstance(factory, sessionmaker), (
        f"SessionLocal is a {type(factory).__name__}, not a sessionmaker"
    )
    bind = factory.kw.get("bind")
    assert bind is None, f"right after importing database.py, SessionLocal is bound to {bind!r}"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "By default a commit expires every loaded object, so reading `book.title` afterwards "
    "runs a SELECT. `expire_on_commit=False` keeps the values, which is what a handler that "
    "commits and then returns the object wants."
)
def test_objects_stay_loaded_after_commit(database, sql_counter):
    engine = database.configure("sqlite://")
    ProbeBase.metadata.create_all(engine)
    with database.SessionLocal() as session:
        thing = Thing(name="kettle")
        session.add(thing)
        session.commit()
        with sql_counter(engine) as counted:
            values = (thing.id, thing.name)
    assert values[1] == "kettle", f"the committed object reads name={values[1]!r}"
    assert counted.count == 0, (
        f"reading attributes after commit ran SQL: {counted.statements}; SessionLocal expires "
        "objects on commit"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "With autoflush=False a query does not first send pending `add()`s to the database; "
    "nothing is written before an explicit flush() or commit()."
)
def test_queries_do_not_autoflush(database):
    engine = database.configure("sqlite://")
    ProbeBase.metadata.create_all(engine)
    with database.SessionLocal() as session:
        session.add(Thing(name="pending"))
        seen = session.scalar(select(func.count()).select_from(Thing))
    assert seen == 0, f"a query counted {seen} things before any flush: SessionLocal autoflushes"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "get_db is a generator: `with SessionLocal() as session: yield session`. Each call makes a "
    "new session, and leaving the `with` block (normally or by an exception) closes it."
)
def test_get_db_yields_a_new_session_and_closes_it(database, closed):
    engine = database.configure("sqlite://")
    first, second = database.get_db(), database.get_db()
    one, two = next(first), next(second)
    assert isinstance(one, Session), f"get_db yielded {type(one).__name__}, not a Session"
    assert one is not two, "two calls of get_db yielded the same Session object"
    assert one.get_bind() is engine, "get_db's session is not bound to the configured engine"
    assert not closed, "get_db closed its session before the request was done"
    with pytest.raises(StopIteration):
        next(first)
    assert one in closed, "get_db did not close its session after the request"
    try:
        second.throw(RuntimeError("handler failed"))
    except RuntimeError as exc:
        assert "handler failed" in str(exc), f"get_db turned the handler's error into {exc!r}"
    except StopIteration:
        raise AssertionError(
            "get_db swallowed the RuntimeError the handler raised: it should propagate"
        ) from None
    else:
        raise AssertionError("get_db yielded again after the handler raised")
    assert two in closed, "get_db did not close its session when the handler raised"


# --- Task 3: create_app -------------------------------------------------------------------


@pytest.mark.task(3)
def test_create_app_returns_a_fastapi_app(main):
    app = main.create_app("sqlite://")
    assert isinstance(app, FastAPI), f"create_app() returned {type(app).__name__}"


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "create_app(url) must call configure(url) and create the tables on that engine (in the "
    "lifespan, or in create_app itself), and make_engine must give sqlite:// the static pool: "
    "otherwise each thread of the server sees its own empty database."
)
def test_books_persist_between_requests(main, app_client):
    client = app_client(main.create_app("sqlite://"), lifespan=True)
    post_titles(client, "Dune", "Emma")
    listed = client.get("/books")
    assert listed.status_code == 200, f"GET /books answered {listed.status_code}"
    titles = [book.get("title") for book in listed.json()]
    assert titles == ["Dune", "Emma"], f"GET /books after two POSTs listed {titles}"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Each app talks to the database URL it was created with: configure(database_url) on every "
    "create_app, never a cached engine from an earlier call."
)
def test_each_app_uses_its_own_database_url(main, tmp_path):
    urls = [f"sqlite:///{tmp_path / name}" for name in ("first.db", "second.db")]
    for url, title in zip(urls, ("Dune", "Emma"), strict=True):
        with client_for(main.create_app(url)) as client:  # stops each app before the next
            post_titles(client, title)
    stored = [titles_in(url) for url in urls]
    assert stored == [["Dune"], ["Emma"]], (
        f"the two apps' database files hold {stored}, expected [['Dune'], ['Emma']]"
    )


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Every request needs its own session, closed when the request is done: the code after "
    "`yield` in get_db runs then. A session created once and handed to every request mixes "
    "their transactions."
)
def test_each_request_gets_its_own_session_and_closes_it(main, closed, app_client):
    client = app_client(main.create_app("sqlite://"), lifespan=True)
    seen: list[Session] = []
    for request in ("POST", "GET", "POST"):
        del closed[:]
        if request == "POST":
            post_titles(client, "Dune")
        else:
            assert client.get("/books").status_code == 200
        unique = [s for i, s in enumerate(closed) if all(s is not t for t in closed[:i])]
        assert len(unique) == 1, (
            f"a {request} request closed {len(unique)} sessions, expected exactly its own one"
        )
        assert all(unique[0] is not s for s in seen), (
            f"the {request} request was given a session an earlier request already used"
        )
        seen.append(unique[0])


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Create the engine once per app (configure() in create_app or its lifespan), never in "
    "get_db: an engine owns a connection pool, and one per request throws the pool away."
)
def test_one_engine_serves_every_request(main, connecting_engines):
    with client_for(main.create_app("sqlite://")) as client:
        del connecting_engines[:]
        post_titles(client, "Dune", "Emma", "Ulysses")
        assert client.get("/books").status_code == 200
    distinct = {id(engine) for engine in connecting_engines}
    assert len(distinct) == 1, (
        f"four requests were served by {len(distinct)} different engines, expected one"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "After the lifespan's `yield` comes the shutdown: call `engine.dispose()` there (in a "
    "`finally:` if you like), so the app closes the connections of its pool when it stops."
)
def test_the_engine_is_disposed_when_the_app_stops(main, connecting_engines, disposed):
    with client_for(main.create_app("sqlite://")) as client:
        del connecting_engines[:]
        post_titles(client, "Dune")
        serving = list({id(engine): engine for engine in connecting_engines}.values())
        early = [e for e in serving if any(e is d for d in disposed)]
        assert not early, "the engine serving requests was disposed while the app was running"
    assert serving, "no engine handed out a connection for POST /books"
    kept = [e for e in serving if all(e is not d for d in disposed)]
    assert not kept, (
        f"the app stopped, but the engine that served its requests ({kept[0].url}) was never "
        "disposed"
    )
