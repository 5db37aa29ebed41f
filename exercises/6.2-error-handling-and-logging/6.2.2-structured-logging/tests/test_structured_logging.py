"""Hidden tests for 6.2.2: configure_logging writes every logging record as one JSON line
(event, level, timestamp), a middleware writes one request_completed line per request with a
request id carried by every line of that request (through a ContextVar), and nothing logged
holds a password, a body or an Authorization/Cookie header.

Each test calls the learner's configure_logging with a fresh io.StringIO and reads it line by
line; only the keys the prompt names are checked, any other key is accepted, and level names
are compared in lower case. Routes added by the tests log through the standard `logging`
module, so any tool (stdlib, python-json-logger, structlog's ProcessorFormatter) passes."""

import asyncio
import hashlib
import io
import json
import logging
import secrets
from datetime import UTC, datetime

import httpx
import pytest

ROUTE_LOGGER = "tests.routes"
DIRECT_LOGGER = "tests.direct"


@pytest.fixture
def setup(learner):
    return learner.require("logging_setup", "configure_logging")


@pytest.fixture
def main(learner, setup):
    return learner.require("main", "app", "monotonic", "ORDERS", "USERS")


@pytest.fixture
def stream(main, setup):
    """A fresh stream for this test: main.py is imported first, since its import may call
    configure_logging itself."""
    target = io.StringIO()
    setup.configure_logging(target)
    return target


@pytest.fixture
def state():
    return {}


@pytest.fixture
def app(main, clock, state):
    """main.app with the tests' routes added (and removed afterwards)."""
    application = main.app
    log = logging.getLogger(ROUTE_LOGGER)

    async def log_async():
        log.warning("tests_step_async")
        return {"ok": True}

    def log_sync():
        log.warning("tests_step_sync")
        return {"ok": True}

    async def explode():
        return {"ratio": 1 / 0}

    async def slow():
        clock.advance(0.25)
        return {"ok": True}

    # Both requests are in flight when either logs: neither returns before both have logged.
    async def first():
        state["first_started"].set()
        await asyncio.wait_for(state["second_logged"].wait(), 5)
        log.warning("tests_step_first")
        state["first_logged"].set()
        return {"ok": True}

    async def second():
        await asyncio.wait_for(state["first_started"].wait(), 5)
        log.warning("tests_step_second")
        state["second_logged"].set()
        await asyncio.wait_for(state["first_logged"].wait(), 5)
        return {"ok": True}

    before = list(application.router.routes)
    for path, endpoint in {
        "/_tests/log-async": log_async,
        "/_tests/log-sync": log_sync,
        "/_tests/explode": explode,
        "/_tests/slow": slow,
        "/_tests/first": first,
        "/_tests/second": second,
    }.items():
        application.add_api_route(path, endpoint, methods=["GET"])
    try:
        yield application
    finally:
        application.router.routes[:] = before


@pytest.fixture
def client(app, stream, app_client):
    return app_client(app)


def parsed(stream):
    """The JSON objects of the stream (lines that are not JSON objects are left out here; the
    Task 1 tests fail on them)."""
    found = []
    for raw in stream.getvalue().splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if isinstance(line, dict):
            found.append(line)
    return found


def with_event(stream, event):
    return [line for line in parsed(stream) if line.get("event") == event]


def completed(stream, path, method="GET"):
    """The request_completed lines of one path."""
    return [
        line
        for line in with_event(stream, "request_completed")
        if line.get("path") == path and line.get("method") == method
    ]


def one_completed(stream, path, method="GET"):
    lines = completed(stream, path, method)
    assert len(lines) == 1, (
        f"after one {method} {path}, the log has {len(lines)} request_completed lines with "
        f'"method": "{method}", "path": "{path}"; expected 1. '
        f"The log: {shown(stream)}"
    )
    return lines[0]


def shown(stream, size=600):
    text = stream.getvalue()
    return text if len(text) <= size else "..." + text[-size:]


def level_of(line):
    return str(line.get("level", "")).lower()


def is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def direct(level, message, *args):
    logging.getLogger(DIRECT_LOGGER).log(level, message, *args)


