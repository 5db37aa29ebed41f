"""Hidden tests for 4.1.3.

Task 1 drives the learner's checkout with a fake clock (the kit's), a fake gateway and a
provider answered by httpx.MockTransport; these overrides are set with `.update(...)` and removed
after each test, never with the learner's helper. Tasks 2 and 3 use the learner's `overrides` on
small apps built here, whose GET /deps reports which dependency answered.
"""

import json
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI

ORDER = {"amount_cents": 1250, "card_token": "tok_visa"}


@pytest.fixture
def main(learner):
    return learner.require(
        "main", "app", "get_clock", "get_http_client", "get_payment_gateway", "PaymentDeclined"
    )


class FakeGateway:
    def __init__(self, declined_with=None, clock=None, takes=0):
        self.declined_with = declined_with
        self.calls = []
        self.clock = clock  # when given, each charge moves it `takes` seconds (a slow provider)
        self.takes = takes

    async def charge(self, amount_cents, card_token):
        self.calls.append((amount_cents, card_token))
        if self.clock is not None:
            self.clock.advance(self.takes)
        if self.declined_with is not None:
            raise self.declined_with
        return f"ch_fake_{len(self.calls)}"


class Provider:
    """The payment provider's API, answered in memory: POST /charges."""

    def __init__(self):
        self.requests = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method != "POST" or request.url.path != "/charges":
            return httpx.Response(404, json={"error": "not found"})
        body = json.loads(request.content)
        if body.get("card_token") == "tok_declined":
            return httpx.Response(402, json={"reason": "insufficient funds"})
        return httpx.Response(200, json={"id": f"ch_provider_{len(self.requests)}"})

    def client_dependency(self):
        async def fake_http_client():
            transport = httpx.MockTransport(self.handle)
            async with httpx.AsyncClient(
                transport=transport, base_url="https://payments.invalid"
            ) as client:
                yield client

        return fake_http_client


def said(response):
    return f"{response.status_code} {response.text[:200]}"


def charged_at(body):
    try:
        return datetime.fromisoformat(body["charged_at"])
    except (KeyError, TypeError, ValueError):
        pytest.fail(f"the receipt's charged_at is not an ISO 8601 datetime: {body}")


# --- Task 1: POST /checkout ---------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Ask for both services as parameters: `clock: Annotated[Clock, Depends(get_clock)]` and "
    "`gateway: Annotated[PaymentGateway, Depends(get_payment_gateway)]`, then "
    "`await gateway.charge(...)` and `charged_at=clock()`."
)
def test_checkout_uses_the_injected_gateway_and_clock(main, overrides, app_client, clock):
    gateway = FakeGateway()
    overrides(
        main.app, {main.get_clock: lambda: clock.now, main.get_payment_gateway: lambda: gateway}
    )
    response = app_client(main.app).post("/checkout", json=ORDER)
    assert response.status_code == 201, f"POST /checkout answered {said(response)}, not 201"
    body = response.json()
    assert gateway.calls == [(1250, "tok_visa")], (
        f"the overridden gateway's charge() was called {gateway.calls}, expected once with "
        "(1250, 'tok_visa')"
    )
    assert body.get("charge_id") == "ch_fake_1" and body.get("amount_cents") == 1250, (
        f"POST /checkout answered {body}: expected the fake gateway's charge_id 'ch_fake_1' "
        "and amount_cents 1250"
    )
    assert charged_at(body) == clock.now(), (
        f"charged_at is {body['charged_at']}, the overridden clock says {clock.now().isoformat()}"
    )


