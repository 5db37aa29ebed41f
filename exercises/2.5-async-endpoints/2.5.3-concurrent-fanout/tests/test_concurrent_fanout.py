"""Hidden tests for 2.5.3.

`get_services` is overridden with FakeServices, whose calls count how many of them are in flight.
Holding happens in event-loop turns (`await asyncio.sleep(0)`), never in wall-clock time, so what
the tests observe does not depend on machine speed.

`main` is imported afresh for every test; one client (one event loop) serves the module, sending
each test's requests to that test's app, with the app's lifespan run around the test as
`with TestClient(app)` does: a client and an event-loop thread per test cost more than the test.
"""

import asyncio
from contextlib import asynccontextmanager

import pytest

from grader import testing

SPIN = 1000  # loop turns a dashboard call waits for its two siblings before giving up
SETTLE = 20  # loop turns a dashboard call stays in flight after all three have started
ORDER = [5, 3, 9, 1, 8, 2, 7, 4, 6, 10]


def profile_of(user_id):
    return {"id": user_id, "name": f"User {user_id}"}


def orders_of(user_id):
    return [{"id": 1000 + user_id, "total": 42.5}]


def recommendations_of(user_id):
    return [{"item_id": 7, "score": 0.93}]


def item(item_id):
    return {"id": item_id, "name": f"Item {item_id}"}


class FakeServices:
    """Counts calls in flight. `fail` maps a part name to the exception it raises at once."""

    def __init__(self, fail=None, failing_items=(), results=None):
        self.fail = fail or {}
        self.results = results or {}
        self.failing_items = set(failing_items)
        self.calls: list[tuple[str, int]] = []
        self.cancelled: list[str] = []
        self.started = 0
        self.in_flight = 0
        self.peak = 0
        self.items_in_flight = 0
        self.items_peak = 0

    async def _part(self, name, user_id, result):
        result = self.results.get(name, result)
        self.calls.append((name, user_id))
        self.started += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            if name in self.fail:
                raise self.fail[name](f"the {name} service is down")
            for _ in range(SPIN):
                if self.started >= 3:
                    break
                await asyncio.sleep(0)
            for _ in range(SETTLE):
                await asyncio.sleep(0)
            return result
        except asyncio.CancelledError:
            self.cancelled.append(name)
            raise
        finally:
            self.in_flight -= 1

    async def get_profile(self, user_id):
        return await self._part("profile", user_id, profile_of(user_id))

    async def get_orders(self, user_id):
        return await self._part("orders", user_id, orders_of(user_id))

    async def get_recommendations(self, user_id):
        return await self._part("recommendations", user_id, recommendations_of(user_id))

    async def get_item(self, item_id):
        self.calls.append(("item", item_id))
        self.items_in_flight += 1
        self.items_peak = max(self.items_peak, self.items_in_flight)
        try:
            # Items take different numbers of loop turns, so they finish out of input order.
            for _ in range(5 + (item_id * 7) % 11):
                await asyncio.sleep(0)
            if item_id in self.failing_items:
                raise RuntimeError(f"item {item_id} is unavailable")
            return item(item_id)
        finally:
            self.items_in_flight -= 1


@asynccontextmanager
async def lifespan(app, state):
    """The app's startup before the block and its shutdown after it, as a server runs them."""
    to_app, from_app = asyncio.Queue(), asyncio.Queue()

    async def run():
        try:
            await app(
                {"type": "lifespan", "asgi": {"version": "3.0"}, "state": state},
                to_app.get,
                from_app.put,
            )
        finally:
            await from_app.put(None)

    task = asyncio.ensure_future(run())

    async def step(kind):
        await to_app.put({"type": f"lifespan.{kind}"})
        message = await from_app.get()
        if message is None or message["type"] != f"lifespan.{kind}.complete":
            await task  # raises what the app raised
            raise RuntimeError(f"the app's {kind} failed: {message}")

    await step("startup")
    yield
    await step("shutdown")
    await task


@pytest.fixture(scope="module")
def module_client():
    """One client (one event loop) for the module; `current.app` is the app it serves."""
    current = testing.CurrentApp()
    with testing.looped_client(current) as client:
        with client._transport.portal_factory() as portal:  # the module's loop, started now
            yield client, portal, current


