"""Hidden tests for 4.5.2: the trace each request leaves in the list given to build_app."""

import pytest

THROUGH = ["Logging>", "Timing>", "Auth>", "endpoint", "<Auth", "<Timing", "<Logging"]
NO_ROUTE = ["Logging>", "Timing>", "Auth>", "<Auth", "<Timing", "<Logging"]
REJECTED = ["Logging>", "Timing>", "Auth>", "<Timing", "<Logging"]
TOKEN = {"X-Token": "t0k3n"}


@pytest.fixture
def build(learner, app_client):
    main = learner.require("main", "build_app")

    def make():
        trace: list[str] = []
        app = main.build_app(trace)
        return trace, app_client(app)

    return make


def get(client, trace, path, headers=None):
    trace.clear()
    response = client.get(path, headers=headers or {})
    return response, list(trace)


def with_token(headers):
    if not headers:
        return "without an X-Token header"
    return "with an empty X-Token header" if headers["X-Token"] == "" else "with an X-Token header"


def check_status(response, path, headers, status):
    assert response.status_code == status, (
        f"GET {path} {with_token(headers)} answered {response.status_code}, expected {status}: "
        f"{response.text[:200]}"
    )


def check_trace(seen, path, headers, expected):
    assert seen == expected, (
        f"GET {path} {with_token(headers)} left the trace {seen}, expected {expected}"
    )


# --- Task 1: the order ---------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(4)
@pytest.mark.hint(
    "add_middleware wraps what was added before it, so the LAST middleware added is the "
    "outermost. Add Auth first and Logging last, or pass "
    "FastAPI(middleware=[Middleware(Logging...), Middleware(Timing...), Middleware(Auth...)]), "
    "whose list reads outermost first like Django's."
)
def test_request_runs_logging_timing_auth_in_django_order(build):
    trace, client = build()
    response, seen = get(client, trace, "/hello", TOKEN)
    check_status(response, "/hello", TOKEN, 200)
    assert response.json() == {"message": "hello"}, f"GET /hello answered {response.json()}"
    check_trace(seen, "/hello", TOKEN, THROUGH)


@pytest.mark.task(1)
@pytest.mark.hint(
    "Each request appends its own 7 entries: append in the middleware's dispatch (or __call__), "
    "not once when the middleware is created."
)
def test_every_request_leaves_its_own_trace(build):
    trace, client = build()
    for _ in range(3):
        client.get("/hello", headers=TOKEN)
    assert trace == THROUGH * 3, f"three GET /hello with a token left the trace {trace}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "build_app(trace) must build a new FastAPI app on each call and give *that* trace list to "
    "its middlewares (a constructor argument, or a closure), not a module-level app or list."
)
def test_each_app_appends_to_its_own_list(build):
    first_trace, first = build()
    second_trace, second = build()
    first.get("/hello", headers=TOKEN)
    assert first_trace == THROUGH and second_trace == [], (
        "after one request to the first app built, its list was "
        f"{first_trace} and the second app's list was {second_trace}"
    )
    second.get("/hello", headers=TOKEN)
    assert first_trace == THROUGH and second_trace == THROUGH, (
        f"after one request to each of two apps, their lists were {first_trace} and {second_trace}"
    )
    # Middlewares are created when an app serves its first request: a list kept anywhere
    # shared (a class attribute set in __init__) now points at the second app's list.
    first.get("/hello", headers=TOKEN)
    assert first_trace == THROUGH * 2 and second_trace == THROUGH, (
        "after a request to the first app, one to the second, then another to the first, "
        f"their lists were {first_trace} and {second_trace}"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Middlewares wrap the whole app, routing included, so a request that matches no route "
    "passes through them too. Dependencies and route decorators only run for a matched route."
)
def test_unknown_path_passes_through_all_three(build):
    trace, client = build()
    response, seen = get(client, trace, "/no/such/path", TOKEN)
    check_status(response, "/no/such/path", TOKEN, 404)
    check_trace(seen, "/no/such/path", TOKEN, NO_ROUTE)


# --- Task 2: Auth short-circuits -----------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Return the answer from the middleware: "
    "`return JSONResponse({'detail': 'Not authenticated'}, status_code=401)`, which sends "
    "Content-Type: application/json. Raising "
    "HTTPException inside a middleware gives a 500: FastAPI's exception handlers sit inside "
    "the user middlewares, not around them."
)
def test_missing_token_is_401(build):
    trace, client = build()
    response, _ = get(client, trace, "/hello")
    check_status(response, "/hello", None, 401)
    content_type = response.headers.get("content-type", "")
    assert content_type.split(";")[0].strip().lower() == "application/json", (
        f"GET /hello without a token answered with Content-Type {content_type!r}, "
        "expected application/json"
    )
    assert response.json() == {"detail": "Not authenticated"}, (
        f"GET /hello without a token answered {response.json()}"
    )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Auth appends 'Auth>' first, then returns the 401 without calling call_next and without "
    "appending '<Auth'. The middlewares outside it (Logging, Timing) still append their "
    "'<...' entries on the way out, so Auth must be the innermost of the three."
)
def test_rejected_request_trace(build):
    trace, client = build()
    response, seen = get(client, trace, "/hello")
    check_status(response, "/hello", None, 401)
    check_trace(seen, "/hello", None, REJECTED)


@pytest.mark.task(2)
@pytest.mark.hint(
    "Auth is a middleware, so it runs before routing: a request without X-Token is a 401 "
    "whatever its path. A dependency would only run for a matched route."
)
def test_unknown_path_without_token_is_401(build):
    trace, client = build()
    response, seen = get(client, trace, "/no/such/path")
    check_status(response, "/no/such/path", None, 401)
    check_trace(seen, "/no/such/path", None, REJECTED)


@pytest.mark.task(2)
@pytest.mark.hint(
    "Any X-Token value counts, an empty one too: check that the header is present "
    '(`"x-token" in request.headers`), not that its value is truthy.'
)
@pytest.mark.parametrize("token", ["t0k3n", "another-value", pytest.param("", id="empty")])
def test_any_token_value_passes(build, token):
    trace, client = build()
    headers = {"X-Token": token}
    response, _ = get(client, trace, "/hello", headers)
    check_status(response, "/hello", headers, 200)
    assert response.json() == {"message": "hello"}, (
        f"GET /hello {with_token(headers)} answered {response.json()}"
    )
