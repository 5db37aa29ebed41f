"""Hidden tests for 2.5.2.

The helpers `crunch`, `sleeper` and `legacy_sleep` are replaced by stand-ins that hold every call
at a Gate until the test releases it. Concurrency is observed by counting the calls held at the
same time, never by timing requests, and every wait ends on an event:

- the gate opens once the expected calls are all held, or once every request is over;
- a blocking call made on the event loop's own thread can never be joined by another request
  (nothing else runs until it returns), so the gate lets it through at once;
- when every worker thread is taken and a request is queued for one, no queued request can join
  the held calls, so the test opens the gate.

DEADLOCK_BREAKER only ends a wait that no event can end (calls serialised by a lock, say);
correct solutions never reach it, however loaded the machine.
"""

import ast
import asyncio
import threading
import time

import anyio.to_thread
import httpx
import pytest

POLL = 0.002  # seconds between two looks at the gate from the event loop
DEADLOCK_BREAKER = 2.0  # seconds; only a wait that no event can end gets this far


class Gate:
    """Holds calls until `expected` of them are in flight (auto) or the test calls release()."""

    def __init__(self, expected: int, auto_release: bool = True):
        self.expected = expected
        self.auto_release = auto_release
        self.lock = threading.Lock()
        self.calls: list[object] = []
        self.in_flight = 0
        self.peak = 0
        self.all_in = threading.Event()
        self.released = threading.Event()
        self.gave_up = False
        self.on_loop = False  # a blocking call ran on the event loop's thread
        self.loop_thread: int | None = None  # set by a scenario: the thread of its event loop

    def enter(self, arg: object) -> None:
        with self.lock:
            self.calls.append(arg)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            if self.in_flight >= self.expected:
                self.all_in.set()
                if self.auto_release:
                    self.released.set()

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def give_up(self) -> None:
        self.gave_up = True
        self.released.set()
        self.all_in.set()

    def release(self) -> None:
        self.released.set()

    def hold_blocking(self, arg: object) -> None:
        """Called on whatever thread runs the learner's code; blocks that thread."""
        self.enter(arg)
        try:
            if self.released.is_set():
                return
            if threading.get_ident() == self.loop_thread:
                # The event loop itself is blocked: no other request can start until this call
                # returns, so waiting for one would wait forever.
                self.on_loop = True
                self.give_up()
            elif not self.released.wait(DEADLOCK_BREAKER):
                self.give_up()
        finally:
            self.leave()

    async def hold_async(self, arg: object) -> None:
        """Awaited by the learner's code; yields to its loop while it waits."""
        self.enter(arg)
        try:
            started = time.monotonic()
            while not self.released.is_set():
                if time.monotonic() - started > DEADLOCK_BREAKER:
                    self.give_up()
                    break
                await asyncio.sleep(POLL)
        finally:
            self.leave()


def thread_pool_is_jammed() -> bool:
    """Every worker thread of this loop's pool is taken and a request is queued for one."""
    stats = anyio.to_thread.current_default_thread_limiter().statistics()
    return stats.tasks_waiting > 0 and stats.borrowed_tokens >= stats.total_tokens


async def wait_for_gate(gate: Gate, tasks: list[asyncio.Task]) -> None:
    """Yield to the loop until the expected calls are all held or every request is over; open
    the gate when a queued request can never join the held calls."""
    started = time.monotonic()
    while not gate.all_in.is_set() and not all(task.done() for task in tasks):
        if thread_pool_is_jammed() or time.monotonic() - started > DEADLOCK_BREAKER:
            gate.give_up()
            return
        await asyncio.sleep(POLL)


async def answers_without_a_thread(task: asyncio.Task) -> bool:
    """True once the request is answered; False when it is queued for a worker thread that
    cannot come (every thread is held)."""
    started = time.monotonic()
    while not task.done():
        if thread_pool_is_jammed() or time.monotonic() - started > DEADLOCK_BREAKER:
            return False
        await asyncio.sleep(POLL)
    return True


