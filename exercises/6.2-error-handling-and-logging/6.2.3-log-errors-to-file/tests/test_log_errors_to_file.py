"""Hidden tests for 6.2.3: create_app(log_path, max_bytes, backup_count) gives each app its own
`app.errors.*` logger with a RotatingFileHandler (ERROR and above, level name shown, rotation by
size, removed and closed at shutdown); an Exception handler answers 500 {"error": "internal",
"request_id"} and logs that id, the method, the path and the traceback; 4xx answers and the
request's query string, body and secret headers never reach the file.

Every file lives under tmp_path and is read as text after the requests. Rotation is driven by
size (max_bytes=1000 and ~330-byte records), never by time. Handlers left on the apps' loggers
are removed and closed after each test, so that one test's files never see the next test."""

import logging
import secrets
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI, Request

from grader.testing import client_for

TRACEBACK = "Traceback (most recent call last)"


@pytest.fixture
def main(learner):
    return learner.require("main", "create_app")


@pytest.fixture
def make_app(main, tmp_path):
    """`make_app(name, folder, **options)` -> (app, path): create_app on a file under tmp_path."""

    def make(name="errors.log", folder="logs", **options):
        path = tmp_path / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return main.create_app(path, **options), path

    yield make
    loggers = [logging.getLogger()] + [
        logger
        for name, logger in logging.Logger.manager.loggerDict.items()
        if name.startswith("app.errors") and isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in list(logger.handlers):
            filename = getattr(handler, "baseFilename", None)
            if filename and Path(filename).is_relative_to(tmp_path):
                logger.removeHandler(handler)
                handler.close()


@pytest.fixture
def app_and_path(make_app):
    return make_app()


@pytest.fixture
def client(app_and_path, app_client):
    return app_client(app_and_path[0])


def read(path):
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def error_logger(app):
    logger = getattr(app.state, "error_logger", None)
    assert isinstance(logger, logging.Logger), (
        f"app.state.error_logger is {logger!r}, not a logging.Logger"
    )
    return logger


def file_handlers(logger):
    return [h for h in logger.handlers if isinstance(h, logging.FileHandler)]


def boom(client):
    response = client.get("/boom")
    assert response.status_code == 500, f"GET /boom answered {response.status_code}"
    try:
        request_id = response.json().get("request_id")
    except (ValueError, AttributeError):
        pytest.fail(f"GET /boom answered {response.text[:200]!r}, not a JSON object")
    assert isinstance(request_id, str) and request_id, (
        f"GET /boom answered {response.json()!r}: no request_id string"
    )
    return request_id


def line_with(text, needle):
    lines = [line for line in text.splitlines() if needle in line]
    return lines[0] if lines else None


class Records(logging.Handler):
    """A handler of the tests, put on app.state.error_logger: keeps every record at ERROR and
    above that reaches it (the logger's own, and its children's)."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def add_pay_route(app):
    async def pay(request: Request):
        payload = await request.json()
        return {"charged": payload["processor"]}  # KeyError: 'processor'

    app.add_api_route("/_tests/pay", pay, methods=["POST"])


# --- Task 1: an error log per app ---------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.hint(
    "`logger = logging.getLogger(f'app.errors.{n}')` with n from an itertools.count() (a "
    "new one per create_app), then `app.state.error_logger = logger`."
)
def test_each_app_has_its_own_error_logger(make_app):
    first, _ = make_app(folder="one")
    second, _ = make_app(folder="two")
    one, two = error_logger(first), error_logger(second)
    assert one.name.startswith("app.errors.") and two.name.startswith("app.errors."), (
        f"the apps' loggers are named {one.name!r} and {two.name!r}, not app.errors.<...>"
    )
    assert one is not two, f"two apps share the logger {one.name!r}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`handler.setLevel(logging.ERROR)` on the file handler (or `logger.setLevel(logging.ERROR)`): "
    "info and warning records are dropped, error and critical ones are written."
)
def test_only_error_records_reach_the_file(app_and_path):
    app, path = app_and_path
    logger = error_logger(app)
    token = secrets.token_hex(4)
    logger.info("tests-info-%s", token)
    logger.warning("tests-warning-%s", token)
    logger.error("tests-error-%s", token)
    logger.critical("tests-critical-%s", token)
    text = read(path)
    assert f"tests-error-{token}" in text and f"tests-critical-{token}" in text, (
        f"an error and a critical record logged on app.state.error_logger are not both in the "
        f"file, which holds: {text[-400:]!r}"
    )
    below = [kind for kind in ("info", "warning") if f"tests-{kind}-{token}" in text]
    assert not below, f"the {' and '.join(below)} record reached the file"


@pytest.mark.task(1)
@pytest.mark.hint(
    "A handler without a formatter writes the bare message. "
    "`handler.setFormatter(logging.Formatter('%(asctime)s %(levelname)s %(name)s %(message)s'))`."
)
def test_the_line_shows_the_level_name(app_and_path):
    app, path = app_and_path
    token = secrets.token_hex(4)
    error_logger(app).error("tests-level-%s", token)
    line = line_with(read(path), f"tests-level-{token}")
    assert line is not None, f"an error record did not reach {path.name}"
    assert "ERROR" in line, f"the line of an error record shows no level name ERROR: {line!r}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`RotatingFileHandler(log_path, maxBytes=max_bytes, backupCount=backup_count)`: pass "
    "create_app's arguments through, or the file grows forever (FileHandler) or keeps the "
    "wrong number of old files."
)
def test_the_file_rotates_at_max_bytes(make_app):
    app, path = make_app(max_bytes=1000, backup_count=2)
    logger = error_logger(app)
    for n in range(20):
        logger.error("tests-rotate-%02d %s", n, "x" * 300)
    files = {name: path.with_name(name) for name in (path.name, f"{path.name}.1", f"{path.name}.2")}
    missing = [name for name, file in files.items() if not file.exists()]
    assert not missing, (
        f"after 20 records of ~330 bytes with max_bytes=1000, backup_count=2, these files are "
        f"missing: {missing} (the folder holds {sorted(p.name for p in path.parent.iterdir())})"
    )
    extra = path.with_name(f"{path.name}.3")
    assert not extra.exists(), f"with backup_count=2, {extra.name} exists"
    sizes = {name: file.stat().st_size for name, file in files.items()}
    assert all(size <= 1000 for size in sizes.values()), (
        f"with max_bytes=1000 the files have {sizes} bytes"
    )
    everything = "".join(read(file) for file in files.values())
    assert "tests-rotate-19" in read(path), f"the newest record is not in {path.name}"
    assert "tests-rotate-00" not in everything, (
        "the oldest record is still kept: rotation should have dropped it"
    )


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "getLogger(name) returns the same logger for the same name, so each app needs a name of "
    "its own (a counter, not the file name: two folders can hold errors.log), and adds its "
    "handler to that logger only. Clearing the handlers of a shared logger moves the first "
    "app's errors into the second app's file."
)
def test_two_apps_write_to_their_own_files(make_app, app_client):
    first_app, first_path = make_app("errors.log", folder="first")
    second_app, second_path = make_app("errors.log", folder="second")
    first_id = boom(app_client(first_app))
    second_id = boom(app_client(second_app))
    first_text, second_text = read(first_path), read(second_path)
    problems = []
    if first_id not in first_text:
        problems.append("the first app's error is not in its own file")
    if second_id not in second_text:
        problems.append("the second app's error is not in its own file")
    if second_id in first_text:
        problems.append("the second app's error is in the first app's file")
    if first_id in second_text:
        problems.append("the first app's error is in the second app's file")
    assert not problems, (
        "two apps on first/errors.log and second/errors.log, each answering GET /boom once: "
        + "; ".join(problems)
    )


# Objects that the next FastAPI(...) of their class hands back instead of a new one.
_recycled: list = []


def _new_app(cls, *args, **kwargs):
    if _recycled and cls is type(_recycled[0]):
        return _recycled.pop()
    return object.__new__(cls)


@contextmanager
def next_app_in_place_of(old):
    """Within the block, the next `FastAPI(...)` is built in `old`'s object, initialised anew:
    a new app with the id() of an old one, as when a new object takes the memory of one the
    garbage collector freed (which CPython does, but not at a moment a test can choose). The
    hook stays on FastAPI afterwards, handing out new objects (deleting a __new__ set on a
    class leaves CPython's object.__new__ refusing the arguments)."""
    if FastAPI.__dict__.get("__new__") is None:
        FastAPI.__new__ = staticmethod(_new_app)
    _recycled[:] = [old]
    try:
        yield
    finally:
        _recycled.clear()


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Name each app's logger with a counter (`itertools.count()`) or a random token, never with "
    "id(app): an id is unique only among living objects, so a new app can get the id, and so "
    "the logger, of an app that was garbage-collected without starting, with that app's file "
    "handler still on it."
)
def test_an_app_with_the_id_of_a_collected_app_writes_to_its_own_file(make_app, app_client):
    old_app, old_path = make_app("errors.log", folder="old")  # never started: keeps its handler
    old_name = error_logger(old_app).name
    with next_app_in_place_of(old_app):
        new_app, new_path = make_app("errors.log", folder="new")
    assert new_app is old_app, "create_app(path) did not build its app with FastAPI(...)"
    request_id = boom(app_client(new_app))
    new_text, old_text = read(new_path), read(old_path)
    assert request_id in new_text, (
        f"the error of an app built in the place of a collected one is not in its own file: "
        f"{new_text[-400:]!r}"
    )
    assert request_id not in old_text, (
        f"an app that got the id() of a collected app (whose logger was {old_name!r}) also "
        f"wrote its error to the old app's file, through the logger "
        f"{error_logger(new_app).name!r}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Give FastAPI a lifespan (built inside create_app, so that it sees the handler): after its "
    "`yield`, `logger.removeHandler(handler)` and `handler.close()`. A closed handler that stays "
    "on the logger opens the file again at the next record."
)
def test_shutdown_removes_and_closes_the_handler(app_and_path):
    app, path = app_and_path
    logger = error_logger(app)
    with client_for(app) as client:
        handlers = file_handlers(logger)
        assert handlers, (
            f"app.state.error_logger ({logger.name}) has no FileHandler: create_app must add "
            "its RotatingFileHandler to that logger"
        )
        boom(client)
    problems = []
    if any(handler in logger.handlers for handler in handlers):
        problems.append("its file handler is still on app.state.error_logger")
    if any(getattr(handler, "stream", None) is not None for handler in handlers):
        problems.append("its file handler was not closed")
    token = secrets.token_hex(4)
    logger.error("tests-after-shutdown-%s", token)
    if f"tests-after-shutdown-{token}" in read(path):
        problems.append("a record logged after shutdown was still written to the file")
    assert not problems, "after the app shut down: " + "; ".join(problems)


# --- Task 2: GET /boom and the handler for every unexpected exception ---------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`@app.exception_handler(Exception)` returning "
    "`JSONResponse(status_code=500, content={'error': 'internal', 'request_id': request_id})`: "
    "nothing from the exception goes in the answer."
)
def test_boom_answers_500_with_error_and_request_id(client):
    response = client.get("/boom")
    assert response.status_code == 500, f"GET /boom answered {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        pytest.fail(f"GET /boom answered {response.text[:200]!r}, not JSON")
    assert isinstance(body, dict) and set(body) == {"error", "request_id"}, (
        f"GET /boom answered {body!r}, expected exactly the keys error and request_id"
    )
    assert body["error"] == "internal", f"GET /boom answered error {body['error']!r}"
    assert isinstance(body["request_id"], str) and body["request_id"], (
        f"GET /boom answered request_id {body['request_id']!r}"
    )
    shown = [
        word
        for word in ("division by zero", "ZeroDivisionError", "Traceback")
        if word in response.text
    ]
    assert not shown, f"the 500 answer shows {shown}: {response.text[:200]}"


