"""Hidden tests for 4.6.2: the lifespan opens an engine, an HTTP client and an audit buffer, and
releases them at shutdown in order (flush, close, dispose), whatever happens."""

import asyncio
import contextlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, event

from grader.testing import client_for

# The prompt announces it: DeprecationWarnings raised from main.py are errors in every test.
pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning:main")

NAMES = ("app", "make_engine", "make_http_client", "AuditBuffer")
PRICE = 101.25


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


def price_service(request: httpx.Request) -> httpx.Response:
    symbol = request.url.path.rsplit("/", 1)[-1]
    if request.method != "GET" or not request.url.path.startswith("/prices/"):
        return httpx.Response(404, json={"error": f"no route {request.method} {request.url.path}"})
    if symbol == "DOWN":
        return httpx.Response(503, json={"error": "the price service is down"})
    return httpx.Response(200, json={"symbol": symbol, "price": PRICE})


class FactoryFailed(RuntimeError):
    pass


@dataclass
class Watch:
    """What the test's factories handed out, and what happened to it, in order."""

    audit_path: Path
    events: list = field(default_factory=list)
    engines: list = field(default_factory=list)
    clients: list = field(default_factory=list)
    requested: list = field(default_factory=list)
    fail: set = field(default_factory=set)  # "engine", "http", "http-close"

    def audit_lines(self) -> list[str]:
        path = self.audit_path
        return path.read_text(encoding="utf-8").splitlines() if path.is_file() else []

    def steps(self) -> list[str]:
        return [name for name, _ in self.events]

    def when(self, step: str):
        return next((seen for name, seen in self.events if name == step), None)


class WatchedTransport(httpx.MockTransport):
    def __init__(self, watch: Watch) -> None:
        self.watch = watch

        def handler(request):
            watch.requested.append(f"{request.method} {request.url.path}")
            return price_service(request)

        super().__init__(handler)

    async def aclose(self) -> None:
        self.watch.events.append(("http closed", self.watch.audit_lines()))
        if "http-close" in self.watch.fail:
            raise RuntimeError("the HTTP client failed to close")


@pytest.fixture
def main(learner):
    return import_main(learner)


