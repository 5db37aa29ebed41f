"""Hidden tests for 1.4.1.

Each scenario sends 5 simultaneous requests on one event loop (httpx.ASGITransport) and reads the
app's `/stats`. Nothing here depends on how fast or how busy the machine is:

- The loop's clock is the batch's own: it moves only when nothing else can run, and then jumps
  to the next timer, so five `await asyncio.sleep(0.2)` that overlap take 0.2 s of that clock,
  and five that run one after another take 1.0 s, on an idle machine as on a loaded one.
- A `time.sleep` called from main.py on the loop's thread blocks the loop: its duration passes on
  the clock with nothing else running. Called in a worker thread, it is held until every request
  that can get that far has, then the held sleeps end together and the clock moves once.
- Concurrency is read from the app's own counts, from how many time.sleep calls of main.py wait
  at once in FastAPI's worker threads, and from that clock (0.9 s allowed for the 5).
"""

import ast
import asyncio
import os
import sys
import threading
import time
from dataclasses import dataclass, field

import anyio.to_thread
import httpx
import pytest

N = 5  # simultaneous requests per batch
FAST_ENOUGH = 0.9  # seconds of the batch's clock: N one-after-another waits of 0.2 s take 1.0 s
MAX_TURNS = 200_000  # loop turns without the requests getting anywhere: they are stuck
HANG_GUARD = 3.0  # wall seconds worker threads may run main.py's code without reaching a wait


class Stage:
    """One batch's world: the loop's clock, and main.py's time.sleep (see the docstring)."""

    def __init__(self, folder):
        self.folder = str(folder) + os.sep
        self.base = 0.0
        self.now = 0.0  # seconds of the batch's clock since it started
        self.cond = threading.Condition()
        self.held = 0  # main.py's time.sleep calls held right now (in worker threads)
        self.peak_held = 0
        self.longest = 0.0
        self.round = 0
        self.open = False  # after a deadlock: held sleeps no longer wait for each other
        self.loop_thread = None
        self.loop_blocked = 0.0  # seconds main.py's time.sleep held the loop's own thread
        self.real_sleep = time.sleep
        self.executor_jobs = set()

    def install(self, loop):
        self.base = loop.time()
        self.loop_thread = threading.current_thread()
        loop.time = lambda: self.base + self.now
        self.executor_jobs = set()
        run_in_executor = loop.run_in_executor

        def counted(executor, func, *args):  # asyncio.to_thread and run_in_executor
            future = run_in_executor(executor, func, *args)
            self.executor_jobs.add(future)
            future.add_done_callback(self.executor_jobs.discard)
            return future

        loop.run_in_executor = counted

    def threads_at_work(self):
        """Worker threads running something for the app (held sleeps included), counted on the
        loop: anyio's pool (plain def handlers, run_in_threadpool, sync dependencies) and the
        loop's executor. A thread counts until the loop has taken its result."""
        try:
            from anyio._backends._asyncio import _threadpool_idle_workers, _threadpool_workers

            busy = len(_threadpool_workers.get()) - len(_threadpool_idle_workers.get())
        except (ImportError, LookupError):
            busy = anyio.to_thread.current_default_thread_limiter().borrowed_tokens
        return busy + len(self.executor_jobs)

    def sleep(self, seconds):
        """time.sleep while the batch runs: held or accounted for when main.py calls it."""
        if not sys._getframe(1).f_code.co_filename.startswith(self.folder):
            self.real_sleep(seconds)
            return
        seconds = max(0.0, float(seconds))
        with self.cond:
            if threading.current_thread() is self.loop_thread or self.open:
                self.now += seconds  # the caller holds its thread for that long, alone
                if threading.current_thread() is self.loop_thread:
                    self.loop_blocked += seconds
                return
            ticket = self.round
            self.held += 1
            self.peak_held = max(self.peak_held, self.held)
            self.longest = max(self.longest, seconds)
            while self.round == ticket:
                self.cond.wait()

    def release(self, everything=False):
        """End the held sleeps together: the clock moves by the longest of them."""
        with self.cond:
            self.now += self.longest
            self.longest = 0.0
            self.held = 0
            self.round += 1
            self.open = self.open or everything
            self.cond.notify_all()


