"""Hidden tests for 6.1.2: QueuePool versus NullPool, counting DBAPI connects, and an app that
shares one engine and one httpx.AsyncClient through app.state.

Databases are SQLite files under tmp_path. The tests count new DBAPI connections with their own
listener on the `Pool` class's `connect` event, so every engine in the process is counted, not
only the learner's. Rows are inserted with the stdlib `sqlite3` module (not counted). The app's
lifespan runs through TestClient; `gc` is paused where a test checks that connections were
returned, so a connection left to the garbage collector shows as still checked out, and it is
run by hand where a test only counts, so such a connection never makes a count vary."""

import gc
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.pool import NullPool, Pool, QueuePool

from grader.testing import client_for

KETTLE = {"id": 1, "name": "Kettle", "price": 25.0}
TEAPOT = {"id": 2, "name": "Teapot", "price": 12.5}


@pytest.fixture(scope="module", autouse=True)
def no_ca_bundle(tmp_path_factory):
    """An httpx.AsyncClient() reads certifi's CA bundle into its SSL context, at every startup
    of the app; no test sends a request through it, so it trusts an empty folder instead."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SSL_CERT_FILE", raising=False)
        patch.setenv("SSL_CERT_DIR", str(tmp_path_factory.mktemp("no-ca")))
        yield


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "make_engine", "count_connects", "create_app", "metadata")


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "shop.db"


@pytest.fixture
def db_url(db_path) -> str:
    return f"sqlite:///{db_path}"


@pytest.fixture
def engine_of(main, db_url):
    """engine_of(pooled) -> the learner's make_engine(db_url, pooled), disposed afterwards."""
    made = []

    def make(pooled: bool) -> Engine:
        engine = main.make_engine(db_url, pooled)
        assert isinstance(engine, Engine), (
            f"make_engine(url, pooled={pooled}) returned {engine!r}, not an Engine"
        )
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.dispose()