@pytest.mark.task(2)
@pytest.mark.hint("Create the id inside the handler, for each error: `uuid.uuid4().hex`.")
def test_each_error_gets_a_new_request_id(client):
    first, second = boom(client), boom(client)
    assert first != second, f"two errors got the same request_id {first!r}"


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "In the handler: `logger.error('unhandled error request_id=%s method=%s path=%s', "
    "request_id, request.method, request.url.path, exc_info=exc)`. `exc_info` adds the "
    "traceback after the message; an f-string with `{exc!r}` names the error but has no "
    "traceback. Use the same id in the answer."
)
def test_the_file_holds_the_error_with_its_request_id_and_traceback(app_and_path, client):
    _, path = app_and_path
    request_id = boom(client)
    text = read(path)
    line = line_with(text, request_id)
    assert line is not None, (
        f"the file does not hold the request_id {request_id!r} of the 500 answer: {text[-400:]!r}"
    )
    missing = [word for word in ("ERROR", "GET", "/boom") if word not in line]
    assert not missing, f"the line with the request id lacks {missing}: {line!r}"
    after = text[text.index(line) :]
    assert TRACEBACK in after and "ZeroDivisionError: division by zero" in after, (
        f"no traceback ending in 'ZeroDivisionError: division by zero' follows the line of the "
        f"error: {after[:600]!r}"
    )
    assert text.count(TRACEBACK) == 1, (
        f"one error wrote {text.count(TRACEBACK)} tracebacks to the file, expected 1"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Register the handler for Exception itself, so that it answers whatever escapes any "
    "endpoint, not only ZeroDivisionError."
)
def test_any_exception_is_answered_and_logged(app_and_path, client):
    app, path = app_and_path
    add_pay_route(app)
    response = client.post("/_tests/pay", json={"amount": 5})
    assert response.status_code == 500, f"a route raising KeyError answered {response.status_code}"
    body = response.json()
    assert body.get("error") == "internal" and body.get("request_id"), (
        f"a route raising KeyError answered {body!r}"
    )
    line = line_with(read(path), body["request_id"])
    assert line is not None and "POST" in line and "/_tests/pay" in line, (
        f"the file has no line with the request id, POST and /_tests/pay: {read(path)[-400:]!r}"
    )
    assert "KeyError" in read(path), "the KeyError's traceback is not in the file"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Write one record per error: `logger.error('... request_id=%s method=%s path=%s', "
    "request_id, request.method, request.url.path, exc_info=exc)` puts the id, the method, the "
    "path and the traceback in the same record. A first record with the id and a second "
    "`logger.exception(...)` for the traceback makes two records that a log search cannot "
    "join."
)
@pytest.mark.parametrize(
    ("method", "path", "raised"),
    [("GET", "/boom", "ZeroDivisionError"), ("POST", "/_tests/pay", "KeyError")],
    ids=["boom", "pay"],
)
def test_one_record_holds_the_id_method_path_and_traceback(
    client, app_and_path, method, path, raised
):
    app, _ = app_and_path
    add_pay_route(app)
    logger = error_logger(app)
    records = Records()
    logger.addHandler(records)
    try:
        response = client.request(method, path, json={"amount": 5})
    finally:
        logger.removeHandler(records)
    assert response.status_code == 500, f"{method} {path} answered {response.status_code}"
    request_id = response.json().get("request_id")
    seen = [f"{r.levelname} {r.getMessage()[:120]!r}" for r in records.records]
    assert len(records.records) == 1, (
        f"one error of {method} {path} made {len(records.records)} records at ERROR or above "
        f"on app.state.error_logger, expected 1: {seen}"
    )
    record = records.records[0]
    message = record.getMessage()
    missing = [word for word in (str(request_id), method, path) if not word or word not in message]
    has_traceback = (record.exc_info and record.exc_info[0] is not None) or TRACEBACK in message
    if not has_traceback:
        missing.append("the traceback (exc_info)")
    assert not missing, (
        f"the record of the {raised} of {method} {path} (request_id {request_id!r}) lacks "
        f"{missing}: {message[:300]!r}"
    )