async def drive(stage, tasks, when_waiting=None):
    """Run the loop until the tasks are done, moving the clock only when nothing else can run.
    `when_waiting` (a coroutine function) runs once, the first time every request is waiting."""
    loop = asyncio.get_running_loop()
    last_state, last_change, turns = None, time.monotonic(), 0
    while not all(task.done() for task in tasks):
        await asyncio.sleep(0)
        turns += 1
        if loop._ready:  # another task can run on the loop
            if turns > MAX_TURNS:
                break
            continue
        with stage.cond:
            held = stage.held
        threads = stage.threads_at_work()
        if threads > held:  # a worker thread runs code for the app: wait for it
            state = (threads, held, stage.round)
            if state != last_state:
                last_state, last_change = state, time.monotonic()
            elif time.monotonic() - last_change > HANG_GUARD:
                stage.release(everything=True)  # they wait on each other: a deadlock
            else:
                stage.real_sleep(0.0005)  # let them run; the outcome does not depend on this
            continue
        turns = 0
        if when_waiting is not None:
            probe, when_waiting = when_waiting, None
            await probe()
            continue
        if held:
            stage.release()
            continue
        due = [handle.when() for handle in loop._scheduled if not handle.cancelled()]
        if not due:
            break  # nothing can move: the requests are stuck
        stage.now = max(stage.now, min(due) - stage.base)


@dataclass
class Batch:
    path: str
    responses: list  # httpx.Response, or what a request raised or that it never finished
    elapsed: float  # seconds of the batch's clock until the last request answered
    peak_held: int  # the most time.sleep calls of main.py waiting at once in worker threads
    loop_blocked: float  # seconds main.py's time.sleep held the event loop's own thread
    stats: httpx.Response  # GET /stats after the batch
    reset: httpx.Response  # POST /stats/reset after that
    stats_after_reset: httpx.Response
    during: dict = field(default_factory=dict)  # what the probe saw while every request waited


def run_batch(
    learner, path: str, reset_while_waiting: bool = False, cancel_while_waiting: bool = False
) -> Batch:
    stage = Stage(learner.folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "sleep", stage.sleep)
        app = fresh_app(learner)  # imported under the patch: `from time import sleep` too

        async def scenario():
            stage.install(asyncio.get_running_loop())
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                during = {}

                async def probe():
                    during["stats"] = await client.get("/stats")
                    if reset_while_waiting:
                        during["reset"] = await client.post("/stats/reset")
                        during["stats_after_reset"] = await client.get("/stats")
                    if cancel_while_waiting:  # the clients hang up: the handlers are cancelled
                        for task in tasks:
                            task.cancel()

                tasks = [asyncio.create_task(client.get(path)) for _ in range(N)]
                await drive(stage, tasks, probe)
                elapsed = stage.now
                for task in tasks:
                    task.cancel()
                results = await asyncio.gather(*tasks, return_exceptions=True)
                stats = await client.get("/stats")
                reset = await client.post("/stats/reset")
                stats_after_reset = await client.get("/stats")
            return Batch(
                path,
                results,
                elapsed,
                stage.peak_held,
                stage.loop_blocked,
                stats,
                reset,
                stats_after_reset,
                during,
            )

        try:
            return asyncio.run(scenario())
        finally:
            stage.release(everything=True)  # no worker thread stays held


def fresh_app(learner):
    return learner.require("main", "app", fresh=True).app


@pytest.fixture(scope="module")
def async_batch(learner):
    return run_batch(learner, "/io/async")


@pytest.fixture(scope="module")
def sync_batch(learner):
    return run_batch(learner, "/io/sync")


@pytest.fixture(scope="module")
def reset_batch(learner):
    return run_batch(learner, "/io/async", reset_while_waiting=True)


@pytest.fixture(scope="module")
def cancel_batch(learner):
    return run_batch(learner, "/io/async", cancel_while_waiting=True)


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
            pytest.fail(
                f"{N} simultaneous GET {batch.path} never finished: they wait for something "
                "that never comes"
            )
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
    blocked = (
        f" (time.sleep held the event loop itself for {batch.loop_blocked:.1f} s)"
        if batch.loop_blocked
        else ""
    )
    assert batch.elapsed < FAST_ENOUGH, (
        f"{N} simultaneous GET {batch.path} took {batch.elapsed:.2f} s in total{blocked}; "
        f"waiting together they take about 0.2 s, one after another at least {N * 0.2:.1f} s"
    )


# --- Task 1: GET /io/async and GET /stats ------------------------------------------------------