async def run_together(client: httpx.AsyncClient, gate: Gate, path: str, count: int) -> list:
    """`count` concurrent GETs of `path`, the gate watched until the calls meet (or cannot)."""
    gate.loop_thread = threading.get_ident()
    tasks = [asyncio.create_task(client.get(path)) for _ in range(count)]
    await wait_for_gate(gate, tasks)
    return await asyncio.gather(*tasks)


def async_client(app) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def set_thread_pool_size(size: int) -> None:
    """Shrink the worker-thread pool that FastAPI uses for plain def handlers (this loop only)."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = size


def squares(n: int) -> int:
    return (n - 1) * n * (2 * n - 1) // 6


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "crunch", "sleeper", "legacy_sleep")


@pytest.fixture
def client(main, app_client):
    return app_client(main.app)


def fake_crunch(gate: Gate):
    def crunch(n):
        gate.hold_blocking(n)
        return squares(n)

    return crunch


def fake_sleeper(gate: Gate):
    async def sleeper(seconds):
        await gate.hold_async(seconds)

    return sleeper


def fake_legacy_sleep(gate: Gate):
    def legacy_sleep(seconds):
        gate.hold_blocking(seconds)

    return legacy_sleep


def check_ok(response: httpx.Response, path: str, body: dict) -> None:
    assert response.status_code == 200, (
        f"GET {path} answered {response.status_code}: {response.text[:200]}"
    )
    assert response.json() == body, f"GET {path} answered {response.json()}, expected {body}"


# --- Task 1: /cpu ----------------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.hint(
    'Answer `{"n": n, "result": crunch(n)}`, calling the module\'s crunch with the query\'s n.'
)
@pytest.mark.parametrize("n", [1, 10, 1000])
def test_cpu_returns_crunch_result(client, n):
    response = client.get("/cpu", params={"n": n})
    check_ok(response, f"/cpu?n={n}", {"n": n, "result": squares(n)})


@pytest.mark.task(1)
@pytest.mark.hint("n may be 0 itself: `0 <= n` is ge=0, not gt.")
def test_cpu_accepts_n_zero(client):
    response = client.get("/cpu", params={"n": 0})
    assert response.status_code != 422, (
        f"GET /cpu?n=0 answered 422, but 0 <= n <= 10_000_000 allows n=0: {response.text[:200]}"
    )
    check_ok(response, "/cpu?n=0", {"n": 0, "result": 0})


@pytest.mark.task(1)
@pytest.mark.hint(
    "Validate the query parameter: `n: Annotated[int, Query(ge=0, le=10_000_000)]`. The upper "
    "bound keeps one request from occupying a worker for minutes."
)
@pytest.mark.parametrize("query", ["n=-1", "n=10000001", "n=abc", ""])
def test_cpu_rejects_bad_n(client, query):
    response = client.get(f"/cpu?{query}")
    assert response.status_code == 422, f"GET /cpu?{query} answered {response.status_code}, not 422"


@pytest.mark.task(1)
@pytest.mark.hint("n may be as large as 10_000_000 itself: le=10_000_000, not lt.")
def test_cpu_accepts_the_largest_n(client, main, monkeypatch):
    n = 10_000_000
    monkeypatch.setattr(main, "crunch", squares)  # the real sum would take a second
    response = client.get("/cpu", params={"n": n})
    check_ok(response, f"/cpu?n={n}", {"n": n, "result": squares(n)})


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "CPU-bound work inside `async def` runs on the event loop and freezes every other request "
    "until it ends. Declare /cpu with a plain `def` (FastAPI then runs it in a worker thread), "
    "or hand crunch to a thread: `await run_in_threadpool(crunch, n)`."
)
def test_cpu_work_leaves_the_event_loop_free(main, monkeypatch):
    gate = Gate(expected=1, auto_release=False)
    monkeypatch.setattr(main, "crunch", fake_crunch(gate))

    async def scenario():
        gate.loop_thread = threading.get_ident()
        async with async_client(main.app) as client:
            cpu = asyncio.create_task(client.get("/cpu", params={"n": 10}))
            await wait_for_gate(gate, [cpu])
            # Any request needs the event loop, even one that ends in a 404.
            probe = await client.get("/no-such-page")
            answered_while_busy = not gate.released.is_set()
            gate.release()
            return await cpu, probe, answered_while_busy

    cpu, probe, answered_while_busy = asyncio.run(scenario())
    check_ok(cpu, "/cpu?n=10", {"n": 10, "result": 285})
    assert gate.calls == [10], f"GET /cpu?n=10 called crunch with {gate.calls}, expected [10]"
    assert probe.status_code == 404, f"GET /no-such-page answered {probe.status_code}, not 404"
    assert answered_while_busy, (
        "while crunch() was running for GET /cpu, the app could not answer any other request "
        "(not even a 404): the CPU work is holding the event loop"
    )


# --- Task 2: /io-async -----------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.hint("Call the module's helper: `await sleeper(0.3)`, then return {'mode': 'async'}.")
def test_io_async_awaits_sleeper(client, main, monkeypatch):
    gate = Gate(expected=1)
    monkeypatch.setattr(main, "sleeper", fake_sleeper(gate))
    response = client.get("/io-async")
    check_ok(response, "/io-async", {"mode": "async"})
    assert gate.calls == [0.3], (
        f"one GET /io-async awaited sleeper with {gate.calls}, expected [0.3]"
    )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "An `async def` handler that awaits runs on the event loop and needs no worker thread: while "
    "one request awaits sleeper(), the loop starts the next. A plain def handler that runs the "
    "coroutine itself (asyncio.run) takes a thread for the whole wait."
)
def test_io_async_requests_overlap_without_threads(main, monkeypatch):
    gate = Gate(expected=4)
    monkeypatch.setattr(main, "sleeper", fake_sleeper(gate))

    async def scenario():
        set_thread_pool_size(2)
        async with async_client(main.app) as client:
            return await run_together(client, gate, "/io-async", 4)

    responses = asyncio.run(scenario())
    for response in responses:
        check_ok(response, "/io-async", {"mode": "async"})
    assert gate.calls, "sleeper was never awaited: /io-async must `await sleeper(0.3)`"
    assert gate.peak == 4, (
        f"with 4 concurrent GET /io-async and a 2-thread pool, at most {gate.peak} awaited "
        "sleeper() at the same time, expected 4"
    )


# --- Task 3: /io-blocking --------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.hint("Call the module's helper `legacy_sleep(0.3)`, then return {'mode': 'blocking'}.")
def test_io_blocking_calls_legacy_sleep(client, main, monkeypatch):
    gate = Gate(expected=1)
    monkeypatch.setattr(main, "legacy_sleep", fake_legacy_sleep(gate))
    response = client.get("/io-blocking")
    check_ok(response, "/io-blocking", {"mode": "blocking"})
    assert gate.calls == [0.3], (
        f"one GET /io-blocking called legacy_sleep with {gate.calls}, expected [0.3]"
    )


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "legacy_sleep blocks whatever thread calls it. In a plain `def` handler that is a worker "
    "thread, so 4 requests wait side by side. Inside `async def` it is the event loop thread, so "
    "they run one after another."
)
def test_io_blocking_requests_overlap_in_threads(main, monkeypatch):
    gate = Gate(expected=4)
    monkeypatch.setattr(main, "legacy_sleep", fake_legacy_sleep(gate))

    async def scenario():
        async with async_client(main.app) as client:
            return await run_together(client, gate, "/io-blocking", 4)

    responses = asyncio.run(scenario())
    for response in responses:
        check_ok(response, "/io-blocking", {"mode": "blocking"})
    assert gate.calls, "legacy_sleep was never called: /io-blocking must call legacy_sleep(0.3)"
    assert gate.peak == 4, (
        f"of 4 concurrent GET /io-blocking, at most {gate.peak} were inside legacy_sleep() at the "
        "same time, expected 4: the blocking call is holding the event loop"
    )


# --- Task 4: /health and a free event loop ---------------------------------------------------


@pytest.mark.task(4)
def test_health_answers_ok(client):
    check_ok(client.get("/health"), "/health", {"status": "ok"})


@pytest.mark.task(4)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Plain def handlers share a pool of worker threads (anyio's default: 40). When blocking calls "
    "hold them all, a def /health waits in line too. /health never blocks, so make it `async def`: "
    "it then answers on the event loop without a thread."
)
def test_health_answers_while_the_thread_pool_is_full(main, monkeypatch):
    gate = Gate(expected=4, auto_release=False)
    monkeypatch.setattr(main, "legacy_sleep", fake_legacy_sleep(gate))

    async def scenario():
        set_thread_pool_size(4)
        gate.loop_thread = threading.get_ident()
        async with async_client(main.app) as client:
            blocking = [asyncio.create_task(client.get("/io-blocking")) for _ in range(4)]
            await wait_for_gate(gate, blocking)
            peak_before_health = gate.peak
            health_request = asyncio.create_task(client.get("/health"))
            answered = await answers_without_a_thread(health_request)
            answered_while_full = answered and not gate.released.is_set()
            gate.release()
            health = await health_request
            return health, answered_while_full, peak_before_health, await asyncio.gather(*blocking)

    health, answered_while_full, peak, responses = asyncio.run(scenario())
    for response in responses:
        check_ok(response, "/io-blocking", {"mode": "blocking"})
    assert peak == 4, (
        f"only {peak} of 4 concurrent GET /io-blocking were inside legacy_sleep() at once: fix "
        "Task 3 first (the blocking call is holding the event loop)"
    )
    check_ok(health, "/health", {"status": "ok"})
    assert answered_while_full, (
        "GET /health did not answer while 4 GET /io-blocking held all 4 worker threads: /health "
        "waited for a free thread"
    )


BLOCKING_HELPERS = {"crunch", "legacy_sleep"}
ROUTES = ("/cpu", "/io-async", "/io-blocking", "/health")


def _blocking_names(tree: ast.Module) -> set[str]:
    """Names that call something blocking: the helpers, plus aliases of time.sleep."""
    names = set(BLOCKING_HELPERS)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "time":
            names |= {alias.asname or alias.name for alias in node.names if alias.name == "sleep"}
    return names


def _direct_calls(function: ast.AsyncFunctionDef):
    """Calls in the function's own body, not in nested functions or lambdas."""
    stack = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(ast.iter_child_nodes(node))


@pytest.mark.task(4)
@pytest.mark.hint(
    "Inside `async def`, call only what you await. Blocking helpers (crunch, legacy_sleep, "
    "time.sleep) belong in a plain def handler or behind `await run_in_threadpool(...)`."
)
def test_no_blocking_calls_inside_async_def(learner, main):
    paths = main.app.openapi()["paths"]  # lists routes of included APIRouters too
    missing = [path for path in ROUTES if path not in paths]
    assert not missing, f"no route for {', '.join(missing)} yet: nothing to check"
    tree = ast.parse(learner.source("main.py"))
    blocking = _blocking_names(tree)
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.AsyncFunctionDef):
            continue
        for call in _direct_calls(function):
            func = call.func
            if isinstance(func, ast.Name) and func.id in blocking:
                found.append(f"{func.id}() in async def {function.name} (line {call.lineno})")
            elif (
                isinstance(func, ast.Attribute)
                and func.attr == "sleep"
                and isinstance(func.value, ast.Name)
                and func.value.id == "time"
            ):
                found.append(f"time.sleep() in async def {function.name} (line {call.lineno})")
    assert not found, "blocking calls inside async def stall the event loop: " + "; ".join(found)