@pytest.mark.task(1)
@pytest.mark.hint("Call the clock the dependency gives you on every request: `clock()`.")
def test_charged_at_follows_the_clock(main, overrides, app_client, clock):
    overrides(
        main.app,
        {main.get_clock: lambda: clock.now, main.get_payment_gateway: lambda: FakeGateway()},
    )
    client = app_client(main.app)
    first = client.post("/checkout", json=ORDER)
    clock.advance(90)
    second = client.post("/checkout", json=ORDER)
    assert first.status_code == second.status_code == 201, (
        f"two checkouts answered {said(first)} and {said(second)}"
    )
    gap = (charged_at(second.json()) - charged_at(first.json())).total_seconds()
    assert gap == 90, (
        f"the clock moved 90 s between two checkouts, their charged_at differ by {gap} s"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Read the clock after `await gateway.charge(...)` has returned: the receipt gives the time "
    "the charge went through, not the time the request arrived."
)
def test_charged_at_is_read_after_the_charge(main, overrides, app_client, clock):
    gateway = FakeGateway(clock=clock, takes=30)
    overrides(
        main.app, {main.get_clock: lambda: clock.now, main.get_payment_gateway: lambda: gateway}
    )
    before = clock.now()
    response = app_client(main.app).post("/checkout", json=ORDER)
    assert response.status_code == 201, f"POST /checkout answered {said(response)}, not 201"
    stamped = charged_at(response.json())
    assert stamped == before + timedelta(seconds=30), (
        f"the charge took 30 s on the clock ({before.isoformat()} to "
        f"{clock.now().isoformat()}); charged_at is {stamped.isoformat()}, expected the time "
        "after charge() returned"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_declined_payment_is_402(main, overrides, app_client, clock):
    gateway = FakeGateway(declined_with=main.PaymentDeclined("card declined"))
    overrides(
        main.app, {main.get_clock: lambda: clock.now, main.get_payment_gateway: lambda: gateway}
    )
    response = app_client(main.app).post("/checkout", json=ORDER)
    assert response.status_code == 402, (
        f"a gateway raising PaymentDeclined('card declined') gave {said(response)}, not 402"
    )
    assert response.json() == {"detail": "card declined"}, (
        f"the 402 answer is {response.json()}, expected {{'detail': 'card declined'}}"
    )


@pytest.mark.task(1)
@pytest.mark.parametrize(
    "payload",
    [
        {"amount_cents": 0, "card_token": "tok_visa"},
        {"amount_cents": -5, "card_token": "tok_visa"},
        {"amount_cents": 1250},
        {"amount_cents": 1250, "card_token": ""},
    ],
    ids=["zero", "negative", "no-token", "empty-token"],
)
def test_invalid_order_is_422_and_charges_nothing(main, overrides, app_client, clock, payload):
    gateway = FakeGateway()
    overrides(
        main.app, {main.get_clock: lambda: clock.now, main.get_payment_gateway: lambda: gateway}
    )
    response = app_client(main.app).post("/checkout", json=payload)
    assert response.status_code == 422, f"POST /checkout with {payload} answered {said(response)}"
    assert gateway.calls == [], f"an invalid order still charged the card: {gateway.calls}"


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "get_payment_gateway must take its client as a parameter, "
    "`client: Annotated[httpx.AsyncClient, Depends(get_http_client)]`, and POST /checkout must "
    "get the gateway from Depends(get_payment_gateway). Then overriding get_http_client "
    "reaches the real gateway."
)
def test_overriding_the_http_client_reaches_the_real_gateway(main, overrides, app_client, clock):
    provider = Provider()
    overrides(
        main.app,
        {main.get_clock: lambda: clock.now, main.get_http_client: provider.client_dependency()},
    )
    response = app_client(main.app).post("/checkout", json=ORDER)
    assert response.status_code == 201, (
        f"with get_http_client overridden by a mock provider, POST /checkout answered "
        f"{said(response)}"
    )
    sent = [(r.method, r.url.path) for r in provider.requests]
    assert sent == [("POST", "/charges")], (
        f"the mock provider received {sent}: the gateway did not use the overridden client"
    )
    assert response.json().get("charge_id") == "ch_provider_1", (
        f"the receipt is {response.json()}, expected the provider's charge id 'ch_provider_1'"
    )


@pytest.mark.task(1)
def test_provider_decline_is_402(main, overrides, app_client, clock):
    provider = Provider()
    overrides(
        main.app,
        {main.get_clock: lambda: clock.now, main.get_http_client: provider.client_dependency()},
    )
    order = {"amount_cents": 999, "card_token": "tok_declined"}
    response = app_client(main.app).post("/checkout", json=order)
    assert response.status_code == 402 and response.json() == {"detail": "insufficient funds"}, (
        f"the provider declined the card with 'insufficient funds'; POST /checkout answered "
        f"{said(response)}"
    )