# --- Task 3: what never goes in the file --------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Log in the handler for Exception only: HTTPException and validation errors have their "
    "own handlers and never reach it. A middleware that logs every status >= 400 at ERROR "
    "fills the error log with clients' mistakes."
)
def test_answers_are_not_errors(app_and_path, client):
    _, path = app_and_path
    answers = {
        "GET /items/1": client.get("/items/1").status_code,
        "GET /items/999": client.get("/items/999").status_code,
        "GET /items/abc": client.get("/items/abc").status_code,
        "GET /no-such-route": client.get("/no-such-route").status_code,
    }
    assert answers == {
        "GET /items/1": 200,
        "GET /items/999": 404,
        "GET /items/abc": 422,
        "GET /no-such-route": 404,
    }, f"the requests answered {answers}"
    text = read(path)
    assert not text.strip(), f"after a 200, two 404s and a 422, the error file holds {text[:400]!r}"


@pytest.mark.task(3)
@pytest.mark.points(5)
@pytest.mark.hint(
    "Log `request.method` and `request.url.path` only: `str(request.url)` holds the query "
    "string, and `request.headers` or `await request.body()` hold tokens, cookies and card "
    "numbers."
)
def test_the_file_never_holds_the_query_body_or_secret_headers(app_and_path, client):
    app, path = app_and_path
    add_pay_route(app)
    secret = {name: secrets.token_urlsafe(12) for name in ("query", "body", "bearer", "cookie")}
    response = client.post(
        f"/_tests/pay?token={secret['query']}",
        json={"card": secret["body"], "amount": 5},
        headers={
            "Authorization": f"Bearer {secret['bearer']}",
            "Cookie": f"session={secret['cookie']}",
        },
    )
    assert response.status_code == 500, f"a route raising KeyError answered {response.status_code}"
    text = read(path)
    assert "/_tests/pay" in text, (
        f"the error of POST /_tests/pay is not in the file: {text[-400:]!r}"
    )
    leaked = [name for name, value in secret.items() if value in text]
    assert not leaked, f"the error file holds the request's {', '.join(leaked)} value"