# --- Task 1: configure_logging writes JSON lines ------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Build a dict and return `json.dumps(...)` from your Formatter's `format()`: the base "
    "class's `format()` appends the traceback as raw text lines after the message. Keep the "
    "traceback inside a field (`self.formatException(record.exc_info)`), or let "
    "python-json-logger or structlog's ProcessorFormatter (with a JSONRenderer) do it."
)
def test_every_line_is_one_json_object(client, stream):
    client.get("/orders/1?page=2")
    client.get("/orders/999")
    client.post("/login", json={"username": "nobody"})
    client.get("/_tests/log-sync")
    client.get("/_tests/explode")
    try:
        1 / 0
    except ZeroDivisionError:
        logging.getLogger(DIRECT_LOGGER).exception("tests_exception_line")
    raw_lines = [raw for raw in stream.getvalue().splitlines() if raw.strip()]
    assert raw_lines, "nothing was written to the stream given to configure_logging"
    for number, raw in enumerate(raw_lines, 1):
        try:
            line = json.loads(raw)
        except ValueError:
            pytest.fail(f"line {number} of the log is not JSON: {raw[:200]}")
        assert isinstance(line, dict), f"line {number} of the log is JSON but not an object: {raw}"
    assert with_event(stream, "tests_exception_line"), (
        "logger.exception('tests_exception_line') wrote no JSON line with that event: "
        f"{shown(stream)}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Put the handler on the root logger (`logging.getLogger()`), so that records of every "
    "logger reach it, and write `event` = `record.getMessage()` (the message with its "
    "%-arguments filled in) and `level` = the level's name."
)
def test_any_logger_is_written_with_event_and_level(stream):
    token = secrets.token_hex(4)
    direct(logging.WARNING, "tests_warning_%s", token)
    logging.getLogger(f"{DIRECT_LOGGER}.{token}").error("tests_error_%s", token)
    for event, level in ((f"tests_warning_{token}", "warning"), (f"tests_error_{token}", "error")):
        lines = with_event(stream, event)
        assert len(lines) == 1, (
            f"a {level} record with the message {event!r} gave {len(lines)} lines with that "
            f"event, expected 1: {shown(stream)}"
        )
        assert level_of(lines[0]) == level, (
            f"the line of a {level} record has level {lines[0].get('level')!r}: {lines[0]}"
        )


@pytest.mark.task(1)
@pytest.mark.hint(
    "`datetime.fromtimestamp(record.created, UTC).isoformat()` gives "
    "'2026-01-01T12:00:00.042000+00:00'; structlog's `TimeStamper(fmt='iso', utc=True)` and "
    "python-json-logger's `timestamp=True` do too. time.asctime-style text has no offset."
)
def test_the_timestamp_is_iso_8601_with_an_offset(stream):
    token = secrets.token_hex(4)
    direct(logging.WARNING, "tests_time_%s", token)
    lines = with_event(stream, f"tests_time_{token}")
    assert lines, f"a warning record wrote no line with its event: {shown(stream)}"
    value = lines[0].get("timestamp")
    assert isinstance(value, str), f"the line's timestamp is {value!r}, not an ISO 8601 string"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        pytest.fail(f"the timestamp {value!r} is not an ISO 8601 date and time")
    assert moment.tzinfo is not None and moment.utcoffset() is not None, (
        f"the timestamp {value!r} has no UTC offset (+00:00 or Z)"
    )
    gap = abs((datetime.now(UTC) - moment).total_seconds())
    assert gap < 300, f"the timestamp {value!r} is {gap:.0f} s away from the time of the record"


