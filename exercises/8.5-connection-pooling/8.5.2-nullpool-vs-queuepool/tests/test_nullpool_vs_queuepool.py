"""Hidden tests for 8.5.2: engine_for(mode, url) picks QueuePool, NullPool or one shared
in-memory connection, and web mode takes pool overrides.

Engines are built on SQLite files under tmp_path (the "tests" mode on "sqlite://") and disposed
afterwards. New DBAPI connections, checkouts and closes are counted with listeners on the
engine's pool events. The pool timeout is checked with a 0.05 s timeout while every connection
is checked out."""

import threading

import pytest
import sqlalchemy.exc
from sqlalchemy import Engine, event, text
from sqlalchemy.pool import NullPool


@pytest.fixture
def db(learner):
    return learner.require("db", "engine_for")


@pytest.fixture
def file_url(tmp_path):
    return f"sqlite:///{tmp_path / 'app.db'}"


@pytest.fixture
def engines(db):
    made = []

    def make(mode, url, **overrides) -> Engine:
        engine = db.engine_for(mode, url, **overrides)
        assert isinstance(engine, Engine), (
            f"engine_for({mode!r}, ...) returned {engine!r}, not an Engine"
        )
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.dispose()


class Counts:
    def __init__(self, engine: Engine) -> None:
        self.connect = self.checkout = self.close = 0
        event.listen(engine, "connect", self.on_connect)
        event.listen(engine, "checkout", self.on_checkout)
        event.listen(engine, "close", self.on_close)

    def on_connect(self, dbapi_connection, record) -> None:
        self.connect += 1

    def on_checkout(self, dbapi_connection, record, proxy) -> None:
        self.checkout += 1

    def on_close(self, dbapi_connection, record) -> None:
        self.close += 1


def run_queries(engine: Engine, times: int) -> None:
    for _ in range(times):
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))


@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("mode", "expected"),
    [("web", "QueuePool"), ("serverless", "NullPool"), ("pgbouncer", "NullPool")],
)
def test_pool_class_for_mode(engines, file_url, mode, expected):
    pool = engines(mode, file_url).pool
    assert type(pool).__name__ == expected, (
        f"engine_for({mode!r}, <file url>) got a {type(pool).__name__}, not a {expected}"
    )


@pytest.mark.task(1)
def test_unknown_mode_is_value_error(db, file_url):
    with pytest.raises(ValueError):
        db.engine_for("batch", file_url).dispose()


@pytest.mark.task(2)
@pytest.mark.parametrize("mode", ["serverless", "pgbouncer"])
def test_nullpool_opens_and_closes_a_connection_per_checkout(engines, file_url, mode):
    engine = engines(mode, file_url)
    counts = Counts(engine)
    run_queries(engine, 6)
    observed = (counts.checkout, counts.connect, counts.close)
    assert observed == (6, 6, 6), (
        f"{mode}: 6 checkouts made (checkouts, new connections, closes) = {observed}"
    )


@pytest.mark.task(2)
def test_queuepool_reuses_one_connection(engines, file_url):
    engine = engines("web", file_url)
    counts = Counts(engine)
    run_queries(engine, 6)
    observed = (counts.checkout, counts.connect, counts.close)
    assert observed == (6, 1, 0), (
        f"web: 6 checkouts one after another made (checkouts, new connections, closes) = {observed}"
    )
    assert engine.pool.checkedin() == 1, (
        f"web: after the checkouts pool.checkedin() was {engine.pool.checkedin()}"
    )


@pytest.mark.task(2)
def test_web_defaults(engines, file_url):
    pool = engines("web", file_url).pool
    observed = (pool.size(), pool._max_overflow, pool.timeout())
    assert observed == (5, 10, 30), (
        f"web without overrides: (size(), _max_overflow, timeout()) = {observed}"
    )


@pytest.mark.task(3)
def test_web_overrides_apply(engines, file_url):
    pool = engines("web", file_url, pool_size=2, max_overflow=3, pool_timeout=2.5).pool
    observed = (pool.size(), pool._max_overflow, pool.timeout())
    assert observed == (2, 3, 2.5), (
        "web with pool_size=2, max_overflow=3, pool_timeout=2.5: "
        f"(size(), _max_overflow, timeout()) = {observed}"
    )


@pytest.mark.task(3)
def test_web_override_of_one_keeps_other_defaults(engines, file_url):
    pool = engines("web", file_url, max_overflow=0).pool
    observed = (pool.size(), pool._max_overflow, pool.timeout())
    assert observed == (5, 0, 30), (
        f"web with only max_overflow=0: (size(), _max_overflow, timeout()) = {observed}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_second_checkout_times_out_with_size_one(engines, file_url):
    engine = engines("web", file_url, pool_size=1, max_overflow=0, pool_timeout=0.05)
    first = engine.connect()
    try:
        assert engine.pool.checkedout() == 1, (
            f"after one checkout pool.checkedout() was {engine.pool.checkedout()}"
        )
        with pytest.raises(sqlalchemy.exc.TimeoutError):
            engine.connect().close()
    finally:
        first.close()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1


@pytest.mark.task(3)
def test_overflow_connections_are_closed_on_return(engines, file_url):
    engine = engines("web", file_url, pool_size=1, max_overflow=2, pool_timeout=0.05)
    counts = Counts(engine)
    held = [engine.connect() for _ in range(3)]
    for conn in held:
        conn.close()
    observed = (counts.connect, counts.close, engine.pool.checkedin())
    assert observed == (3, 2, 1), (
        "web, size 1 + overflow 2, three connections held then returned: "
        f"(new connections, closes, pool.checkedin()) = {observed}"
    )


@pytest.mark.task(3)
@pytest.mark.parametrize("mode", ["serverless", "pgbouncer"])
def test_overrides_ignored_outside_web(engines, file_url, mode):
    try:
        engine = engines(mode, file_url, pool_size=3, max_overflow=1, pool_timeout=5)
    except TypeError as error:
        pytest.fail(f"engine_for({mode!r}, ..., pool_size=3, ...) raised TypeError: {error}")
    assert isinstance(engine.pool, NullPool), f"{mode} with overrides got a {type(engine.pool)}"


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_tests_mode_shares_one_memory_database(engines):
    engine = engines("tests", "sqlite://")
    counts = Counts(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (42)"))
    seen = []

    def read() -> None:
        with engine.connect() as conn:
            seen.append(conn.execute(text("SELECT x FROM t")).scalar_one())

    worker = threading.Thread(target=read)
    worker.start()
    worker.join()
    assert seen == [42], (
        f"tests mode ({type(engine.pool).__name__}): a table written through one connection "
        "was not readable through another, from another thread"
    )
    run_queries(engine, 3)
    assert counts.connect <= 1, f"tests mode opened {counts.connect} DBAPI connections, not one"