@pytest.fixture
def call(learner, module_client, overrides):
    """`call(fake, path)`: GET `path` with `fake` standing in for get_services."""
    # A fresh import per test: no module-level object of an earlier test's app is reused.
    main = learner.require("main", "app", "get_services", fresh=True)
    client, portal, current = module_client
    running = []

    def get(fake, path):
        # The fake replaces get_services for this test only.
        overrides(main.app, {main.get_services: lambda: fake})
        if not running:  # the app's startup, before the test's first request
            current.app, current.state = main.app, {}
            running.append(portal.wrap_async_context_manager(lifespan(main.app, current.state)))
            running[0].__enter__()
        return client.get(path)

    yield get
    if running:  # the app's shutdown, after the test
        running[0].__exit__(None, None, None)


def dashboard_body(user_id, **changes):
    body = {
        "user_id": user_id,
        "profile": profile_of(user_id),
        "orders": orders_of(user_id),
        "recommendations": recommendations_of(user_id),
        "errors": [],
    }
    body.update(changes)
    return body


def check_status(response, path, status):
    assert response.status_code == status, (
        f"GET {path} answered {response.status_code}, expected {status}: {response.text[:300]}"
    )


# --- Task 1: the dashboard fan-out -----------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.parametrize("user_id", [7, 42])
def test_dashboard_combines_the_three_parts(call, user_id):
    fake = FakeServices()
    response = call(fake, f"/dashboard/{user_id}")
    check_status(response, f"/dashboard/{user_id}", 200)
    assert response.json() == dashboard_body(user_id), (
        f"GET /dashboard/{user_id} answered {response.json()}"
    )
    assert sorted(fake.calls) == sorted(
        [("profile", user_id), ("orders", user_id), ("recommendations", user_id)]
    ), f"one dashboard request made these service calls: {fake.calls}, expected one of each"


@pytest.mark.task(1)
@pytest.mark.points(4)
@pytest.mark.hint(
    "`await a(); await b(); await c()` runs the calls one after another: each starts only when "
    "the previous one is done. Start them together with "
    "`await asyncio.gather(a(), b(), c(), return_exceptions=True)`."
)
def test_dashboard_calls_run_concurrently(call):
    fake = FakeServices()
    response = call(fake, "/dashboard/7")
    check_status(response, "/dashboard/7", 200)
    assert fake.peak == 3, (
        f"at most {fake.peak} of the 3 service calls of one dashboard request were in flight at "
        "the same time, expected all 3"
    )


@pytest.mark.task(1)
def test_dashboard_user_id_must_be_an_integer(call):
    response = call(FakeServices(), "/dashboard/abc")
    check_status(response, "/dashboard/abc", 422)


@pytest.mark.task(1)
@pytest.mark.hint(
    "An empty result is still a result: an empty list of orders is `[]`, not a failure. Only "
    "an exception counts as failed: check isinstance(result, Exception), not its truth value."
)
def test_empty_results_are_passed_through(call):
    fake = FakeServices(results={"profile": {}, "orders": [], "recommendations": []})
    response = call(fake, "/dashboard/7")
    check_status(response, "/dashboard/7", 200)
    expected = dashboard_body(7, profile={}, orders=[], recommendations=[])
    assert response.json() == expected, (
        f"with an empty profile, no orders and no recommendations, GET /dashboard/7 answered "
        f"{response.json()}"
    )


# --- Task 2: partial failures ----------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "With `return_exceptions=True`, gather puts a failed call's exception in the result list "
    "instead of raising it. Check each result with isinstance(result, Exception), answer null "
    "for it and add its name to errors."
)
@pytest.mark.parametrize("part", ["orders", "recommendations"])
def test_failing_optional_part_is_null_and_listed(call, part):
    fake = FakeServices(fail={part: RuntimeError})
    response = call(fake, "/dashboard/7")
    check_status(response, "/dashboard/7", 200)
    assert response.json() == dashboard_body(7, **{part: None, "errors": [part]}), (
        f"with {part} failing, GET /dashboard/7 answered {response.json()}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "A TaskGroup (or gather without return_exceptions) treats the first failure as fatal: it "
    "cancels or abandons the sibling calls. Here a failing part must not stop the others."
)
def test_failing_part_does_not_cancel_the_others(call):
    fake = FakeServices(fail={"recommendations": RuntimeError})
    response = call(fake, "/dashboard/7")
    assert len(fake.calls) == 3, (
        f"GET /dashboard/7 answered {response.status_code} after the service calls {fake.calls}, "
        "expected profile, orders and recommendations"
    )
    cancelled = f", and these calls were cancelled: {fake.cancelled}" if fake.cancelled else ""
    assert response.status_code == 200 and not fake.cancelled, (
        f"when recommendations failed, GET /dashboard/7 answered {response.status_code}{cancelled}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Any exception counts as a failure (timeouts, connection errors...). List the failed parts "
    "in the order orders, recommendations."
)
def test_both_optional_parts_failing(call):
    fake = FakeServices(fail={"orders": ConnectionError, "recommendations": TimeoutError})
    response = call(fake, "/dashboard/7")
    check_status(response, "/dashboard/7", 200)
    expected = dashboard_body(
        7, orders=None, recommendations=None, errors=["orders", "recommendations"]
    )
    assert response.json() == expected, (
        f"with orders and recommendations failing, GET /dashboard/7 answered {response.json()}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "The profile is not optional: if its result is an exception, "
    "raise HTTPException(status_code=502)."
)
@pytest.mark.parametrize(
    "failing", [["profile"], ["profile", "orders"], ["profile", "orders", "recommendations"]]
)
def test_failing_profile_is_502(call, failing):
    fake = FakeServices(fail={name: RuntimeError for name in failing})
    response = call(fake, "/dashboard/7")
    check_status(response, "/dashboard/7", 502)


