"""The suite kit: what hidden suites share, so that none of them copies it.

The plugin (`grader.pytest_plugin`) turns these into fixtures (`db_engine`, `db_client`,
`app_client`, `sql_counter`, `clock`); suites that need one at module scope, or outside a
fixture, import them from here. The database convention of the course: a private in-memory
SQLite database per test, shared by every thread, foreign keys on; the learner's `get_db`
overridden to hand out sessions on it; reads go through a fresh `Session`, never through the
learner's objects."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

EPOCH = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def memory_engine(metadata: Any = None, foreign_keys: bool = True):
    """An in-memory SQLite engine shared by every thread (StaticPool), with the tables of
    `metadata` created and, by default, foreign keys enforced."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import StaticPool

    engine = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    if foreign_keys:

        @event.listens_for(engine, "connect")
        def _enforce(dbapi_connection, _record) -> None:
            dbapi_connection.execute("PRAGMA foreign_keys=ON")

    if metadata is not None:  # a new database has no tables: nothing to ask before creating
        metadata.create_all(engine, checkfirst=False)
    return engine


@contextmanager
def overridden_db(app: Any, get_db: Callable, engine: Any) -> Iterator[Callable]:
    """Within the block, `get_db` yields sessions on `engine`; the override is always removed."""
    from sqlalchemy.orm import sessionmaker

    factory = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)

    def override():
        with factory() as session:
            yield session

    app.dependency_overrides[get_db] = override
    try:
        yield factory
    finally:
        app.dependency_overrides.pop(get_db, None)


@contextmanager
def bound_sessionmaker(session_local: Any, engine: Any, name: str = "main.SessionLocal"):
    """Within the block, the learner's `sessionmaker` makes sessions on `engine`; its own bind
    is put back after. A `session_local` that is not a sessionmaker fails the test, saying so."""
    if not callable(getattr(session_local, "configure", None)):
        import pytest

        pytest.fail(
            f"{name} is {session_local!r}, not a sessionmaker: the tests point "
            "it at their database with SessionLocal.configure(bind=...)"
        )
    before = session_local.kw.get("bind")
    session_local.configure(bind=engine)
    try:
        yield session_local
    finally:
        session_local.configure(bind=before)


# What the app under test raised behind its 500 answers, during the current test (the plugin
# empties it before each test and shows the learner where their code raised).
server_errors: list[BaseException] = []
MAX_SERVER_ERRORS = 3


def _recording(app: Any) -> Any:
    """The ASGI app, keeping what it raises (it still raises: the client answers 500)."""

    async def recorded(scope: Any, receive: Any, send: Any) -> None:
        try:
            await app(scope, receive, send)
        except Exception as exc:
            del server_errors[: -MAX_SERVER_ERRORS + 1]
            server_errors.append(exc)
            raise

    return recorded


def client_for(app: Any, **options: Any):
    """A TestClient that reports a server error as the 500 a real client sees, never follows
    redirects unless asked, and otherwise takes TestClient's options (`with` it to run the
    app's lifespan). Each request is one call into the app's event loop (`grader.kit_client`);
    what the app raised is kept for the learner's traceback; `client.app` stays the learner's
    app."""
    from fastapi.testclient import TestClient

    from grader.kit_client import whole_requests

    options.setdefault("raise_server_exceptions", False)
    options.setdefault("follow_redirects", False)
    client = whole_requests(TestClient(app, **options))
    transport = getattr(client, "_transport", None)
    if transport is not None and getattr(transport, "app", None) is not None:
        transport.app = _recording(transport.app)
    return client


@contextmanager
def one_event_loop(client: Any) -> Iterator[Any]:
    """Within the block, the requests of `client` run on one event loop, as under a real
    server, started at the first request, instead of TestClient's new thread and loop for each
    request. The app's lifespan does not run; `with client:` still runs it on a loop of its own."""
    import anyio.from_thread

    stack = ExitStack()
    make_portal = client._portal_factory
    starting = threading.Lock()  # first requests from several threads at once: one loop

    @contextmanager
    def shared_portal() -> Iterator[Any]:
        with starting:
            if client.portal is None:
                client.portal = stack.enter_context(
                    anyio.from_thread.start_blocking_portal(**client.async_backend)
                )
                stack.callback(setattr, client, "portal", None)
        yield client.portal

    client._transport.portal_factory = shared_portal
    try:
        yield client
    finally:
        client._transport.portal_factory = make_portal
        stack.close()


@contextmanager
def looped_client(app: Any, **options: Any) -> Iterator[Any]:
    """`client_for(app)` whose requests share one event loop (`one_event_loop`) within the
    block, and closed after it: the client a fixture keeps for a whole module or test."""
    client = client_for(app, **options)
    try:
        with one_event_loop(client):
            yield client
    finally:
        client.close()


class CurrentApp:
    """An ASGI app that hands each request to `app`, which each test sets: one module client
    (`looped_client(CurrentApp())`) serves the app of every test's fresh import. A request
    gets `state` as its scope's state: what that app's lifespan set, where a test ran it (as
    `with TestClient(app)` gives each request a copy of it)."""

    def __init__(self) -> None:
        self.app: Any = None
        self.state: dict = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if "state" in scope:
            scope["state"] = dict(self.state)
        await self.app(scope, receive, send)


