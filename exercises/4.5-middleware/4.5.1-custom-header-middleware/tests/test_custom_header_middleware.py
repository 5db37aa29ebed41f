"""Hidden tests for 4.5.1.

The learner's app is imported once; the suite adds two routes of its own to it (a handler that
moves a fake clock, and one that reads request.state.request_id), so a middleware that only
covers the learner's routes is caught. Timing is measured on the kit's FakeClock, patched in as
`main.timer`: no test waits on wall time.
"""

import math
import uuid

import pytest
from fastapi import Request

from grader.testing import client_for

VALID_V4 = "3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b"
VALID_V1 = "a8098c1a-f86e-11da-bd1a-00112444be1e"
TICK = {"clock": None}  # the fake clock the test route moves, set by the timing test


@pytest.fixture(scope="module")
def main(learner):
    main = learner.require("main", "app", "timer")

    async def tick(seconds: float) -> dict:
        if TICK["clock"] is not None:
            TICK["clock"].advance(seconds)
        return {"moved": seconds}

    async def state(request: Request) -> dict:
        return {"request_id": getattr(request.state, "request_id", None)}

    paths = {getattr(route, "path", None) for route in main.app.router.routes}
    if "/_test/tick" not in paths:
        main.app.add_api_route("/_test/tick", tick, methods=["GET"])
        main.app.add_api_route("/_test/state", state, methods=["GET"])
    return main


@pytest.fixture(scope="module")
def client(main):
    with client_for(main.app) as client:
        yield client


@pytest.fixture
def fake_timer(main, monkeypatch, clock):
    monkeypatch.setattr(main, "timer", clock.monotonic)
    TICK["clock"] = clock
    yield clock
    TICK["clock"] = None


def get(client, path, request_id=None):
    headers = {} if request_id is None else {"X-Request-ID": request_id}
    return client.get(path, headers=headers)


def sent(request_id):
    return "without X-Request-ID" if request_id is None else f"with X-Request-ID {request_id!r}"


def check_status(response, path, status):
    assert response.status_code == status, (
        f"GET {path} answered {response.status_code}, expected {status}: {response.text[:200]}"
    )


def request_id_of(response, path, request_id=None):
    value = response.headers.get("x-request-id")
    assert value is not None, (
        f"GET {path} {sent(request_id)} answered {response.status_code} with no X-Request-ID "
        f"header (headers: {dict(response.headers)})"
    )
    return value


def generated_id_of(response, path, request_id=None):
    value = request_id_of(response, path, request_id)
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        pytest.fail(f"GET {path} {sent(request_id)} answered X-Request-ID {value!r}: not a UUID")
    assert parsed.version == 4 and str(parsed) == value, (
        f"GET {path} {sent(request_id)} answered X-Request-ID {value!r}, expected a new "
        "uuid4 in canonical form (str(uuid.uuid4()))"
    )
    return value


def process_time_of(response, path):
    value = response.headers.get("x-process-time-ms")
    assert value is not None, (
        f"GET {path} answered {response.status_code} with no X-Process-Time-Ms header "
        f"(headers: {dict(response.headers)})"
    )
    try:
        milliseconds = float(value)
    except ValueError:
        pytest.fail(f"GET {path} answered X-Process-Time-Ms {value!r}: not a number")
    return value, milliseconds


# --- Task 1: X-Request-ID ------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.hint(
    "Set the header in a middleware (`@app.middleware('http')`), after `await call_next(request)`: "
    "it then lands on every response, including FastAPI's own 404 and 422, which no handler of "
    "yours produces. With no incoming id, use str(uuid.uuid4())."
)
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/items/1", 200),
        ("/items/999", 404),
        ("/items/abc", 422),
        ("/no/such/path", 404),
        ("/_test/state", 200),
    ],
)
def test_every_response_gets_a_request_id(client, path, status):
    response = get(client, path)
    check_status(response, path, status)
    generated_id_of(response, path)