@pytest.fixture
def watch(main, tmp_path, monkeypatch):
    folder = tmp_path / "logs"
    folder.mkdir()
    watched = Watch(audit_path=folder / "audit.log")
    monkeypatch.setenv("AUDIT_PATH", str(watched.audit_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    real_make_engine = main.make_engine
    base_url = getattr(main, "UPSTREAM_URL", "https://prices.example.com")

    def make_engine(*args, **kwargs):
        if "engine" in watched.fail:
            raise FactoryFailed("make_engine failed (the test made it fail)")
        engine = real_make_engine(*args, **kwargs)

        def disposed(_engine):
            client_closed = [client.is_closed for client in watched.clients]
            watched.events.append(("engine disposed", client_closed))

        event.listen(engine, "engine_disposed", disposed)
        watched.engines.append(engine)
        return engine

    def make_http_client(*args, **kwargs):
        if "http" in watched.fail:
            raise FactoryFailed("make_http_client failed (the test made it fail)")
        client = httpx.AsyncClient(base_url=base_url, transport=WatchedTransport(watched))
        watched.clients.append(client)
        return client

    monkeypatch.setattr(main, "make_engine", make_engine)
    monkeypatch.setattr(main, "make_http_client", make_http_client)
    return watched


def running(app):
    """`with running(app) as client:` runs the app's lifespan around the block."""
    return client_for(app)


def stop(client) -> Exception | None:
    """Leave a running client's lifespan; the error shutdown raised, if any."""
    try:
        client.__exit__(None, None, None)
    except Exception as exc:  # a failing cleanup step may propagate: that is allowed
        return exc
    return None


def startup_error(app) -> Exception | None:
    try:
        with running(app):
            pass
    except Exception as exc:  # any error, as long as the app does not start
        return exc
    return None


def get_price(client, symbol):
    response = client.get(f"/prices/{symbol}")
    assert response.status_code == 200, (
        f"GET /prices/{symbol} answered {response.status_code}: {response.text[:200]}"
    )
    return response


def check_opened(main, watch):
    assert len(watch.engines) == 1 and len(watch.clients) == 1, (
        f"startup called make_engine() {len(watch.engines)} time(s) and make_http_client() "
        f"{len(watch.clients)} time(s), expected once each"
    )


def check_audit_path(main, expected: Path, named: str = "AUDIT_PATH") -> None:
    """While the app runs: app.state.audit writes where AUDIT_PATH said when the app started, so
    that a wrong file shows as that cause rather than as missing lines later. Silent when there
    is no AuditBuffer on app.state (other checks report that)."""
    path = getattr(getattr(main.app.state, "audit", None), "path", None)
    if path is None:
        return
    assert Path(path).resolve() == expected.resolve(), (
        f"while the app runs, app.state.audit writes to {path}, not to {named} {expected} (set "
        "after main.py was imported, before the app started): read AUDIT_PATH in the lifespan, "
        "when the app starts, not at import"
    )


def check_all_released(watch, when):
    open_clients = [client for client in watch.clients if not client.is_closed]
    assert not open_clients, f"{when}, the HTTP client was never closed"
    disposed = watch.steps().count("engine disposed")
    assert disposed >= len(watch.engines), f"{when}, the engine was never disposed"


# --- Task 1: open the resources -------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Open them inside the lifespan, before the yield: `app.state.engine = make_engine()`, "
    "`app.state.http = make_http_client()`, `app.state.audit = AuditBuffer(os.environ.get("
    "'AUDIT_PATH', DEFAULT_AUDIT_PATH))`. Call the factories by their names there, so that the "
    "tests' versions are used."
)
def test_startup_opens_the_three_resources_on_app_state(main, watch):
    client = running(main.app).__enter__()
    try:
        check_opened(main, watch)
        state = main.app.state
        assert getattr(state, "engine", None) is watch.engines[0], (
            "app.state.engine is not the engine make_engine() returned"
        )
        assert getattr(state, "http", None) is watch.clients[0], (
            "app.state.http is not the client make_http_client() returned"
        )
        audit = getattr(state, "audit", None)
        assert isinstance(audit, main.AuditBuffer), (
            f"app.state.audit is {audit!r}, not an AuditBuffer"
        )
        check_audit_path(main, watch.audit_path)
    finally:
        stop(client)


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Add the audit line first (`request.app.state.audit.add(f'price {symbol}')`), then "
    "`response = await request.app.state.http.get(f'/prices/{symbol}')`, "
    "`response.raise_for_status()` and `return response.json()`."
)
def test_prices_come_from_the_service_and_are_audited(main, watch):
    with running(main.app) as client:
        check_audit_path(main, watch.audit_path)
        first = get_price(client, "AAPL")
        get_price(client, "MSFT")
        health = client.get("/health")
    assert first.json() == {"symbol": "AAPL", "price": PRICE}, (
        f"GET /prices/AAPL answered {first.json()}, not the price service's JSON"
    )
    assert watch.requested == ["GET /prices/AAPL", "GET /prices/MSFT"], (
        f"the price service received {watch.requested}"
    )
    assert health.status_code == 200 and health.json() == {"database": "ok"}, (
        f"GET /health answered {health.status_code} {health.text[:200]}"
    )
    assert watch.audit_lines() == ["price AAPL", "price MSFT"], (
        f"after two requests and a shutdown, the audit file holds {watch.audit_lines()}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Every request uses the one client of app.state.http and leaves it open: "
    "`async with request.app.state.http:` closes it after the first request, and a client "
    "created per request is not the shared one."
)
def test_every_request_shares_the_one_client_and_nothing_closes_early(main, watch):
    with running(main.app) as client:
        statuses = [client.get(f"/prices/S{n}").status_code for n in range(3)]
        health = client.get("/health").status_code
        early = watch.steps()
        open_during_run = [not c.is_closed for c in watch.clients]
    assert statuses == [200, 200, 200] and health == 200, (
        f"three GET /prices answered {statuses} and GET /health {health}"
    )
    assert len(watch.clients) == 1, (
        f"make_http_client() was called {len(watch.clients)} times during one run: the client is "
        "created once, at startup"
    )
    assert not early and all(open_during_run), (
        f"while the app was running, these cleanup steps already ran: {early}"
    )
    assert len(watch.requested) == 3, f"the price service received {watch.requested}"