# --- Task 3: bounded batch -------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Collect the results by position, not by completion: asyncio.gather (or a TaskGroup's tasks "
    "in creation order) keeps the order of ids. as_completed does not."
)
def test_batch_returns_items_in_input_order(call):
    fake = FakeServices()
    query = "&".join(f"ids={item_id}" for item_id in ORDER)
    response = call(fake, f"/batch?{query}")
    check_status(response, f"/batch?{query}", 200)
    assert response.json() == {"items": [item(item_id) for item_id in ORDER]}, (
        f"GET /batch?{query} answered {response.json()}"
    )
    assert sorted(arg for _, arg in fake.calls) == sorted(ORDER), (
        f"get_item was called with {[arg for _, arg in fake.calls]}, expected each id once"
    )


@pytest.mark.task(3)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Create `limit = asyncio.Semaphore(3)` and wrap each call: "
    "`async with limit: return await services.get_item(item_id)`, then gather all the wrapped "
    "calls. Without the semaphore all 10 start at once; awaiting in a for loop runs only one."
)
def test_batch_runs_at_most_three_at_once(call):
    fake = FakeServices()
    query = "&".join(f"ids={item_id}" for item_id in ORDER)
    response = call(fake, f"/batch?{query}")
    check_status(response, f"/batch?{query}", 200)
    assert fake.items_peak <= 3, (
        f"a batch of 10 had {fake.items_peak} get_item calls in flight at once, at most 3 allowed"
    )
    assert fake.items_peak == 3, (
        f"a batch of 10 had at most {fake.items_peak} get_item call(s) in flight at once: "
        "run 3 at a time"
    )


@pytest.mark.task(3)
def test_batch_of_one(call):
    fake = FakeServices()
    response = call(fake, "/batch?ids=4")
    check_status(response, "/batch?ids=4", 200)
    assert response.json() == {"items": [item(4)]}, f"GET /batch?ids=4 answered {response.json()}"


@pytest.mark.task(3)
@pytest.mark.hint(
    "Answer one result per id, in the order of ids, also when an id comes more than once: "
    "don't remove duplicates."
)
def test_batch_keeps_repeated_ids(call):
    fake = FakeServices()
    path = "/batch?ids=5&ids=3&ids=5"
    response = call(fake, path)
    check_status(response, path, 200)
    assert response.json() == {"items": [item(5), item(3), item(5)]}, (
        f"GET {path} answered {response.json()}"
    )


@pytest.mark.task(3)
@pytest.mark.hint("If any get_item call raises, answer 502 for the whole batch.")
def test_batch_with_a_failing_item_is_502(call):
    fake = FakeServices(failing_items={8})
    query = "&".join(f"ids={item_id}" for item_id in ORDER)
    response = call(fake, f"/batch?{query}")
    check_status(response, "/batch?ids=...&ids=8&...", 502)


@pytest.mark.task(3)
@pytest.mark.hint("Declare `ids: Annotated[list[int], Query()]`: required, repeated, integers.")
@pytest.mark.parametrize("path", ["/batch", "/batch?ids=abc", "/batch?ids=1&ids=x"])
def test_batch_rejects_missing_or_bad_ids(call, path):
    response = call(FakeServices(), path)
    check_status(response, path, 422)
