"""Hidden tests for 1.4.1.

Each endpoint gets one batch of 5 simultaneous requests on a single event loop
(httpx.ASGITransport), run once per module. Concurrency is observed three ways: the app's own
`max_in_flight`, how many of FastAPI's worker threads are busy during the batch (polled every few
milliseconds), and one generous wall-clock bound. Five waits of 0.2 s take at least 1.0 s one
after another; together they take about 0.2 s, and the bound is 0.9 s.
"""

import ast
import asyncio
import time
from dataclasses import dataclass

import anyio.to_thread
import httpx
import pytest
from fastapi.testclient import TestClient

N = 5  # simultaneous requests per batch
FAST_ENOUGH = 0.9  # seconds: N one-after-another waits of 0.2 s take at least 1.0 s
GIVE_UP = 4.0  # seconds after which a batch that has not finished is abandoned


@dataclass
class Batch:
    path: str
    responses: list  # httpx.Response, or the exception a request raised
    elapsed: float
    peak_threads: int  # the most worker threads busy at once during the batch
    stats: httpx.Response  # GET /stats after the batch
    reset: httpx.Response  # POST /stats/reset after that
    stats_after_reset: httpx.Response


def run_batch(app, path: str) -> Batch:
    async def scenario():
        limiter = anyio.to_thread.current_default_thread_limiter()
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            started = time.perf_counter()
            tasks = [asyncio.create_task(client.get(path)) for _ in range(N)]
            peak_threads = 0
            while not all(task.done() for task in tasks):
                if time.perf_counter() - started > GIVE_UP:
                    for task in tasks:
                        task.cancel()
                    break
                peak_threads = max(peak_threads, limiter.borrowed_tokens)
                await asyncio.sleep(0.003)
            elapsed = time.perf_counter() - started
            results = await asyncio.gather(*tasks, return_exceptions=True)
            stats = await client.get("/stats")
            reset = await client.post("/stats/reset")
            stats_after_reset = await client.get("/stats")
        return Batch(path, results, elapsed, peak_threads, stats, reset, stats_after_reset)

    return asyncio.run(scenario())


def fresh_app(learner):
    module = learner.fresh("main")
    assert hasattr(module, "app"), "main.py defines no `app`"
    return module.app


@pytest.fixture(scope="module")
def async_batch(learner):
    return run_batch(fresh_app(learner), "/io/async")


@pytest.fixture(scope="module")
def sync_batch(learner):
    return run_batch(fresh_app(learner), "/io/sync")


def stats_of(response: httpx.Response, when: str) -> dict:
    assert response.status_code == 200, (
        f"GET /stats {when} answered {response.status_code}: {response.text[:200]}"
    )
    body = response.json()
    assert isinstance(body, dict) and {"in_flight", "max_in_flight"} <= set(body), (
        f"GET /stats {when} answered {body!r}, expected {{'in_flight': int, 'max_in_flight': int}}"
    )
    return body


def counts(stats: dict) -> dict:
    """The two counts the prompt names (other keys are allowed)."""
    return {key: stats[key] for key in ("in_flight", "max_in_flight")}


def check_answers(batch: Batch, body: dict) -> None:
    for result in batch.responses:
        if isinstance(result, asyncio.CancelledError):
            pytest.fail(f"{N} simultaneous GET {batch.path} had not finished after {GIVE_UP} s")
        assert isinstance(result, httpx.Response), f"GET {batch.path} raised {result!r}"
        assert result.status_code == 200, (
            f"GET {batch.path} answered {result.status_code}: {result.text[:200]}"
        )
        assert result.json() == body, f"GET {batch.path} answered {result.json()!r}, not {body}"


def check_overlap(batch: Batch) -> None:
    stats = stats_of(batch.stats, f"after {N} simultaneous GET {batch.path}")
    assert stats["max_in_flight"] == N, (
        f"after {N} simultaneous GET {batch.path}, GET /stats reported max_in_flight "
        f"{stats['max_in_flight']!r}, expected {N}: "
        + (
            "the requests were served one after another, or the count does not span the wait"
            if stats["max_in_flight"] in (0, 1)
            else "count each request once, from before its wait until after it"
        )
    )


def check_back_to_zero(batch: Batch) -> None:
    stats = stats_of(batch.stats, f"after {N} simultaneous GET {batch.path} had all answered")
    assert stats["in_flight"] == 0, (
        f"after {N} GET {batch.path} had all answered, GET /stats reported in_flight "
        f"{stats['in_flight']!r}, expected 0: each request must leave the count when it ends "
        "(decrement in a finally block)"
    )


def check_fast(batch: Batch) -> None:
    assert batch.elapsed < FAST_ENOUGH, (
        f"{N} simultaneous GET {batch.path} took {batch.elapsed:.2f} s in total; waiting "
        f"together they take about 0.2 s, one after another at least {N * 0.2:.1f} s"
    )


# --- Task 1: GET /io/async and GET /stats ------------------------------------------------------


@pytest.mark.task(1)
def test_stats_start_at_zero(learner):
    client = TestClient(fresh_app(learner), raise_server_exceptions=False)
    stats = stats_of(client.get("/stats"), "before any request")
    assert counts(stats) == {"in_flight": 0, "max_in_flight": 0}, (
        f"GET /stats before any request answered {stats!r}, expected both counts 0"
    )