@pytest.mark.task(1)
@pytest.mark.hint(
    "Read AUDIT_PATH inside the lifespan, with a default: "
    "`os.environ.get('AUDIT_PATH', DEFAULT_AUDIT_PATH)`."
)
def test_without_audit_path_the_audit_goes_to_audit_log(main, watch, tmp_path, monkeypatch):
    workdir = tmp_path / "workdir"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.delenv("AUDIT_PATH")
    default = workdir / "audit.log"
    with running(main.app) as client:
        check_audit_path(main, default, named="the default audit.log in the working folder")
        get_price(client, "IBM")
    assert default.is_file(), "without AUDIT_PATH, no audit.log was written in the working folder"
    lines = default.read_text(encoding="utf-8").splitlines()
    assert lines == ["price IBM"], f"without AUDIT_PATH, audit.log holds {lines}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Nothing is opened at module level: the factories are called in the lifespan, on every "
    "start, and AUDIT_PATH is read there."
)
def test_nothing_is_opened_at_import_and_each_start_opens_new_ones(
    learner, main, watch, tmp_path, monkeypatch
):
    with running(main.app) as client:
        check_audit_path(main, watch.audit_path)
        get_price(client, "ONE")
    second = tmp_path / "second.log"
    monkeypatch.setenv("AUDIT_PATH", str(second))
    with running(main.app) as client:
        check_audit_path(main, second)
        get_price(client, "TWO")
    assert len(watch.engines) == 2 and len(watch.clients) == 2, (
        f"two starts of the app called make_engine() {len(watch.engines)} and make_http_client() "
        f"{len(watch.clients)} time(s): each start opens new ones"
    )
    assert watch.audit_lines() == ["price ONE"], (
        f"the first run's audit file holds {watch.audit_lines()}"
    )
    lines = second.read_text(encoding="utf-8").splitlines() if second.is_file() else []
    assert lines == ["price TWO"], (
        f"AUDIT_PATH was changed before the second start; that file holds {lines}"
    )
    fresh = import_main(learner, fresh=True)
    held = sorted(
        name
        for name, value in vars(fresh).items()
        if isinstance(value, Engine | httpx.AsyncClient | fresh.AuditBuffer)
    )
    assert not held, f"right after importing main.py, {held} already hold(s) an open resource"
    opened = [name for name in ("engine", "http", "audit") if hasattr(fresh.app.state, name)]
    assert not opened, f"right after importing main.py, app.state already has {opened}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`@app.on_event('shutdown')` is deprecated and is not called at all when the app has a "
    "lifespan; FastAPI(on_startup=..., on_shutdown=...) is the same old mechanism. Put the "
    "cleanup after the lifespan's yield, in `finally` blocks."
)
def test_no_deprecated_startup_or_shutdown_events(learner, watch):
    # Imported and run under this module's filter: a DeprecationWarning from main.py is an error.
    main = import_main(learner, fresh=True)
    with running(main.app) as client:
        client.get("/health")
    router = main.app.router
    handlers = list(getattr(router, "on_startup", [])) + list(getattr(router, "on_shutdown", []))
    names = [getattr(handler, "__name__", repr(handler)) for handler in handlers]
    assert not names, f"the app has startup/shutdown event handlers {names}: use the lifespan"


# --- Task 2: clean up at shutdown, in order -------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "After the yield: `audit.flush()`, `await http.aclose()`, `engine.dispose()`, each in a "
    "`finally` (or on an AsyncExitStack)."
)
def test_shutdown_flushes_closes_and_disposes(main, watch):
    with running(main.app) as client:
        check_audit_path(main, watch.audit_path)
        get_price(client, "AAPL")
        get_price(client, "NVDA")
        audit = getattr(main.app.state, "audit", None)
        assert audit is not None, "app.state.audit is not set while the app runs"
        audit.add("added by the test")
    check_opened(main, watch)
    assert watch.audit_lines() == ["price AAPL", "price NVDA", "added by the test"], (
        f"after the app stopped, the audit file holds {watch.audit_lines()}: the lifespan did "
        "not flush app.state.audit when the app stopped"
    )
    assert watch.clients[0].is_closed, "after the app stopped, app.state.http is not closed"
    assert "engine disposed" in watch.steps(), "after the app stopped, the engine was not disposed"


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "The order is flush, then close, then dispose. With an AsyncExitStack, register them in the "
    "opposite order (engine first, then the client, then the buffer): the stack runs its "
    "callbacks last-in, first-out."
)
def test_shutdown_order_is_flush_then_close_then_dispose(main, watch):
    with running(main.app) as client:
        check_audit_path(main, watch.audit_path)
        get_price(client, "AAPL")
    check_opened(main, watch)
    steps = watch.steps()
    assert steps == ["http closed", "engine disposed"], (
        f"at shutdown the steps ran in the order {steps}, expected the HTTP client closed, then "
        "the engine disposed"
    )
    assert watch.when("http closed") == ["price AAPL"], (
        f"when the HTTP client was closed, the audit file held {watch.when('http closed')}: flush "
        "the buffer before closing the client"
    )
    assert watch.when("engine disposed") == [True], (
        "the engine was disposed while the HTTP client was still open: close the client first"
    )