@pytest.mark.task(1)
@pytest.mark.hint(
    "Set the level on the root logger (`root.setLevel(level)`; a name such as 'WARNING' is "
    "accepted), or on your handler: records below it are not written."
)
def test_records_below_the_level_are_not_written(main, setup):
    target = io.StringIO()
    setup.configure_logging(target, level="WARNING")
    token = secrets.token_hex(4)
    direct(logging.INFO, "tests_info_%s", token)
    direct(logging.WARNING, "tests_warning_%s", token)
    events = [line.get("event") for line in parsed(target)]
    assert f"tests_warning_{token}" in events, (
        f"with level='WARNING', a warning record was not written: {shown(target)}"
    )
    assert f"tests_info_{token}" not in events, (
        f"with level='WARNING', an info record was written: {shown(target)}"
    )
    info_stream = io.StringIO()
    setup.configure_logging(info_stream)
    direct(logging.DEBUG, "tests_debug_%s", token)
    direct(logging.INFO, "tests_info2_%s", token)
    events = [line.get("event") for line in parsed(info_stream)]
    assert f"tests_info2_{token}" in events and f"tests_debug_{token}" not in events, (
        f"with the default level INFO, the log holds {events}: the info record belongs in it, "
        "the debug record does not"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Remove the handler the previous call added before adding the new one (keep a reference "
    "to it, or mark it with a class of your own): adding one handler per call writes every "
    "record once per call. With structlog, don't cache a logger bound to the old stream "
    "(`cache_logger_on_first_use`)."
)
def test_configuring_again_replaces_the_stream(main, setup, app, app_client):
    client = app_client(app)
    first, second = io.StringIO(), io.StringIO()
    token = secrets.token_hex(4)
    setup.configure_logging(first)
    direct(logging.WARNING, "tests_before_%s", token)
    client.get("/orders/1")
    setup.configure_logging(second)
    direct(logging.WARNING, "tests_after_%s", token)
    client.get("/orders/2")
    first_events = [line.get("event") for line in parsed(first)]
    second_events = [line.get("event") for line in parsed(second)]
    assert f"tests_after_{token}" not in first_events, (
        "after configure_logging was called with a new stream, the old stream still gets lines"
    )
    assert second_events.count(f"tests_after_{token}") == 1, (
        f"one record logged after the second configure_logging appears "
        f"{second_events.count(f'tests_after_{token}')} times in the new stream"
    )
    assert f"tests_before_{token}" not in second_events, (
        "a record logged before the second configure_logging appears in the new stream"
    )
    paths = {
        name: [line.get("path") for line in with_event(stream, "request_completed")]
        for name, stream in (("first", first), ("second", second))
    }
    assert paths == {"first": ["/orders/1"], "second": ["/orders/2"]}, (
        "GET /orders/1, then configure_logging with a new stream, then GET /orders/2: the "
        f"request_completed lines went to the streams as {paths}, expected "
        "{'first': ['/orders/1'], 'second': ['/orders/2']}"
    )


# --- Task 2: one line per request, and the request id -------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "After `response = await call_next(request)`, log 'request_completed' with "
    "method=request.method, path=request.url.path (str(request.url) holds the host and the "
    "query string), status_code=response.status_code, duration_ms and the request id."
)
def test_the_request_completed_line_has_its_keys(client, stream):
    response = client.get("/orders/1?page=2")
    assert response.status_code == 200, f"GET /orders/1 answered {response.status_code}"
    line = one_completed(stream, "/orders/1")
    problems = []
    if line.get("status_code") != 200 or type(line.get("status_code")) is not int:
        problems.append(f"status_code is {line.get('status_code')!r}, not the integer 200")
    if level_of(line) != "info":
        problems.append(f"level is {line.get('level')!r}, not 'info'")
    if not is_number(line.get("duration_ms")) or line["duration_ms"] < 0:
        problems.append(f"duration_ms is {line.get('duration_ms')!r}, not a number >= 0")
    if not line.get("request_id"):
        problems.append(f"request_id is {line.get('request_id')!r}")
    if not isinstance(line.get("timestamp"), str):
        problems.append(f"timestamp is {line.get('timestamp')!r}")
    assert not problems, f"the request_completed line {line}: " + "; ".join(problems)


