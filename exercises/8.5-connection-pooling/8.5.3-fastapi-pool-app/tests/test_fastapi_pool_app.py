"""Hidden tests for 8.5.3: the engine is built in the lifespan from DATABASE_URL and
POOL_TIMEOUT, every request returns its connection, pool exhaustion and database errors are
503 with Retry-After, and GET /health/db reports the pool.

Each test sets DATABASE_URL to a SQLite file under tmp_path and POOL_TIMEOUT=0.01 before the
app starts, runs main.app's lifespan through TestClient, and inserts or drops rows with the
stdlib sqlite3 module. Where the order of the rows is checked, the app's connections answer a
SELECT without ORDER BY in reverse (SQLite's reverse_unordered_selects). The pool is exhausted
by the test itself holding five connections of app.state.engine, so a checkout times out after
0.01 s (the README's "usually 0.05" leaves the value to the tests: a shorter wait proves the
same 503, as no request of a correct app ever waits for a connection otherwise). The garbage
collector is paused while connections are counted, so a connection left to it shows as still
checked out."""

import gc
import sqlite3
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.pool import QueuePool

from grader.testing import client_for

ROWS = [{"id": 1, "name": "kettle"}, {"id": 2, "name": "teapot"}]
POOL_TIMEOUT = "0.01"  # seconds, a fraction as the README allows


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "metadata")


@pytest.fixture
def db_path(monkeypatch, tmp_path):
    path = tmp_path / "app.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("POOL_TIMEOUT", POOL_TIMEOUT)
    return path


@contextmanager
def no_garbage_collection():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def sqlite_run(db_path, *statements) -> None:
    conn = sqlite3.connect(db_path)
    try:
        for statement, *params in statements:
            conn.execute(statement, *params)
        conn.commit()
    except sqlite3.OperationalError as exc:
        pytest.fail(
            f"after the app started, {statements[0][0]!r} failed on DATABASE_URL's file ({exc}): "
            "does the lifespan create the items table there?"
        )
    finally:
        conn.close()


def add_rows(db_path) -> None:
    sqlite_run(
        db_path,
        *[("INSERT INTO items (id, name) VALUES (?, ?)", (r["id"], r["name"])) for r in ROWS],
    )


def state_engine(app) -> Engine:
    engine = getattr(app.state, "engine", None)
    assert isinstance(engine, Engine), (
        f"after startup, app.state.engine is {engine!r}, not an Engine"
    )
    return engine


@contextmanager
def started(main):
    with client_for(main.app) as client:
        yield client, state_engine(main.app)


def unordered_selects_reversed(engine: Engine) -> None:
    """SQLite answers a SELECT without ORDER BY in the order of its table, which here is id
    order too; from now on every connection the app checks out answers such a SELECT the other
    way round, so only an ORDER BY gives the order the prompt asks for."""

    def reverse(dbapi_connection, record, proxy) -> None:
        dbapi_connection.execute("PRAGMA reverse_unordered_selects = ON")

    event.listen(engine, "checkout", reverse)


@contextmanager
def holding(engine: Engine, count: int):
    held = [engine.connect() for _ in range(count)]
    try:
        yield
    finally:
        for conn in held:
            conn.close()


def assert_503(response, what: str) -> None:
    assert response.status_code == 503, (
        f"{what}: GET /items answered {response.status_code}, not 503: {response.text[:200]}"
    )
    retry = response.headers.get("retry-after")
    assert retry is not None and retry.isdigit() and int(retry) >= 1, (
        f"{what}: the 503 had Retry-After {retry!r}, not a whole number of seconds >= 1"
    )
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("detail"), str), (
        f"{what}: the 503's body was {body!r}, not {{'detail': <message>}}"
    )


# --- Task 1: the engine lives in the lifespan -------------------------------------------------


@pytest.mark.task(1)
def test_engine_built_at_startup_with_pool_settings(main, db_path):
    with started(main) as (client, engine):
        pool = engine.pool
        assert isinstance(pool, QueuePool), f"app.state.engine has a {type(pool).__name__}"
        observed = {
            "size()": pool.size(),
            "_max_overflow": pool._max_overflow,
            "timeout()": pool.timeout(),
            "_pre_ping": pool._pre_ping,
        }
        expected = {
            "size()": 5,
            "_max_overflow": 0,
            "timeout()": float(POOL_TIMEOUT),
            "_pre_ping": True,
        }
        assert observed == expected, f"with POOL_TIMEOUT={POOL_TIMEOUT} the pool had {observed}"
        assert engine.url.database == str(db_path), (
            f"app.state.engine is on {engine.url!r}, not on DATABASE_URL ({db_path})"
        )