# --- Task 3: ... whatever happens -----------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Add the audit line before asking the price service, so that a failed request is audited "
    "too; a failed request changes nothing for the shutdown."
)
def test_a_failed_request_changes_nothing_for_the_cleanup(main, watch):
    with running(main.app) as client:
        check_audit_path(main, watch.audit_path)
        failed = client.get("/prices/DOWN")
        get_price(client, "AAPL")
    assert failed.status_code >= 500, (
        f"GET /prices/DOWN, where the price service answered 503, answered {failed.status_code}"
    )
    assert watch.audit_lines() == ["price DOWN", "price AAPL"], (
        f"after a failed and a good request, the audit file holds {watch.audit_lines()}"
    )
    check_all_released(watch, "after a request had failed")


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "A cancelled lifespan gets CancelledError at the yield: only `finally` blocks (or an "
    "AsyncExitStack) still run. Code after a bare yield is skipped."
)
def test_a_cancelled_lifespan_still_cleans_up(main, watch):
    app = main.app

    async def scenario():
        served = asyncio.Event()
        answers = []

        async def serve():
            async with app.router.lifespan_context(app):
                check_audit_path(main, watch.audit_path)
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://app") as c:
                    answers.append((await c.get("/prices/AAPL")).status_code)
                served.set()
                await asyncio.Event().wait()  # the app runs until the server cancels it

        task = asyncio.create_task(serve())
        waiter = asyncio.create_task(served.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return served.is_set(), answers

    served, answers = asyncio.run(scenario())
    assert served and answers == [200], (
        f"the lifespan did not start, or GET /prices/AAPL during the run answered {answers}"
    )
    assert watch.audit_lines() == ["price AAPL"], (
        f"the lifespan was cancelled, and the audit file holds {watch.audit_lines()}: the buffer "
        "was not flushed"
    )
    check_all_released(watch, "when the lifespan was cancelled")


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.parametrize("failing", ["flush", "http-close"])
@pytest.mark.hint(
    "One `finally` per resource (nested), or an AsyncExitStack: a step that raises must not skip "
    "the steps after it. Three calls in one `finally` stop at the first that raises."
)
def test_a_failing_cleanup_step_does_not_skip_the_next_ones(main, watch, failing):
    client = running(main.app).__enter__()
    try:
        check_audit_path(main, watch.audit_path)
    except AssertionError:
        stop(client)
        raise
    response = client.get("/prices/AAPL")
    if failing == "flush":
        shutil.rmtree(watch.audit_path.parent)  # flush() now raises FileNotFoundError
    else:
        watch.fail.add("http-close")
    stop(client)
    assert response.status_code == 200, f"GET /prices/AAPL answered {response.status_code}"
    check_opened(main, watch)
    if failing == "flush":
        assert watch.clients[0].is_closed, (
            "flush() raised at shutdown (the audit folder was removed), and the HTTP client was "
            "then never closed"
        )
        what = "flush() raised at shutdown (the audit folder was removed)"
    else:
        what = "closing the HTTP client raised at shutdown"
        assert watch.audit_lines() == ["price AAPL"], (
            f"the audit file holds {watch.audit_lines()} after the shutdown"
        )
    assert "engine disposed" in watch.steps(), f"{what}, and the engine was then never disposed"


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.parametrize("failing", ["audit", "http", "engine"])
@pytest.mark.hint(
    "Protect each resource as soon as it is opened: `engine = make_engine()` then `try:` (or "
    "`stack.callback(engine.dispose)` right away), and so on. Opening all three before the "
    "first `try` leaks the ones opened before the failure."
)
def test_a_failed_startup_releases_what_was_opened(main, watch, failing):
    if failing == "audit":
        shutil.rmtree(watch.audit_path.parent)  # AuditBuffer(path) raises FileNotFoundError
    else:
        watch.fail.add(failing)
    error = startup_error(main.app)
    if error is None and failing == "audit":
        check_audit_path(main, watch.audit_path)  # the app opened another file: that is the cause
    assert error is not None, (
        f"startup failed at the {failing} step, and the app started anyway: the error must "
        "propagate"
    )
    check_all_released(watch, f"when startup failed at the {failing} step")