@pytest.mark.task(1)
def test_stats_start_at_zero(learner, app_client):
    client = app_client(fresh_app(learner))
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


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A request can end without its wait ending normally: a client that hangs up cancels the "
    "handler, and asyncio raises CancelledError at the await. Decrement in_flight in a finally "
    "block (or a context manager), so that the count goes down whatever happens."
)
def test_cancelled_requests_leave_the_count(cancel_batch):
    during = cancel_batch.during
    assert "stats" in during, (
        f"the {N} simultaneous GET /io/async never all waited at the same time: fix the other "
        "Task 1 tests first"
    )
    waiting = stats_of(during["stats"], f"while {N} GET /io/async were waiting")
    assert waiting["in_flight"] == N, (
        f"while {N} GET /io/async were waiting, GET /stats answered {waiting!r}: fix the other "
        "Task 1 tests first"
    )
    after = stats_of(cancel_batch.stats, f"after {N} waiting GET /io/async were cancelled")
    assert after["in_flight"] == 0, (
        f"{N} GET /io/async were cancelled while they waited (their clients hung up); then "
        f"GET /stats answered {after!r}, expected in_flight 0: a request must leave the count "
        "whatever happens (try/finally)"
    )


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
    assert sync_batch.peak_held >= N, (
        f"while {N} GET /io/sync were waiting, at most {sync_batch.peak_held} of them were "
        f"blocked in time.sleep() in one of FastAPI's worker threads, expected {N}: the sync "
        "endpoint must block a worker thread"
    )


def _locks_used_in_with(tree: ast.Module) -> list[str]:
    """Names bound to threading.Lock()/RLock() that a `with` statement enters."""
    lock_calls = {"Lock", "RLock"}
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "threading"
        for alias in node.names
        if alias.name in lock_calls
    }

    def is_lock(call):
        if not isinstance(call, ast.Call):
            return False
        func = call.func
        if isinstance(func, ast.Name):
            return func.id in imported
        return (
            isinstance(func, ast.Attribute)
            and func.attr in lock_calls
            and isinstance(func.value, ast.Name)
            and func.value.id == "threading"
        )

    def last_name(node):
        if isinstance(node, ast.Name):
            return node.id
        return node.attr if isinstance(node, ast.Attribute) else None

    locks = set()
    for node in ast.walk(tree):
        targets, value = [], None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        if is_lock(value):
            locks |= {last_name(target) for target in targets} - {None}
    return sorted(
        {
            last_name(item.context_expr)
            for node in ast.walk(tree)
            if isinstance(node, ast.With | ast.AsyncWith)
            for item in node.items
            if last_name(item.context_expr) in locks
        }
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Plain def handlers run in several worker threads at once, and `count += 1` is not atomic "
    "across threads: create `lock = threading.Lock()` and change and read the counts inside "
    "`with lock:` blocks."
)
def test_counts_are_protected_by_a_threading_lock(learner):
    used = _locks_used_in_with(ast.parse(learner.source("main.py")))
    assert used, (
        "main.py enters no threading.Lock() or RLock() in a `with` statement: the counts are "
        "changed by several worker threads at once and need one"
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


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Reset while requests are running: max_in_flight goes back to the current in_flight (not "
    "to 0), and in_flight, a live count, is left alone. Zeroing in_flight makes it go below "
    "zero when the running requests end; zeroing max_in_flight makes it smaller than in_flight."
)
def test_reset_while_requests_wait_keeps_the_live_count(reset_batch):
    during = reset_batch.during
    assert "stats" in during, (
        f"the {N} simultaneous GET /io/async never all waited at the same time: fix Task 1 first"
    )
    before = stats_of(during["stats"], f"while {N} GET /io/async were waiting")
    assert counts(before) == {"in_flight": N, "max_in_flight": N}, (
        f"while {N} GET /io/async were waiting, GET /stats answered {before!r}, expected both "
        f"counts {N}: fix Task 1 first"
    )
    reset = during["reset"]
    assert reset.status_code == 204, (
        f"POST /stats/reset while {N} requests were waiting answered {reset.status_code}"
    )
    after = stats_of(during["stats_after_reset"], f"after a reset while {N} requests waited")
    assert counts(after) == {"in_flight": N, "max_in_flight": N}, (
        f"POST /stats/reset while {N} GET /io/async were waiting, then GET /stats answered "
        f"{after!r}, expected in_flight {N} (a live count, not reset) and max_in_flight {N} "
        "(set back to the current in_flight)"
    )
    done = stats_of(reset_batch.stats, f"once those {N} requests had answered")
    assert counts(done) == {"in_flight": 0, "max_in_flight": N}, (
        f"after a reset while {N} GET /io/async were waiting, and once they had answered, "
        f"GET /stats answered {done!r}, expected in_flight 0 and max_in_flight {N}"
    )