@pytest.mark.task(2)
@pytest.mark.hint(
    "Create the id in the middleware (`uuid.uuid4().hex`), set it in the ContextVar, and "
    "send it back with `response.headers['X-Request-ID'] = request_id`."
)
def test_each_answer_carries_a_new_request_id(client, stream):
    first, second = client.get("/orders/1"), client.get("/orders/1")
    ids = [first.headers.get("x-request-id"), second.headers.get("x-request-id")]
    assert all(ids), f"the answers' X-Request-ID headers are {ids}"
    assert ids[0] != ids[1], f"two requests got the same request id {ids[0]!r}"
    logged = [line.get("request_id") for line in completed(stream, "/orders/1")]
    assert logged == ids, (
        f"the request_completed lines carry the ids {logged}, the answers' X-Request-ID "
        f"headers say {ids}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Make a new id for every request, whatever the request's headers say: an X-Request-ID sent "
    "by the client is not reused, or two requests that send the same one share an id."
)
def test_an_incoming_request_id_is_not_reused(client, stream):
    sent = "same"
    answers = [client.get("/orders/1", headers={"X-Request-ID": sent}) for _ in range(2)]
    ids = [answer.headers.get("x-request-id") for answer in answers]
    assert all(ids), f"the answers' X-Request-ID headers are {ids}"
    assert sent not in ids and ids[0] != ids[1], (
        f"two requests that both sent X-Request-ID: {sent} got the request ids {ids}: each "
        "request gets a new id of its own"
    )
    logged = [line.get("request_id") for line in completed(stream, "/orders/1")]
    assert logged == ids, (
        f"the request_completed lines carry the ids {logged}, the answers' X-Request-ID "
        f"headers say {ids}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A middleware that logs and re-raises leaves the 500 to Starlette's ServerErrorMiddleware, "
    "which sits outside your middleware and answers without your header. Catch the exception "
    "in the middleware, log the request_completed line, and return the 500 yourself: "
    "`JSONResponse({'detail': 'Internal Server Error'}, status_code=500, "
    "headers={'X-Request-ID': request_id})`."
)
def test_the_500_answer_carries_the_request_id_too(client, stream):
    answers = {path: client.get(path) for path in ("/_tests/explode", "/orders/999")}
    problems = []
    for path, response in answers.items():
        header = response.headers.get("x-request-id")
        logged = [line.get("request_id") for line in completed(stream, path)]
        if not header:
            problems.append(f"the {response.status_code} answer of GET {path} has no X-Request-ID")
        elif logged != [header]:
            problems.append(
                f"the {response.status_code} answer of GET {path} has X-Request-ID {header!r}, "
                f"its request_completed lines carry {logged}"
            )
    assert not problems, "; ".join(problems)