# --- Tasks 2 and 3: the overrides helper --------------------------------------------------


def build_app():
    """GET /deps reports which functions answered for a, b and c (c depends on a)."""

    def get_a():
        return "real-a"

    def get_b():
        return "real-b"

    def get_c(a: Annotated[str, Depends(get_a)]):
        return f"c<{a}>"

    app = FastAPI()

    @app.get("/deps")
    def deps(
        a: Annotated[str, Depends(get_a)],
        b: Annotated[str, Depends(get_b)],
        c: Annotated[str, Depends(get_c)],
    ):
        return {"a": a, "b": b, "c": c}

    return SimpleNamespace(app=app, get_a=get_a, get_b=get_b, get_c=get_c)


def answering(value):
    """A replacement dependency that answers `value`."""

    def replacement():
        return value

    replacement.__name__ = f"answer_{value.replace('-', '_')}"
    return replacement


REAL = {"a": "real-a", "b": "real-b", "c": "c<real-a>"}


@pytest.fixture
def helper(learner):
    return learner.require("testing", "overrides").overrides


@pytest.fixture
def demo(app_client):
    demo = build_app()
    demo.client = app_client(demo.app)

    def deps():
        response = demo.client.get("/deps")
        assert response.status_code == 200, (
            f"GET /deps of the test app answered {said(response)} (overrides then: "
            f"{names(demo.state())})"
        )
        return response.json()

    demo.deps = deps
    demo.state = lambda: dict(demo.app.dependency_overrides)
    return demo


def names(state):
    def name(f):
        return getattr(f, "__name__", repr(f))

    return {name(key): name(value) for key, value in state.items()}