@pytest.mark.task(1)
@pytest.mark.hint(
    "When the request's X-Request-ID is a valid UUID, the response carries the same id: "
    "`str(uuid.UUID(value))`."
)
@pytest.mark.parametrize("incoming", [VALID_V4, VALID_V1])
def test_valid_incoming_id_is_echoed(client, incoming):
    for path, status in [("/items/1", 200), ("/no/such/path", 404)]:
        response = get(client, path, incoming)
        check_status(response, path, status)
        value = request_id_of(response, path, incoming)
        assert value == incoming, (
            f"GET {path} with X-Request-ID {incoming!r} answered X-Request-ID {value!r}, "
            "expected the incoming id unchanged"
        )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Echo the canonical form of the incoming UUID, str(uuid.UUID(value)) (lowercase, with "
    "hyphens), not the raw header value."
)
@pytest.mark.parametrize(
    "incoming",
    [VALID_V4.upper(), VALID_V4.replace("-", ""), "{" + VALID_V4 + "}"],
)
def test_incoming_uuid_comes_back_in_canonical_form(client, incoming):
    response = get(client, "/items/1", incoming)
    value = request_id_of(response, "/items/1", incoming)
    assert value == VALID_V4, (
        f"GET /items/1 with X-Request-ID {incoming!r} answered X-Request-ID {value!r}, "
        f"expected the canonical form {VALID_V4!r}"
    )


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Never echo an incoming value that is not a UUID: try uuid.UUID(value), and on ValueError "
    "generate a new str(uuid.uuid4()) instead. A regex must match the whole value."
)
@pytest.mark.parametrize(
    "incoming",
    [
        "../x",
        "not-a-uuid",
        "",
        "<script>alert(1)</script>",
        "12345678-1234-1234-1234-1234567890zz",
        VALID_V4 + "-x",
    ],
)
def test_invalid_incoming_id_is_replaced(client, incoming):
    for path, status in [("/items/1", 200), ("/items/abc", 422)]:
        response = get(client, path, incoming)
        check_status(response, path, status)
        value = generated_id_of(response, path, incoming)
        assert not incoming or incoming not in value, (
            f"GET {path} with X-Request-ID {incoming!r} answered X-Request-ID {value!r}: "
            "the invalid incoming value must not appear in it"
        )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Generate the id inside the middleware, once per request. An id made at import time (or "
    "cached) is the same for every request."
)
def test_generated_ids_are_unique(client):
    ids = [generated_id_of(get(client, "/items/1"), "/items/1") for _ in range(10)]
    ids += [generated_id_of(get(client, "/items/2", "../x"), "/items/2", "../x") for _ in range(5)]
    assert len(set(ids)) == len(ids), (
        f"15 requests without a valid X-Request-ID got only {len(set(ids))} different ids: {ids}"
    )


# --- Task 2: X-Process-Time-Ms --------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.hint(
    "Add X-Process-Time-Ms in the same middleware, after call_next, so that every response "
    "(404 and 422 included) carries it."
)
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/items/1", 200),
        ("/items/999", 404),
        ("/items/abc", 422),
        ("/no/such/path", 404),
        ("/_test/state", 200),
    ],
)
def test_every_response_gets_a_process_time(client, path, status):
    response = get(client, path)
    check_status(response, path, status)
    value, milliseconds = process_time_of(response, path)
    assert math.isfinite(milliseconds) and milliseconds >= 0, (
        f"GET {path} answered X-Process-Time-Ms {value!r}, expected a number >= 0"
    )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "`start = timer()` before `await call_next(request)`, then `(timer() - start) * 1000` "
    "after it: timer() counts seconds and the header is in milliseconds. Call `timer()` (the "
    "module's name, which the tests replace), format with 3 decimals, and don't round to whole "
    "milliseconds."
)
@pytest.mark.parametrize(("seconds", "expected"), [(0.25, 250.0), (0.0012345, 1.2345), (0.0, 0.0)])
def test_process_time_is_the_apps_time_in_milliseconds(client, fake_timer, seconds, expected):
    path = f"/_test/tick?seconds={seconds}"
    response = get(client, path)
    check_status(response, path, 200)
    value, milliseconds = process_time_of(response, path)
    assert abs(milliseconds - expected) <= 0.001, (
        f"a handler during which timer() moved by {seconds} s gave X-Process-Time-Ms {value!r}, "
        f"expected {expected} (milliseconds)"
    )


# --- Task 3: request.state.request_id and /whoami -------------------------------------------


@pytest.mark.task(3)
@pytest.mark.hint(
    "Set `request.state.request_id = request_id` in the middleware *before* `call_next`, so "
    "the handler sees it on its own Request."
)
@pytest.mark.parametrize("incoming", [None, VALID_V4, "../x"])
def test_handlers_see_the_id_in_request_state(client, incoming):
    response = get(client, "/_test/state", incoming)
    check_status(response, "/_test/state", 200)
    value = request_id_of(response, "/_test/state", incoming)
    seen = response.json()["request_id"]
    assert seen == value, (
        f"a handler read request.state.request_id = {seen!r}, but the response's X-Request-ID "
        f"was {value!r} ({sent(incoming)})"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "GET /whoami returns {'request_id': request.state.request_id}: the id the middleware chose, "
    "not the raw request header and not a new uuid."
)
@pytest.mark.parametrize("incoming", [None, VALID_V4, VALID_V4.upper(), "../x"])
def test_whoami_answers_the_header_id(client, incoming):
    response = get(client, "/whoami", incoming)
    check_status(response, "/whoami", 200)
    value = request_id_of(response, "/whoami", incoming)
    body = response.json()
    assert body == {"request_id": value}, (
        f"GET /whoami {sent(incoming)} answered {body} with X-Request-ID {value!r}, "
        f"expected {{'request_id': {value!r}}}"
    )
