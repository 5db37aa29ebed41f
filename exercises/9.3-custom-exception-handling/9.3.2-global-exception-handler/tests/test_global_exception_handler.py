"""Hidden tests for 9.3.2: an uncaught exception answers 500 with exactly
{"error": "internal_server_error", "request_id"} and an X-Request-ID header (the request's own
id, or a new one per request), logs an ERROR record carrying the exception, never shows the
exception's message or a traceback, and leaves FastAPI's own 404, 405 and 422 answers alone.

Routes added by the tests raise exceptions whose message holds a secret; the client answers 500
instead of raising (the kit's app_client)."""

import logging

import pytest
from fastapi import Depends

SECRET = "db-password=hunter2-5531"
LEAK_MARKERS = (
    SECRET,
    "hunter2",
    "Traceback",
    "RuntimeError",
    "LookupError",
    "KeyError",
    "ZeroDivisionError",
    'File "',
)


@pytest.fixture
def main(learner):
    return learner.require("main", "app")


@pytest.fixture
def raised():
    """The exception instances the tests' routes raise, by path."""
    return {
        "/_t/sync": RuntimeError(SECRET),
        "/_t/async": LookupError(SECRET),
        "/_t/dependency": KeyError(SECRET),
    }


@pytest.fixture
def client(main, raised, app_client):
    app = main.app
    before = list(app.router.routes)

    def sync_route():
        raise raised["/_t/sync"]

    async def async_route():
        raise raised["/_t/async"]

    def failing_dependency():
        raise raised["/_t/dependency"]

    def dependency_route(value=Depends(failing_dependency)):
        return {"value": value}

    def divide_route():
        return {"ratio": 1 / 0}

    app.add_api_route("/_t/sync", sync_route)
    app.add_api_route("/_t/async", async_route)
    app.add_api_route("/_t/dependency", dependency_route)
    app.add_api_route("/_t/divide", divide_route)
    try:
        yield app_client(app)
    finally:
        app.router.routes[:] = before


def assert_no_leak(response, path):
    shown = response.text + " " + " ".join(f"{k}: {v}" for k, v in response.headers.items())
    for marker in LEAK_MARKERS:
        assert marker not in shown, (
            f"the answer to {path} shows {marker!r} (the exception's message or a traceback): "
            f"{shown[:300]}"
        )


# Task 1: the 500 answer


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("path", ["/_t/sync", "/_t/async", "/_t/dependency", "/_t/divide"])
def test_uncaught_exception_is_500_envelope_without_leak(client, path):
    response = client.get(path, headers={"X-Request-ID": "req-1234"})
    assert response.status_code == 500, f"GET {path} answered {response.status_code}, not 500"
    try:
        body = response.json()
    except ValueError:
        pytest.fail(f"GET {path} answered a body that is not JSON: {response.text[:200]!r}")
    assert body == {"error": "internal_server_error", "request_id": "req-1234"}, (
        f"GET {path} with X-Request-ID req-1234 answered {body!r}"
    )
    assert_no_leak(response, path)


@pytest.mark.task(1)
def test_app_keeps_working_after_a_500(client, main):
    client.get("/_t/sync")
    response = client.get("/items/1")
    assert response.status_code == 200, f"after a 500, GET /items/1 answered {response.status_code}"
    assert response.json() == {"id": 1, "name": "hammer"}, f"GET /items/1 answered {response.text}"


# Task 2: the request id


@pytest.mark.task(2)
def test_request_id_header_is_echoed(client):
    response = client.get("/_t/sync", headers={"X-Request-ID": "trace-abc-42"})
    assert response.json().get("request_id") == "trace-abc-42", (
        f"with X-Request-ID trace-abc-42 the body's request_id is {response.json()!r}"
    )
    header = response.headers.get("x-request-id")
    assert header == "trace-abc-42", f"the 500 answer's X-Request-ID header is {header!r}"