@pytest.mark.task(1)
def test_pool_timeout_read_at_startup(main, db_path, monkeypatch):
    monkeypatch.setenv("POOL_TIMEOUT", "2.5")
    with started(main) as (client, engine):
        assert engine.pool.timeout() == 2.5, (
            f"with POOL_TIMEOUT=2.5 set before startup, pool.timeout() was {engine.pool.timeout()}"
        )


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_engine_disposed_at_shutdown(main, db_path):
    closed = []
    with started(main) as (client, engine):
        add_rows(db_path)
        assert client.get("/items").status_code == 200
        event.listen(engine, "close", lambda dbapi_connection, record: closed.append(1))
        assert engine.pool.checkedin() >= 1, "after GET /items the pool kept no connection open"
    assert closed, (
        "the pool's open connections were not closed at shutdown: "
        "the lifespan does not dispose of app.state.engine"
    )


# --- Task 2: one pooled connection per request, always returned ------------------------------


@pytest.mark.task(2)
def test_items_come_from_database_url(main, db_path):
    with started(main) as (client, engine):
        add_rows(db_path)
        unordered_selects_reversed(engine)
        response = client.get("/items")
        assert response.status_code == 200, f"GET /items answered {response.status_code}"
        assert response.json() == ROWS, (
            f"GET /items answered {response.json()}, not the rows ordered by id"
        )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_forty_requests_return_every_connection(main, db_path):
    with started(main) as (client, engine), no_garbage_collection():
        add_rows(db_path)
        opened = []
        event.listen(engine, "connect", lambda dbapi_connection, record: opened.append(1))
        statuses = {client.get("/items").status_code for _ in range(40)}
        assert statuses == {200}, f"40 GET /items answered {sorted(statuses)}"
        assert engine.pool.checkedout() == 0, (
            f"after 40 requests pool.checkedout() was {engine.pool.checkedout()}"
        )
        assert len(opened) <= 5, f"40 requests opened {len(opened)} new DBAPI connections"
        health = client.get("/health/db").json()
        assert health.get("checked_out") == 0, f"after 40 requests GET /health/db said {health}"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_failed_requests_return_their_connections(main, db_path):
    with started(main) as (client, engine), no_garbage_collection():
        sqlite_run(db_path, ("DROP TABLE items",))
        statuses = [client.get("/items").status_code for _ in range(4)]
        assert 200 not in statuses, f"GET /items without its table answered {statuses}"
        assert engine.pool.checkedout() == 0, (
            f"after 4 failed GET /items, pool.checkedout() was {engine.pool.checkedout()}: "
            "a failed request kept its connection"
        )


# --- Task 3: 503 with Retry-After --------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_exhausted_pool_is_503_then_recovers(main, db_path):
    with started(main) as (client, engine):
        add_rows(db_path)
        with holding(engine, 5):
            assert_503(client.get("/items"), "with all 5 connections held by the test")
        response = client.get("/items")
        assert response.status_code == 200 and response.json() == ROWS, (
            f"once the 5 connections were returned, GET /items answered "
            f"{response.status_code}: {response.text[:200]}"
        )


@pytest.mark.task(3)
def test_operational_error_is_503(main, db_path):
    with started(main) as (client, engine):
        sqlite_run(db_path, ("DROP TABLE items",))
        assert_503(client.get("/items"), "with the items table dropped (OperationalError)")


# --- Task 4: GET /health/db ------------------------------------------------------------------


@pytest.mark.task(4)
def test_health_reports_checked_out_and_size(main, db_path):
    with started(main) as (client, engine):
        idle = client.get("/health/db")
        assert idle.status_code == 200 and idle.json() == {"checked_out": 0, "size": 5}, (
            f"GET /health/db on an idle app answered {idle.status_code}: {idle.text[:200]}"
        )
        with holding(engine, 3):
            busy = client.get("/health/db").json()
        assert busy == {"checked_out": 3, "size": 5}, (
            f"with 3 connections held by the test, GET /health/db said {busy}"
        )


@pytest.mark.task(4)
def test_health_answers_while_pool_is_exhausted(main, db_path):
    with started(main) as (client, engine):
        with holding(engine, 5):
            response = client.get("/health/db")
        assert response.status_code == 200 and response.json() == {
            "checked_out": 5,
            "size": 5,
        }, (
            f"with all 5 connections held, GET /health/db answered {response.status_code}: "
            f"{response.text[:200]}"
        )