@pytest.mark.task(1)
@pytest.mark.hint("`@app.get('/io/async')` on an async def that returns {'mode': 'async'}.")
def test_async_requests_answer(async_batch):
    check_answers(async_batch, {"mode": "async"})


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "`await asyncio.sleep(IO_SECONDS)` gives the event loop back while this request waits, so "
    "all 5 are waiting at once. time.sleep() inside async def freezes the loop: max_in_flight 1. "
    "Count the request as in flight before the await and uncount it after."
)
def test_async_requests_are_in_flight_together(async_batch):
    check_overlap(async_batch)


@pytest.mark.task(1)
def test_in_flight_is_zero_after_async_requests(async_batch):
    check_back_to_zero(async_batch)


@pytest.mark.task(1)
@pytest.mark.hint(
    "Five awaited sleeps of 0.2 s overlap and take about 0.2 s in all. If they take a second, "
    "something in the async def blocks the event loop (time.sleep, requests, a sync driver)."
)
def test_async_requests_finish_together(async_batch):
    check_answers(async_batch, {"mode": "async"})
    check_fast(async_batch)


def _blocking_calls(tree: ast.Module) -> list[str]:
    """time.sleep / requests.* calls (and `from time import sleep`) inside any async def."""
    sleep_names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "time"
        for alias in node.names
        if alias.name == "sleep"
    }
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.AsyncFunctionDef):
            continue
        stack = list(function.body)
        while stack:
            node = stack.pop()
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue  # a nested function is not run by the async def itself
            stack.extend(ast.iter_child_nodes(node))
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            where = f"in async def {function.name} (line {node.lineno})"
            if isinstance(func, ast.Name) and func.id in sleep_names:
                found.append(f"{func.id}() {where}")
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                if func.value.id == "time" and func.attr == "sleep":
                    found.append(f"time.sleep() {where}")
                elif func.value.id == "requests":
                    found.append(f"requests.{func.attr}() {where}")
    return found


@pytest.mark.task(1)
@pytest.mark.hint(
    "Inside async def, wait only with await: asyncio.sleep, httpx.AsyncClient, async drivers. "
    "time.sleep and requests block the whole event loop; they belong in a plain def."
)
def test_no_blocking_calls_inside_async_def(learner):
    paths = fresh_app(learner).openapi().get("paths", {})
    missing = [path for path in ("/io/async", "/io/sync") if path not in paths]
    assert not missing, f"no route for {', '.join(missing)} yet: nothing to check"
    found = _blocking_calls(ast.parse(learner.source("main.py")))
    assert not found, "blocking calls inside async def stall the event loop: " + "; ".join(found)


# --- Task 2: GET /io/sync ----------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.hint("`@app.get('/io/sync')` on a plain def that returns {'mode': 'sync'}.")
def test_sync_requests_answer(sync_batch):
    check_answers(sync_batch, {"mode": "sync"})


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Declare the handler with plain `def`: FastAPI runs it in a worker thread, so five blocking "
    "time.sleep() calls wait in five threads at once. Declared async def, the same call blocks "
    "the event loop and the requests run one after another."
)
def test_sync_requests_are_in_flight_together(sync_batch):
    check_overlap(sync_batch)
    check_back_to_zero(sync_batch)


@pytest.mark.task(2)
@pytest.mark.hint(
    "Five blocking sleeps of 0.2 s in five worker threads take about 0.2 s in all; one after "
    "another they take a second."
)
def test_sync_requests_finish_together(sync_batch):
    check_answers(sync_batch, {"mode": "sync"})
    check_fast(sync_batch)


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "/io/sync stands for a library with no async API (requests, a sync DB driver): it must "
    "really block, with time.sleep(IO_SECONDS), inside a plain def handler. FastAPI then runs it "
    "in its worker-thread pool, which is what this test watches. asyncio.sleep() does not hold "
    "a thread, so it demonstrates the async case twice."
)
def test_sync_wait_holds_a_worker_thread(sync_batch):
    check_answers(sync_batch, {"mode": "sync"})
    assert sync_batch.peak_threads >= N, (
        f"while {N} GET /io/sync were waiting, at most {sync_batch.peak_threads} of FastAPI's "
        f"worker threads were busy, expected {N}: the sync endpoint must block a worker thread"
    )


# --- Task 3: POST /stats/reset -----------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.hint("`@app.post('/stats/reset', status_code=204)` on a handler that returns None.")
def test_reset_answers_204(async_batch):
    response = async_batch.reset
    assert response.status_code == 204, (
        f"POST /stats/reset answered {response.status_code}, not 204: {response.text[:200]}"
    )
    assert response.content == b"", f"POST /stats/reset answered a body: {response.text[:200]}"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Reset sets max_in_flight back to 0 (to the current in_flight, which is 0 when idle). Update "
    "the module-level counters in place, under the same lock the requests use."
)
def test_reset_sets_max_in_flight_back_to_zero(async_batch):
    before = stats_of(async_batch.stats, f"after {N} GET /io/async")
    assert before["max_in_flight"] >= 1, (
        f"after {N} GET /io/async, GET /stats reported {before!r}: fix Task 1 first, there is "
        "nothing to reset"
    )
    after = stats_of(async_batch.stats_after_reset, "after POST /stats/reset")
    assert counts(after) == {"in_flight": 0, "max_in_flight": 0}, (
        f"after POST /stats/reset (with no request in flight), GET /stats answered {after!r}, "
        "expected both counts 0"
    )
