"""Hidden tests for 8.5.1: pool settings from the environment and make_engine(settings).

Settings are built after the test has set the DB_* variables with monkeypatch. Engines are
built on SQLite files under tmp_path (a QueuePool) or on in-memory URLs (one shared
connection, checked by behaviour: a table written is readable from another thread), and
disposed afterwards. The pool timeout is checked with a 0.05 s timeout while every connection
is checked out, so no test waits longer than that."""

import threading

import pytest
import sqlalchemy.exc
from sqlalchemy import Engine, text
from sqlalchemy.pool import QueuePool

VARIABLES = (
    "DB_URL",
    "DB_POOL_SIZE",
    "DB_MAX_OVERFLOW",
    "DB_POOL_TIMEOUT",
    "DB_POOL_RECYCLE",
    "DB_PRE_PING",
)


@pytest.fixture
def db(learner):
    return learner.require("db", "Settings", "make_engine")


@pytest.fixture
def env(monkeypatch, tmp_path):
    """Unsets every DB_* variable but DB_URL (a file in tmp_path); env(**values) sets more."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DB_URL", f"sqlite:///{tmp_path / 'app.db'}")

    def set_values(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_values


@pytest.fixture
def engines(db):
    made = []

    def make(settings) -> Engine:
        engine = db.make_engine(settings)
        assert isinstance(engine, Engine), f"make_engine returned {engine!r}, not an Engine"
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.dispose()


@pytest.mark.task(1)
def test_settings_defaults(db, env, tmp_path):
    settings = db.Settings()
    observed = {
        "db_url": settings.db_url,
        "db_pool_size": settings.db_pool_size,
        "db_max_overflow": settings.db_max_overflow,
        "db_pool_timeout": settings.db_pool_timeout,
        "db_pool_recycle": settings.db_pool_recycle,
        "db_pre_ping": settings.db_pre_ping,
    }
    expected = {
        "db_url": f"sqlite:///{tmp_path / 'app.db'}",
        "db_pool_size": 5,
        "db_max_overflow": 10,
        "db_pool_timeout": 30,
        "db_pool_recycle": 1800,
        "db_pre_ping": True,
    }
    assert observed == expected, f"with only DB_URL set, Settings() held {observed}"


@pytest.mark.task(1)
def test_settings_read_from_environment_at_construction(db, env):
    env(
        DB_URL="sqlite:////tmp/other.db",
        DB_POOL_SIZE="3",
        DB_MAX_OVERFLOW="4",
        DB_POOL_TIMEOUT="2.5",
        DB_POOL_RECYCLE="60",
        DB_PRE_PING="false",
    )
    settings = db.Settings()
    observed = (
        settings.db_url,
        settings.db_pool_size,
        settings.db_max_overflow,
        settings.db_pool_timeout,
        settings.db_pool_recycle,
        settings.db_pre_ping,
    )
    assert observed == ("sqlite:////tmp/other.db", 3, 4, 2.5, 60, False), (
        "with DB_URL=sqlite:////tmp/other.db DB_POOL_SIZE=3 DB_MAX_OVERFLOW=4 DB_POOL_TIMEOUT=2.5 "
        f"DB_POOL_RECYCLE=60 DB_PRE_PING=false, Settings() held {observed}"
    )


@pytest.mark.task(2)
def test_file_engine_uses_default_settings(db, env, engines):
    pool = engines(db.Settings()).pool
    assert isinstance(pool, QueuePool), f"a SQLite file URL got a {type(pool).__name__}"
    observed = {
        "size()": pool.size(),
        "_max_overflow": pool._max_overflow,
        "timeout()": pool.timeout(),
        "_recycle": pool._recycle,
        "_pre_ping": pool._pre_ping,
    }
    expected = {
        "size()": 5,
        "_max_overflow": 10,
        "timeout()": 30,
        "_recycle": 1800,
        "_pre_ping": True,
    }
    assert observed == expected, f"with the default settings the pool had {observed}"
    assert "Pool size: 5" in pool.status(), f"pool.status() said {pool.status()!r}"


@pytest.mark.task(2)
def test_file_engine_follows_environment(db, env, engines):
    env(
        DB_POOL_SIZE="2",
        DB_MAX_OVERFLOW="3",
        DB_POOL_TIMEOUT="2.5",
        DB_POOL_RECYCLE="60",
        DB_PRE_PING="false",
    )
    pool = engines(db.Settings()).pool
    observed = {
        "size()": pool.size(),
        "_max_overflow": pool._max_overflow,
        "timeout()": pool.timeout(),
        "_recycle": pool._recycle,
        "_pre_ping": pool._pre_ping,
    }
    expected = {
        "size()": 2,
        "_max_overflow": 3,
        "timeout()": 2.5,
        "_recycle": 60,
        "_pre_ping": False,
    }
    assert observed == expected, (
        "with DB_POOL_SIZE=2 DB_MAX_OVERFLOW=3 DB_POOL_TIMEOUT=2.5 DB_POOL_RECYCLE=60 "
        f"DB_PRE_PING=false the pool had {observed}"
    )


@pytest.mark.task(2)
def test_full_pool_times_out(db, env, engines):
    env(DB_POOL_SIZE="1", DB_MAX_OVERFLOW="1", DB_POOL_TIMEOUT="0.05")
    engine = engines(db.Settings())
    first = engine.connect()
    second = engine.connect()
    try:
        checked_out = engine.pool.checkedout()
        assert checked_out == 2, (
            f"pool size 1 + overflow 1: after two checkouts pool.checkedout() was {checked_out}"
        )
        with pytest.raises(sqlalchemy.exc.TimeoutError):
            engine.connect().close()
    finally:
        first.close()
        second.close()


def _memory_checks(engine: Engine) -> None:
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
        f"with a {type(engine.pool).__name__}, a table written through one connection "
        "was not readable through another, from another thread"
    )


@pytest.mark.task(3)
@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_memory_url_is_one_database_shared_by_threads(db, env, engines, url):
    env(DB_URL=url, DB_POOL_SIZE="3", DB_MAX_OVERFLOW="2", DB_POOL_TIMEOUT="5")
    try:
        engine = engines(db.Settings())
    except TypeError as error:
        pytest.fail(f"make_engine with DB_URL={url} raised TypeError: {error}")
    _memory_checks(engine)


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.parametrize("size", ["0", "-1"])
def test_pool_size_below_one_is_value_error(db, env, engines, size):
    env(DB_POOL_SIZE=size)
    with pytest.raises(ValueError):
        engines(db.Settings())


@pytest.mark.task(4)
def test_pool_size_below_one_is_value_error_for_memory_url(db, env, engines):
    env(DB_URL="sqlite://", DB_POOL_SIZE="0")
    with pytest.raises(ValueError):
        engines(db.Settings())