@contextmanager
def reversed_scans(engine: Any) -> Iterator[None]:
    """Within the block, SQLite answers every SELECT without an ORDER BY in reverse (`PRAGMA
    reverse_unordered_selects`): a result in `id` order only because the table is scanned that
    way shows as the wrong order, so a README's "in `id` order" can be checked. On a
    `memory_engine` (one connection for every session); turned off again afterwards."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA reverse_unordered_selects = ON")
    try:
        yield
    finally:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA reverse_unordered_selects = OFF")


def empty_database(engine: Any, metadata: Any) -> None:
    """Make a module's shared database (`memory_engine`) as a new one for the next test: every
    table of `metadata` emptied (children first), ids counted from 1 again, SQLite's
    `reverse_unordered_selects` off. Much cheaper than a new engine and `create_all` a test,
    which would also compile every statement again (SQLAlchemy caches them per engine)."""
    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA reverse_unordered_selects = OFF")
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
        sequences = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"
        if connection.exec_driver_sql(sequences).first() is not None:
            connection.exec_driver_sql("DELETE FROM sqlite_sequence")


class SavedDatabase:
    """A copy of an in-memory database (`memory_engine`), written back before each test: a
    module seeds its rows once, and every test starts from exactly them (schema, rows and ids),
    whatever an earlier test changed or dropped. SQLite's backup API takes microseconds, where
    a new engine, `create_all` and seeding take milliseconds a test."""

    def __init__(self, engine: Any) -> None:
        import sqlite3

        self.engine = engine
        self.copy = sqlite3.connect(":memory:")
        self._backup(target=self.copy)

    def restore(self) -> None:
        self._backup(source=self.copy)

    def close(self) -> None:
        self.copy.close()

    def _backup(self, source: Any = None, target: Any = None) -> None:
        raw = self.engine.raw_connection()
        try:
            own = raw.driver_connection
            (source or own).backup(target or own)
        finally:
            raw.close()


def fresh_scalars(engine: Any, statement: Any) -> list:
    """The rows of `statement`, read through a new Session: what is really committed."""
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        return list(session.scalars(statement).all())


@dataclass
class SqlCounter:
    """Counts the statements an engine runs (`with counter: ...`), for N+1 checks."""

    engine: Any
    statements: list[str] = field(default_factory=list)

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    def __enter__(self) -> SqlCounter:
        from sqlalchemy import event

        self.statements.clear()
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._record)

    @property
    def count(self) -> int:
        return len(self.statements)

    @property
    def selects(self) -> int:
        return sum(1 for s in self.statements if s.lstrip().upper().startswith("SELECT"))


@dataclass
class FakeClock:
    """A clock that moves only when the test moves it: expiry, rate limits and caches are
    tested by `advance()`, never by sleeping. Hand `clock.now`, `clock.time`,
    `clock.monotonic` or `clock.sleep` to code whose prompt says the clock is injected."""

    start: datetime = EPOCH
    elapsed: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self.elapsed += seconds

    def now(self, tz: Any = None) -> datetime:
        """Timezone-aware UTC (or `tz`), like `datetime.now(UTC)`."""
        moment = self.start + timedelta(seconds=self.elapsed)
        return moment.astimezone(tz) if tz is not None else moment

    def time(self) -> float:
        return self.now().timestamp()

    def monotonic(self) -> float:
        return 1000.0 + self.elapsed

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(max(0.0, seconds))

    async def asleep(self, seconds: float) -> None:
        """`await clock.asleep(s)`: moves the clock, then yields one event-loop turn."""
        self.sleep(seconds)
        await asyncio.sleep(0)


# Loop turns a handler may take before a wait gives up (a correct server needs a handful); quiet
# turns in a row that count as "nothing left to do".
MAX_TURNS = 20_000
QUIET_TURNS = 3


class LoopCalm:
    """Waits on a TestClient's event loop without waiting on wall time (WebSocket suites).

    `install()` (run on the loop, e.g. `client.portal.call(calm.install)`) stops the loop's clock,
    so a handler that sleeps or waits on a timeout never wakes, on an idle machine as on a loaded
    one, and counts the loop's thread work. `until(ready)` then turns the loop until `ready()`
    answers something, or the server has nothing left to do (None): no other task ready to run
    for QUIET_TURNS turns in a row and no thread at work. Loop work is counted in turns, which do
    not depend on how busy the machine is; thread work is waited for until it ends; a server that
    keeps the loop busy for MAX_TURNS turns counts as done."""

    def __init__(self) -> None:
        self.executor_jobs: set = set()
        self.loop: asyncio.AbstractEventLoop | None = None

    def install(self) -> None:
        loop = self.loop = asyncio.get_running_loop()
        frozen = loop.time()
        loop.time = lambda: frozen  # type: ignore[method-assign]
        run_in_executor = loop.run_in_executor
        jobs = self.executor_jobs

        def tracked(executor, func, *args):
            future = run_in_executor(executor, func, *args)
            jobs.add(future)
            future.add_done_callback(jobs.discard)
            return future

        loop.run_in_executor = tracked  # type: ignore[method-assign]

    def threads_at_work(self) -> bool:
        import anyio.to_thread

        limiter = anyio.to_thread.current_default_thread_limiter()
        return bool(self.executor_jobs) or limiter.borrowed_tokens > 0

    async def until(self, ready: Callable[[], Any]) -> Any:
        import anyio

        quiet = turns = 0
        while True:
            found = ready()
            if found is not None:
                return found
            if self.threads_at_work():
                quiet = 0
            elif self.loop._ready:  # type: ignore[union-attr]  # another task can run
                quiet, turns = 0, turns + 1
                if turns >= MAX_TURNS:
                    return None
            else:
                quiet += 1
                if quiet >= QUIET_TURNS:
                    return None
            await anyio.sleep(0)