@pytest.mark.task(2)
@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/orders/999", None, 404),
        ("GET", "/no-such-route", None, 404),
        ("POST", "/login", {"username": "nobody"}, 422),
    ],
    ids=["missing-order", "unknown-route", "invalid-body"],
)
@pytest.mark.hint(
    "The middleware logs every request it sees, at level info whenever the endpoint "
    "returned, whatever the status: a 404 or a 422 is an answer, not an error of the app."
)
def test_error_answers_are_logged_at_info(client, stream, method, path, body, status):
    response = client.request(method, path, json=body)
    assert response.status_code == status, f"{method} {path} answered {response.status_code}"
    line = one_completed(stream, path, method)
    assert line.get("status_code") == status and level_of(line) == "info", (
        f"{method} {path} ({status}) logged status_code {line.get('status_code')!r} at level "
        f"{line.get('level')!r}, expected {status} at 'info'"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Read the time with `monotonic()` (the module-level name of main.py, looked up at each "
    "request) before `call_next` and after it, and log `(end - start) * 1000`: the clock "
    "gives seconds, the key is in milliseconds. `time.perf_counter()` called directly can't "
    "be replaced by the tests."
)
def test_duration_is_in_milliseconds_on_main_monotonic(main, client, stream, clock, monkeypatch):
    monkeypatch.setattr(main, "monotonic", clock.monotonic)
    response = client.get("/_tests/slow")
    assert response.status_code == 200, f"GET /_tests/slow answered {response.status_code}"
    duration = one_completed(stream, "/_tests/slow").get("duration_ms")
    assert is_number(duration) and abs(duration - 250) <= 1, (
        f"a request during which main.monotonic() moved 0.25 s logged duration_ms "
        f"{duration!r}, expected 250"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Wrap `await call_next(request)` in try/except Exception: log 'request_completed' at "
    "level error with status_code=500 and exc_type=type(exc).__name__, then return a 500 "
    "answer carrying X-Request-ID. Keep the traceback inside the JSON line, not after it."
)
def test_an_exception_is_a_500_logged_as_error_with_exc_type(client, stream):
    response = client.get("/_tests/explode")
    assert response.status_code == 500, f"an endpoint raising answered {response.status_code}"
    line = one_completed(stream, "/_tests/explode")
    problems = []
    if line.get("status_code") != 500:
        problems.append(f"status_code is {line.get('status_code')!r}, not 500")
    if level_of(line) != "error":
        problems.append(f"level is {line.get('level')!r}, not 'error'")
    if not str(line.get("exc_type", "")).endswith("ZeroDivisionError"):
        problems.append(f"exc_type is {line.get('exc_type')!r}, not 'ZeroDivisionError'")
    if not is_number(line.get("duration_ms")) or line["duration_ms"] < 0:
        problems.append(f"duration_ms is {line.get('duration_ms')!r}, not a number >= 0")
    if not line.get("request_id"):
        problems.append(f"request_id is {line.get('request_id')!r}")
    if not isinstance(line.get("timestamp"), str):
        problems.append(f"timestamp is {line.get('timestamp')!r}")
    assert not problems, (
        f"the request_completed line of an endpoint raising ZeroDivisionError, {line}: "
        + "; ".join(problems)
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("kind", ["async", "sync"])
@pytest.mark.hint(
    "Set the id in a contextvars.ContextVar in the middleware, and add it to every record in "
    "the formatter or a logging.Filter on the handler (structlog: bind_contextvars and "
    "merge_contextvars in the foreign_pre_chain). FastAPI runs `def` endpoints in a "
    "threadpool and copies the context there; a threading.local is not copied."
)
def test_lines_logged_inside_a_request_carry_its_id(client, stream, kind):
    response = client.get(f"/_tests/log-{kind}")
    assert response.status_code == 200, f"GET /_tests/log-{kind} answered {response.status_code}"
    request_id = one_completed(stream, f"/_tests/log-{kind}").get("request_id")
    steps = with_event(stream, f"tests_step_{kind}")
    assert len(steps) == 1, (
        f"the {kind} endpoint's warning gave {len(steps)} lines: {shown(stream)}"
    )
    assert request_id and steps[0].get("request_id") == request_id, (
        f"a line logged inside a `{'async def' if kind == 'async' else 'def'}` endpoint carries "
        f"request_id {steps[0].get('request_id')!r}; its request_completed line says "
        f"{request_id!r}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A module-level variable holds one value for the whole process: a second request "
    "overwrites it while the first is still running. A ContextVar set in the middleware "
    "has one value per request (each request runs in its own asyncio task)."
)
def test_concurrent_requests_keep_their_own_ids(app, stream, state):
    async def both():
        for name in ("first_started", "second_logged", "first_logged"):
            state[name] = asyncio.Event()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await asyncio.gather(c.get("/_tests/first"), c.get("/_tests/second"))

    answers = asyncio.run(both())
    assert [a.status_code for a in answers] == [200, 200], (
        f"two requests in flight at once answered {[a.status_code for a in answers]}"
    )
    wrong = []
    for name in ("first", "second"):
        request_id = one_completed(stream, f"/_tests/{name}").get("request_id")
        steps = with_event(stream, f"tests_step_{name}")
        logged = steps[0].get("request_id") if steps else "no line"
        if not request_id or logged != request_id:
            wrong.append(
                f"/_tests/{name} logged request_id {logged!r}, its request has {request_id!r}"
            )
    assert not wrong, (
        "while two requests were in flight at once, a line carried the other request's id: "
        + "; ".join(wrong)
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Read the id from the ContextVar when a line is written, and leave the key out (or null) "
    "when it holds nothing. A global that keeps the last request's id puts it on lines that "
    "belong to no request."
)
def test_a_line_outside_any_request_has_no_request_id(client, stream):
    client.get("/orders/1")
    token = secrets.token_hex(4)
    direct(logging.WARNING, "tests_outside_%s", token)
    lines = with_event(stream, f"tests_outside_{token}")
    assert lines, f"a warning logged outside any request wrote no line: {shown(stream)}"
    assert lines[0].get("request_id") is None, (
        f"a line logged outside any request carries request_id {lines[0].get('request_id')!r}"
    )


# --- Task 3: the app's own lines, and what they never show --------------------------------


@pytest.mark.task(3)
@pytest.mark.hint(
    "In GET /orders/{order_id}, once the order is found (not for a 404), log the event "
    "'order_viewed' with order_id as a key of its own: "
    "`logger.info('order_viewed', extra={'order_id': order_id})` "
    "(structlog: `log.info('order_viewed', order_id=order_id)`)."
)
def test_order_viewed_line(client, stream):
    missing = client.get("/orders/999")
    assert missing.status_code == 404, f"GET /orders/999 answered {missing.status_code}"
    assert not with_event(stream, "order_viewed"), (
        f"GET /orders/999 (no such order) wrote an order_viewed line: {shown(stream)}"
    )
    response = client.get("/orders/2")
    assert response.status_code == 200, f"GET /orders/2 answered {response.status_code}"
    request_id = one_completed(stream, "/orders/2").get("request_id")
    lines = with_event(stream, "order_viewed")
    assert len(lines) == 1, f"GET /orders/2 wrote {len(lines)} order_viewed lines: {shown(stream)}"
    line = lines[0]
    assert line.get("order_id") == 2 and type(line.get("order_id")) is int, (
        f"the order_viewed line has order_id {line.get('order_id')!r}, not the integer 2: {line}"
    )
    assert request_id and line.get("request_id") == request_id, (
        f"the order_viewed line carries request_id {line.get('request_id')!r}, its request "
        f"has {request_id!r}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Log 'login_attempt' with username and success (a bool) for every attempt, before "
    "refusing a wrong password: the refusals are the lines a security team searches for."
)
def test_login_attempt_lines(main, client, stream, monkeypatch):
    password = secrets.token_urlsafe(12)
    monkeypatch.setitem(main.USERS, "tester", hashlib.sha256(password.encode()).hexdigest())
    good = client.post("/login", json={"username": "tester", "password": password})
    bad = client.post("/login", json={"username": "tester", "password": password + "x"})
    assert (good.status_code, bad.status_code) == (200, 401), (
        f"POST /login answered {good.status_code} for the right password and "
        f"{bad.status_code} for a wrong one"
    )
    found = [
        (line.get("username"), line.get("success")) for line in with_event(stream, "login_attempt")
    ]
    assert found == [("tester", True), ("tester", False)], (
        f"two logins (right, then wrong password) wrote login_attempt lines with "
        f"(username, success) {found}, expected [('tester', True), ('tester', False)]"
    )


@pytest.mark.task(3)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Log chosen fields, never a whole request, at any level (a debug line too): not "
    "`await request.body()`, not `request.headers`, not the Login model (its repr shows the "
    "password) and not `**form.model_dump()`."
)
def test_nothing_logged_holds_a_password_or_secret_headers(
    main, setup, client, caplog, monkeypatch
):
    # At DEBUG, so that a record logged at debug level is made, and searched, too.
    stream = io.StringIO()
    setup.configure_logging(stream, level="DEBUG")
    caplog.set_level(logging.DEBUG)
    secret = {
        name: secrets.token_urlsafe(12)
        for name in ("right", "wrong", "invalid", "bearer", "cookie")
    }
    monkeypatch.setitem(main.USERS, "tester", hashlib.sha256(secret["right"].encode()).hexdigest())
    client.post("/login", json={"username": "tester", "password": secret["right"]})
    client.post("/login", json={"username": "tester", "password": secret["wrong"]})
    client.post("/login", json={"password": secret["invalid"]})
    client.get(
        "/orders/1",
        headers={
            "Authorization": f"Bearer {secret['bearer']}",
            "Cookie": f"session={secret['cookie']}",
        },
    )
    leaks = [
        f"the stream shows the {name} value"
        for name, value in secret.items()
        if value in stream.getvalue()
    ]
    for record in caplog.records:
        text = " ".join(str(value) for value in vars(record).values())
        try:
            text += " " + record.getMessage()
        except Exception:  # a record whose message can't be built shows nothing more
            pass
        leaks += [
            f"a '{record.name}' record shows the {name} value"
            for name, value in secret.items()
            if value in text
        ]
    assert not leaks, (
        "with logging configured at level DEBUG, after two logins, a login with an invalid "
        "body and a GET with Authorization and Cookie headers: " + "; ".join(sorted(set(leaks)))
    )