@pytest.mark.task(2)
def test_request_without_id_gets_a_new_one_each_time(client):
    ids = []
    for _ in range(2):
        response = client.get("/_t/async")
        assert response.status_code == 500, f"GET /_t/async answered {response.status_code}"
        request_id = response.json().get("request_id")
        assert isinstance(request_id, str) and request_id, (
            f"without X-Request-ID the body's request_id is {request_id!r}"
        )
        header = response.headers.get("x-request-id")
        assert header == request_id, (
            f"the X-Request-ID header {header!r} differs from the body's request_id {request_id!r}"
        )
        ids.append(request_id)
    assert ids[0] != ids[1], f"two requests without X-Request-ID both got the id {ids[0]!r}"


# Task 3: the traceback is logged


def attached(record, exc):
    """What a log record carries as exc_info, in words, for the message of a failure."""
    if not record.exc_info:
        return "no exc_info"
    carried = record.exc_info[1]
    if carried is None:
        return "exc_info (None, None, None), no exception"
    if carried is exc:
        return f"exc_info the raised {type(exc).__name__}"
    return f"exc_info another {type(carried).__name__}, not the raised one"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize("path", ["/_t/sync", "/_t/dependency"])
def test_error_record_with_the_exception_is_logged(client, raised, caplog, path):
    caplog.set_level(logging.ERROR)
    client.get(path, headers={"X-Request-ID": "log-77x"})
    exc = raised[path]
    records = [
        r
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.exc_info and r.exc_info[1] is exc
    ]
    seen = "; ".join(
        f"{r.name} {r.levelname} with {attached(r, exc)}: {r.getMessage()!r}"
        for r in caplog.records
    )
    assert records, (
        f"GET {path} logged no ERROR record carrying the raised exception (exc_info)\n"
        f"records seen: {seen or 'none'}"
    )
    assert any("log-77x" in r.getMessage() for r in records), (
        f"no ERROR record's message holds the request id log-77x\nrecords seen: {seen}"
    )


@pytest.mark.task(3)
def test_error_record_reaches_a_handler_on_the_root_logger(client, raised):
    class Collect(logging.Handler):
        def __init__(self):
            super().__init__(logging.ERROR)
            self.records = []

        def emit(self, record):
            self.records.append(record)

    root = logging.getLogger()
    handler = Collect()
    level = root.level
    root.addHandler(handler)
    root.setLevel(min(level, logging.ERROR))
    try:
        client.get("/_t/sync", headers={"X-Request-ID": "root-99q"})
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    exc = raised["/_t/sync"]
    assert any(r.exc_info and r.exc_info[1] is exc for r in handler.records), (
        "a handler on the root logger received no ERROR record carrying the raised exception: "
        "log on a logger that propagates to the root logger\n"
        f"records seen: {[(r.name, r.getMessage()) for r in handler.records] or 'none'}"
    )


# Task 4: FastAPI's own errors are unchanged


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    "method, path, status, detail",
    [
        ("GET", "/items/99", 404, "Item not found"),
        ("GET", "/no-such-route", 404, "Not Found"),
        ("DELETE", "/items/1", 405, "Method Not Allowed"),
    ],
)
def test_http_errors_keep_their_default_answer(client, method, path, status, detail):
    response = client.request(method, path)
    assert response.status_code == status, (
        f"{method} {path} answered {response.status_code}, not {status}"
    )
    assert response.json() == {"detail": detail}, (
        f"{method} {path} answered {response.text[:200]}, not FastAPI's {{'detail': {detail!r}}}"
    )
    if status == 405:
        assert "GET" in response.headers.get("allow", ""), (
            f"the 405 answer lost its Allow header: {dict(response.headers)}"
        )


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_validation_error_keeps_its_default_answer(client):
    response = client.get("/items/abc")
    assert response.status_code == 422, f"GET /items/abc answered {response.status_code}"
    detail = response.json().get("detail")
    assert isinstance(detail, list) and detail, (
        f"GET /items/abc answered {response.text[:200]}, not FastAPI's 422 detail list"
    )
    assert detail[0].get("loc") == ["path", "item_id"], f"the 422 detail is {detail!r}"
    assert detail[0].get("type") == "int_parsing", f"the 422 detail is {detail!r}"