class Opened:
    """How many DBAPI connections every pool of the process opened since it was created."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, dbapi_connection, connection_record) -> None:
        self.count += 1


@contextmanager
def opened_connections():
    opened = Opened()
    event.listen(Pool, "connect", opened)
    try:
        yield opened
    finally:
        event.remove(Pool, "connect", opened)


@contextmanager
def collected_often():
    """Connections left to the garbage collector go back when the test says so (`collect()`),
    not at random: one full collection first, then cheap ones over what was made since. What
    was frozen before (the grader freezes the libraries it preloads) stays out of every later
    collection: the survivors are frozen again with it, instead of unfreezing it for good."""
    frozen_before = gc.get_freeze_count()
    gc.collect()
    gc.freeze()
    try:
        yield gc.collect
    finally:
        gc.collect()
        gc.unfreeze()
        if frozen_before:
            gc.freeze()


@contextmanager
def no_garbage_collection():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def use(engine, times=1):
    """Check out a connection and run SELECT 1, `times` times one after the other."""
    for _ in range(times):
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))


def add_rows(db_path):
    with sqlite3.connect(db_path) as conn:
        try:
            conn.executemany(
                "INSERT INTO products (id, name, price) VALUES (:id, :name, :price)",
                [KETTLE, TEAPOT],
            )
        except sqlite3.OperationalError as exc:
            pytest.fail(
                f"after the app started, inserting into its products table failed ({exc}): "
                "does the lifespan create the tables of `metadata` on app.state.engine?"
            )
    # sqlite3's context manager commits but does not close
    conn.close()


def short(text, size=200):
    return text if len(text) <= size else text[:size] + "..."


@pytest.fixture
def start(main, db_url, db_path, app_client):
    """start(pooled) -> (app, client): create_app(db_url, pooled) with its lifespan running
    (until the end of the test) and two products in its database."""

    def started(pooled: bool):
        app = main.create_app(db_url, pooled=pooled)
        client = app_client(app, lifespan=True)
        add_rows(db_path)
        return app, client

    return started


@pytest.fixture(scope="module")
def running(learner, tmp_path_factory):
    """(app, client, url): one pooled app of create_app, started once for the tests that only
    read from it, with two products in its database."""
    main = learner("main")
    if not callable(getattr(main, "create_app", None)):
        pytest.fail("main.py defines no `create_app`")
    db_path = tmp_path_factory.mktemp("running") / "shop.db"
    url = f"sqlite:///{db_path}"
    app = main.create_app(url, pooled=True)
    with client_for(app) as client:
        add_rows(db_path)
        yield app, client, url


def state_engine(app) -> Engine:
    engine = getattr(app.state, "engine", None)
    assert isinstance(engine, Engine), (
        f"after startup, app.state.engine is {engine!r}, not an Engine"
    )
    return engine


def get_product(client, product_id, status=200):
    response = client.get(f"/products/{product_id}")
    assert response.status_code == status, (
        f"GET /products/{product_id} answered {response.status_code}, not {status}: "
        f"{short(response.text)}"
    )
    return response


# --- Task 1: make_engine ------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.hint(
    "`create_engine(url, pool_size=5, max_overflow=5)`: a file SQLite URL gets a QueuePool "
    "by default, but its default overflow is 10."
)
def test_pooled_engine_is_a_queue_pool_of_5_plus_5(engine_of):
    engine = engine_of(True)
    pool = engine.pool
    assert type(pool) is QueuePool, (
        f"make_engine(url, pooled=True) has a {type(pool).__name__}, not a QueuePool"
    )
    assert pool.size() == 5, f"the pooled engine's pool_size is {pool.size()}, not 5"
    overflow = getattr(pool, "_max_overflow", None)
    assert overflow == 5, f"the pooled engine's max_overflow is {overflow}, not 5"


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_pooled_engine_opens_10_at_once_and_keeps_5(engine_of):
    engine = engine_of(True)
    with opened_connections() as opened:
        held = [engine.connect() for _ in range(10)]
        try:
            for conn in held:
                conn.execute(text("SELECT 1"))
        finally:
            for conn in held:
                conn.close()
        assert opened.count == 10, (
            f"holding 10 connections of the pooled engine at once opened {opened.count} "
            "DBAPI connections, not 10"
        )
        kept = engine.pool.checkedin()
        assert kept == 5, f"after 10 connections were returned, the pool keeps {kept} open, not 5"
        use(engine, times=5)
        assert opened.count == 10, (
            f"5 more checkouts one after the other opened {opened.count - 10} new DBAPI "
            "connection(s), not 0: the pool should hand out the ones it kept"
        )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`create_engine(url, poolclass=NullPool)` (from sqlalchemy.pool): every checkout opens a "
    "new DBAPI connection, every check-in closes it."
)
def test_unpooled_engine_is_a_null_pool(engine_of):
    engine = engine_of(False)
    assert type(engine.pool) is NullPool, (
        f"make_engine(url, pooled=False) has a {type(engine.pool).__name__}, not a NullPool"
    )
    with opened_connections() as opened:
        use(engine, times=4)
    assert opened.count == 4, (
        f"4 checkouts of the unpooled engine opened {opened.count} DBAPI connections, not 4"
    )


@pytest.mark.task(1)
@pytest.mark.parametrize("pooled", [True, False])
def test_the_engine_uses_the_url(engine_of, db_url, pooled):
    engine = engine_of(pooled)
    assert engine.url.render_as_string() == db_url, (
        f"make_engine({db_url!r}, pooled={pooled}) built an engine on {engine.url}"
    )


# --- Task 2: count_connects ---------------------------------------------------------------


def counter_for(main, engine):
    counter = main.count_connects(engine)
    assert callable(counter), f"count_connects(engine) returned {counter!r}, not a function"
    return counter


def read(counter, what):
    value = counter()
    assert isinstance(value, int) and not isinstance(value, bool), (
        f"the function count_connects returned gave {value!r} {what}, not an int"
    )
    return value


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Listen to the engine\'s "connect" event (one call per new DBAPI connection), not to '
    '"checkout" (one call per engine.connect(), reused connections included).'
)
def test_counts_new_connections_not_checkouts(main, engine_of):
    engine = engine_of(True)
    counter = counter_for(main, engine)
    assert read(counter, "before any checkout") == 0, (
        f"count_connects(engine)() gave {counter()} before any checkout, not 0"
    )
    use(engine, times=3)
    assert read(counter, "after 3 checkouts") == 1, (
        f"3 checkouts one after the other of a pooled engine (one DBAPI connection, reused) "
        f"were counted as {counter()}, not 1"
    )
    held = [engine.connect() for _ in range(3)]
    for conn in held:
        conn.close()
    assert read(counter, "after 3 more checkouts at once") == 3, (
        f"holding 3 connections at once (2 of them new) brought the count to {counter()}, not 3"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "The function returned must read the count when it is called (a closure over a "
    "`nonlocal` int, a list, or an object with __call__), not a number fixed earlier."
)
def test_every_checkout_of_a_null_pool_is_counted(main, engine_of):
    engine = engine_of(False)
    counter = counter_for(main, engine)
    seen = []
    for _ in range(3):
        use(engine)
        seen.append(read(counter, "after a checkout"))
    assert seen == [1, 2, 3], (
        f"after each of 3 checkouts of the unpooled engine the count read {seen}, not [1, 2, 3]"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Start from 0 when count_connects is called: connections opened earlier are not counted."
)
def test_counting_starts_when_count_connects_is_called(main, engine_of):
    engine = engine_of(False)
    use(engine, times=2)
    counter = counter_for(main, engine)
    use(engine)
    assert read(counter, "after one checkout") == 1, (
        "2 connections opened before count_connects(engine) and 1 after were counted as "
        f"{counter()}, not 1"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Keep the count inside count_connects (one per call), and listen on the engine you were "
    "given, not on every engine or pool."
)
def test_each_engine_and_each_counter_counts_its_own(main, engine_of, tmp_path):
    first = engine_of(False)
    second = main.make_engine(f"sqlite:///{tmp_path / 'other.db'}", False)
    try:
        counter_a = counter_for(main, first)
        use(first, times=2)
        counter_b = counter_for(main, first)
        counter_c = counter_for(main, second)
        use(second)
        use(first)
        got = (counter_a(), counter_b(), counter_c())
    finally:
        second.dispose()
    assert got == (3, 1, 1), (
        "with a counter on engine A, 2 checkouts of A, a second counter on A and one on "
        "engine B, then one checkout of B and one of A, the counters read "
        f"{got}, not (3, 1, 1)"
    )


# --- Task 3: the app shares app.state.engine ----------------------------------------------


@pytest.mark.task(3)
def test_products_answer_200_and_404(running):
    _, client, _ = running
    assert get_product(client, 1).json() == KETTLE, "GET /products/1 answered another body"
    assert get_product(client, 2).json() == TEAPOT, "GET /products/2 answered another body"
    get_product(client, 99, status=404)


@pytest.mark.task(3)
@pytest.mark.hint(
    "In the lifespan: `app.state.engine = make_engine(database_url, pooled)`, then "
    "`metadata.create_all(app.state.engine)`."
)
def test_the_lifespan_puts_the_engine_on_app_state(running):
    app, _, url = running
    engine = state_engine(app)
    assert type(engine.pool) is QueuePool, (
        f"create_app(url) put an engine with a {type(engine.pool).__name__} on "
        "app.state.engine, not the QueuePool of make_engine(url, pooled=True)"
    )
    assert engine.url.render_as_string() == url, (
        f"create_app({url!r}) put an engine on {engine.url} on app.state.engine"
    )


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Every request must use the one engine of `request.app.state.engine`: an engine created "
    "in the handler (or per request in a dependency) has a pool of its own, empty every time."
)
def test_50_pooled_requests_open_at_most_5_connections(running):
    _, client, _ = running
    with collected_often() as collect, opened_connections() as opened:
        statuses = []
        for i in range(50):
            statuses.append(client.get(f"/products/{1 + i % 2}").status_code)
            if i % 5 == 4:
                collect()
    assert statuses == [200] * 50, f"50 GETs of products 1 and 2 answered {sorted(set(statuses))}"
    assert opened.count <= 5, (
        f"50 requests to the pooled app opened {opened.count} new DBAPI connections, not at most 5"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Each request checks out exactly one connection from `request.app.state.engine` "
    "(`with engine.connect() as conn:`), and no connection is held open across requests."
)
def test_20_unpooled_requests_open_20_connections(start, db_url):
    app, client = start(False)
    engine = state_engine(app)
    assert type(engine.pool) is NullPool, (
        f"create_app(url, pooled=False) put an engine with a {type(engine.pool).__name__} "
        "on app.state.engine, not the NullPool of make_engine(url, pooled=False)"
    )
    assert engine.url.render_as_string() == db_url, (
        f"create_app({db_url!r}, pooled=False) put an engine on {engine.url} on app.state.engine"
    )
    with opened_connections() as opened:
        statuses = [client.get(f"/products/{1 + i % 2}").status_code for i in range(20)]
    assert statuses == [200] * 20, f"20 GETs of products 1 and 2 answered {sorted(set(statuses))}"
    assert opened.count == 20, (
        f"20 requests to the app with pooled=False opened {opened.count} DBAPI connections "
        "through its NullPool, not 20 (one per request)"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`with engine.connect() as conn:` returns the connection at the end of the block, even "
    "when you then answer 404. A connection that is never closed goes back only when the "
    "garbage collector finds it; one kept in app.state stays checked out for good."
)
def test_every_connection_is_returned(running):
    app, client, _ = running
    engine = state_engine(app)
    with no_garbage_collection():
        get_product(client, 1)
        get_product(client, 99, status=404)
        get_product(client, 2)
        out = engine.pool.checkedout()
    assert out == 0, (
        f"after three requests (one of them a 404), {out} connection(s) of app.state.engine "
        "were still checked out"
    )


@pytest.mark.task(3)
@pytest.mark.hint("After the lifespan's `yield`: `app.state.engine.dispose()`.")
def test_the_engine_is_disposed_at_shutdown(main, db_url, db_path):
    app = main.create_app(db_url, pooled=True)
    with client_for(app) as client:
        add_rows(db_path)
        get_product(client, 1)
        engine = state_engine(app)
        kept = engine.pool.checkedin() + engine.pool.checkedout()
        assert kept >= 1, f"after a request, the pool holds {kept} connection(s)"
    left = engine.pool.checkedin()
    assert left == 0, f"after shutdown, the engine's pool still keeps {left} connection(s) open"


@pytest.mark.task(3)
@pytest.mark.hint(
    "Build the engine inside the lifespan, before its `yield`, not in create_app's body: "
    "create_app only builds the app, and every startup (a second one after a shutdown "
    "included) makes its own engine with make_engine."
)
def test_each_startup_builds_its_own_engine(main, db_url, db_path):
    app = main.create_app(db_url, pooled=True)
    before = getattr(app.state, "engine", None)
    assert before is None, (
        f"create_app(url) put {before!r} on app.state.engine before the app started: the "
        "lifespan builds the engine at startup"
    )
    with client_for(app):
        first = state_engine(app)
        add_rows(db_path)
    with client_for(app) as client:
        second = state_engine(app)
        assert second is not first, (
            "a second startup of the same app, after a shutdown that disposed of its engine, "
            "put the same engine on app.state.engine again instead of building a new one"
        )
        assert get_product(client, 1).json() == KETTLE, "GET /products/1 answered another body"


# --- Task 4: one httpx.AsyncClient per app ------------------------------------------------


def state_client(app) -> httpx.AsyncClient:
    client = getattr(app.state, "http_client", None)
    assert isinstance(client, httpx.AsyncClient), (
        f"after startup, app.state.http_client is {client!r}, not an httpx.AsyncClient"
    )
    return client


def client_id(client) -> int:
    response = client.get("/client-id")
    assert response.status_code == 200, (
        f"GET /client-id answered {response.status_code}: {short(response.text)}"
    )
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("id"), int), (
        f'GET /client-id answered {short(response.text)}, not {{"id": int}}'
    )
    return body["id"]


@pytest.mark.task(4)
def test_the_lifespan_opens_an_async_client(running):
    app, _, _ = running
    shared = state_client(app)
    assert not shared.is_closed, "app.state.http_client is already closed after startup"


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    '`return {"id": id(request.app.state.http_client)}`: the handler uses the lifespan\'s '
    "client, never one of its own."
)
def test_every_request_sees_the_shared_client(running):
    app, client, _ = running
    shared = id(state_client(app))
    ids = [client_id(client) for _ in range(5)]
    assert ids == [shared] * 5, (
        f"5 GET /client-id answered the ids {ids}; app.state.http_client has the id {shared}"
    )


@pytest.mark.task(4)
@pytest.mark.hint(
    "`async with httpx.AsyncClient() as client:` around the lifespan's `yield` closes it at "
    "shutdown (or `await client.aclose()` after the yield)."
)
def test_the_client_is_closed_at_shutdown(main, db_url):
    app = main.create_app(db_url, pooled=True)
    with client_for(app) as client:
        client_id(client)
        shared = state_client(app)
    assert shared.is_closed, "after shutdown, app.state.http_client is still open"


@pytest.mark.task(4)
@pytest.mark.hint(
    "Create the client inside the lifespan, not at module level: each app of create_app "
    "opens and closes its own."
)
def test_each_app_has_its_own_client(main, db_url, tmp_path):
    first = main.create_app(db_url, pooled=True)
    second = main.create_app(f"sqlite:///{tmp_path / 'second.db'}", pooled=True)
    with client_for(second) as second_client:
        with client_for(first) as first_client:
            ids = (client_id(first_client), client_id(second_client))
            assert ids[0] != ids[1], (
                f"two apps of create_app, running at once, answered the same client id {ids[0]}"
            )
        still_open = not state_client(second).is_closed
        assert still_open, "shutting down one app closed the http_client of another app"
        assert client_id(second_client) == ids[1], (
            "after another app shut down, GET /client-id of the running app answered another id"
        )