class Boom(Exception):
    pass


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_overrides_apply_inside_the_block(helper, demo):
    with helper(demo.app, {demo.get_a: answering("fake-a"), demo.get_b: answering("fake-b")}):
        inside = demo.deps()
    expected = {"a": "fake-a", "b": "fake-b", "c": "c<fake-a>"}
    assert inside == expected, (
        f"inside `with overrides(app, {{get_a: ..., get_b: ...}})` the route saw {inside}, "
        f"expected {expected}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_originals_are_back_after_the_block(helper, demo):
    with helper(demo.app, {demo.get_a: answering("fake-a"), demo.get_b: answering("fake-b")}):
        pass
    assert demo.state() == {}, (
        f"after the block, app.dependency_overrides still holds {names(demo.state())}"
    )
    assert demo.deps() == REAL, f"after the block the route saw {demo.deps()}, expected {REAL}"


@pytest.mark.task(2)
@pytest.mark.hint(
    "Apply the overrides when the block is entered (`__enter__`, or before the `yield` of a "
    "@contextmanager), not when overrides(...) is called."
)
def test_nothing_changes_before_the_block_is_entered(helper, demo):
    manager = helper(demo.app, {demo.get_a: answering("fake-a")})
    assert demo.state() == {}, (
        f"calling overrides(...) without entering it already set {names(demo.state())}"
    )
    with manager:
        inside = demo.deps()
    assert inside["a"] == "fake-a", f"inside the block the route saw {inside}"


@pytest.mark.task(2)
@pytest.mark.hint(
    "Look at app.dependency_overrides when the block is entered (`__enter__`, or before the "
    "`yield`), not when overrides(...) is called: what was set in between must come back."
)
def test_previous_state_is_the_one_found_on_entering(helper, demo):
    manager = helper(demo.app, {demo.get_a: answering("fake-a")})
    set_later = answering("later-a")
    demo.app.dependency_overrides.update({demo.get_a: set_later})
    with manager:
        inside = demo.deps()
    assert inside["a"] == "fake-a", f"inside the block the route saw {inside}"
    assert demo.state() == {demo.get_a: set_later}, (
        "get_a was overridden after overrides(...) was called but before its `with`; after the "
        f"block app.dependency_overrides holds {names(demo.state())}, expected that override "
        "(answer_later_a) back"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Change the dict that is there (`app.dependency_overrides.update(...)`, item assignment, "
    "`pop`), never assign a new one: other code holds a reference to it and keeps using it."
)
def test_the_overrides_dict_is_never_replaced(helper, demo):
    shared = demo.app.dependency_overrides
    theirs = answering("theirs-b")
    with helper(demo.app, {demo.get_a: answering("fake-a")}):
        same_inside = demo.app.dependency_overrides is shared
        shared[demo.get_b] = theirs  # other code, through the reference it kept
        inside = demo.deps()
    assert same_inside and demo.app.dependency_overrides is shared, (
        "overrides() put a new dict in app.dependency_overrides; it must change the one that "
        "is there"
    )
    assert inside == {"a": "fake-a", "b": "theirs-b", "c": "c<fake-a>"}, (
        "inside the block, other code overrode get_b through its reference to "
        f"app.dependency_overrides; the route saw {inside}"
    )
    assert demo.state() == {demo.get_b: theirs}, (
        f"after the block app.dependency_overrides holds {names(demo.state())}, expected only "
        "the override of get_b that other code set inside it"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "On exit put back, for every key of mapping, what it had when the block was entered, "
    "whatever it holds by then: the restore does not depend on who changed it inside."
)
def test_a_mapped_dependency_changed_inside_is_restored_too(helper, demo):
    existing = answering("pre-a")
    demo.app.dependency_overrides.update({demo.get_a: existing})
    with helper(demo.app, {demo.get_a: answering("fake-a"), demo.get_b: answering("fake-b")}):
        demo.app.dependency_overrides.update({demo.get_a: answering("theirs-a")})
        demo.app.dependency_overrides.update({demo.get_b: answering("theirs-b")})
    assert demo.state() == {demo.get_a: existing}, (
        "inside `with overrides(app, {get_a: ..., get_b: ...})` other code overrode get_a and "
        f"get_b again; after the block app.dependency_overrides holds {names(demo.state())}, "
        "expected get_a's earlier override (answer_pre_a) and none for get_b"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "On exit, a key of mapping that had no override may already be gone (other code removed "
    "it inside the block): remove it with `pop(dep, None)`, not `del`, which raises KeyError."
)
def test_a_mapped_dependency_removed_inside_is_restored_too(helper, demo):
    existing = answering("pre-a")
    demo.app.dependency_overrides.update({demo.get_a: existing})
    try:
        with helper(demo.app, {demo.get_a: answering("fake-a"), demo.get_b: answering("fake-b")}):
            demo.app.dependency_overrides.pop(demo.get_a)
            demo.app.dependency_overrides.pop(demo.get_b)
    except Exception as exc:  # noqa: BLE001
        pytest.fail(
            "inside `with overrides(app, {get_a: ..., get_b: ...})` other code removed the "
            f"overrides of get_a and get_b; leaving the block raised {exc!r}"
        )
    assert demo.state() == {demo.get_a: existing}, (
        "inside `with overrides(app, {get_a: ..., get_b: ...})` other code removed the "
        f"overrides of get_a and get_b; after the block app.dependency_overrides holds "
        f"{names(demo.state())}, expected get_a's earlier override (answer_pre_a) and none for "
        "get_b"
    )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Add your overrides to the existing dict (`app.dependency_overrides.update(mapping)`); "
    "assigning a new dict or clearing it throws away the overrides that were there before."
)
def test_existing_overrides_stay_in_force(helper, demo):
    existing = answering("pre-b")
    demo.app.dependency_overrides.update({demo.get_b: existing})
    with helper(demo.app, {demo.get_a: answering("fake-a")}):
        inside = demo.deps()
    assert inside == {"a": "fake-a", "b": "pre-b", "c": "c<fake-a>"}, (
        f"with get_b overridden beforehand, inside `with overrides(app, {{get_a: ...}})` the "
        f"route saw {inside}: the existing override of get_b must stay in force"
    )
    assert demo.state() == {demo.get_b: existing}, (
        f"after the block app.dependency_overrides holds {names(demo.state())}, expected only "
        "the override of get_b that was there before"
    )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Remember, for each key of mapping, the override it had before the block (if any); on "
    "exit put that one back, and remove only the keys that had none."
)
def test_replaced_existing_override_comes_back(helper, demo):
    existing = answering("pre-a")
    demo.app.dependency_overrides.update({demo.get_a: existing})
    with helper(demo.app, {demo.get_a: answering("fake-a")}):
        inside = demo.deps()
    assert inside["a"] == "fake-a", (
        f"with get_a already overridden, overrides(app, {{get_a: fake}}) gave {inside}"
    )
    assert demo.state() == {demo.get_a: existing}, (
        f"after the block app.dependency_overrides holds {names(demo.state())}: get_a should "
        "have its earlier override (answer_pre_a) back"
    )
    assert demo.deps()["a"] == "pre-a", f"after the block the route saw {demo.deps()}"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Restore only the keys of mapping. Restoring a snapshot of the whole dict (or swapping "
    "dicts) also undoes overrides that other code set while the block ran."
)
def test_overrides_set_by_others_inside_the_block_are_left_alone(helper, demo):
    theirs = answering("theirs-b")
    with helper(demo.app, {demo.get_a: answering("fake-a")}):
        demo.app.dependency_overrides.update({demo.get_b: theirs})
    assert demo.state() == {demo.get_b: theirs}, (
        f"an override of get_b was set inside the block by other code; after the block "
        f"app.dependency_overrides holds {names(demo.state())}, expected only that one"
    )


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Keep what you saved in the context manager itself (a local variable of the generator, "
    "or an attribute of the instance), never in a module-level variable shared by all blocks."
)
def test_nested_blocks_restore_in_turn(helper, demo):
    outer_a = answering("outer-a")
    with helper(demo.app, {demo.get_a: outer_a}):
        with helper(demo.app, {demo.get_a: answering("inner-a"), demo.get_b: answering("inner-b")}):
            innermost = demo.deps()
        between = demo.deps()
        between_state = demo.state()
    after = demo.deps()
    assert innermost == {"a": "inner-a", "b": "inner-b", "c": "c<inner-a>"}, (
        f"inside the inner block the route saw {innermost}"
    )
    assert between == {"a": "outer-a", "b": "real-b", "c": "c<outer-a>"}, (
        f"after the inner block (still inside the outer one) the route saw {between}"
    )
    assert between_state == {demo.get_a: outer_a}, (
        f"after the inner block app.dependency_overrides held {names(between_state)}, "
        "expected only the outer block's get_a"
    )
    assert demo.state() == {} and after == REAL, (
        f"after both blocks app.dependency_overrides holds {names(demo.state())} and the route "
        f"saw {after}"
    )


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Restore in a `finally:` around the `yield` (or in `__exit__`, which runs on exceptions "
    "too); code after a bare `yield` never runs when the block raises."
)
def test_exception_inside_still_restores(helper, demo):
    existing = answering("pre-b")
    demo.app.dependency_overrides.update({demo.get_b: existing})
    try:
        with helper(demo.app, {demo.get_a: answering("fake-a"), demo.get_b: answering("fake-b")}):
            raise Boom("the test failed inside the block")
    except Boom:
        pass
    assert demo.state() == {demo.get_b: existing}, (
        f"after a block that raised, app.dependency_overrides holds {names(demo.state())}, "
        "expected only the override of get_b that was there before"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Don't catch the exception: `try: yield` then `finally:` restores and lets it through. An "
    "`except` that does not re-raise (or an `__exit__` returning True) hides test failures."
)
def test_exception_inside_propagates(helper, demo):
    boom = Boom("the test failed inside the block")
    caught = None
    try:
        with helper(demo.app, {demo.get_a: answering("fake-a")}):
            raise boom
    except Exception as exc:  # what left the with statement
        caught = exc
    assert caught is boom, (
        f"a Boom raised inside the block came out as {caught!r}: overrides() must let the "
        "exception through unchanged"
    )


@pytest.mark.task(3)
def test_exception_in_a_nested_block(helper, demo):
    outer_a = answering("outer-a")
    with helper(demo.app, {demo.get_a: outer_a}):
        with pytest.raises(Boom):
            with helper(demo.app, {demo.get_a: answering("inner-a")}):
                raise Boom("inner")
        between = demo.state()
    assert between == {demo.get_a: outer_a}, (
        f"after the inner block raised, app.dependency_overrides held {names(between)}, "
        "expected the outer block's get_a"
    )
    assert demo.state() == {}, f"after both blocks, the overrides are {names(demo.state())}"
