"""Hidden tests for 9.3.3: every error answer, whatever raised it (NotFoundError, ConflictError,
an HTTPException of FastAPI or Starlette, the router's own 404 and 405, a validation error, an
uncaught exception), has the body {"error": {"code", "message", "details"}}; HTTPException
headers are kept; validation details never echo the input; a 500 never shows the exception's
message; the OpenAPI schema documents ErrorResponse on the routes' error statuses.

Routes added by the tests raise the learner's exceptions, so only app-level handlers answer them;
the client answers 500 instead of raising (the kit's app_client)."""

import uuid

import pytest
from fastapi import HTTPException
from starlette.exceptions import HTTPException as StarletteHTTPException

SECRET = "api-key=sk_live_8f3a2b"


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "ErrorResponse", "NotFoundError", "ConflictError")


@pytest.fixture
def client(main, app_client):
    app = main.app
    before = list(app.router.routes)

    def raiser(exc):
        def endpoint():
            raise exc

        return endpoint

    app.add_api_route("/_t/not-found", raiser(main.NotFoundError("Order 7 not found")))
    app.add_api_route("/_t/conflict", raiser(main.ConflictError("Order 7 already paid")))
    app.add_api_route(
        "/_t/fastapi-http",
        raiser(HTTPException(status_code=429, detail="Slow down", headers={"Retry-After": "30"})),
    )
    app.add_api_route(
        "/_t/starlette-http", raiser(StarletteHTTPException(status_code=418, detail="Teapot"))
    )
    app.add_api_route("/_t/crash", raiser(RuntimeError(SECRET)))
    try:
        yield app_client(app)
    finally:
        app.router.routes[:] = before


def envelope(main, response, what):
    try:
        body = response.json()
    except ValueError:
        pytest.fail(f"{what} answered {response.status_code} with a body that is not JSON")
    assert isinstance(body, dict) and set(body) == {"error"}, (
        f'{what} answered {str(body)[:200]}, not {{"error": {{...}}}}'
    )
    error = body["error"]
    assert isinstance(error, dict) and set(error) == {"code", "message", "details"}, (
        f'{what}: "error" is {str(error)[:200]}, not exactly code, message and details'
    )
    assert isinstance(error["message"], str) and error["message"], (
        f"{what}: error.message is {error['message']!r}"
    )
    try:
        main.ErrorResponse.model_validate(body)
    except Exception as exc:  # noqa: BLE001 - any validation failure is the learner's
        pytest.fail(f"{what}: ErrorResponse does not validate the answer {body}: {exc}")
    return error


def new_user(client):
    name = "u" + uuid.uuid4().hex[:10]
    response = client.post("/users", json={"username": name, "password": "correct-horse"})
    assert response.status_code == 201, f"POST /users answered {response.status_code}"
    return name, response.json()


# Task 1: the envelope for the app's own errors


@pytest.mark.task(1)
def test_routes_work(client):
    name, user = new_user(client)
    assert user.get("username") == name and isinstance(user.get("id"), int), (
        f"POST /users answered {user!r}"
    )
    response = client.get(f"/users/{user['id']}")
    assert response.status_code == 200, f"GET /users/{user['id']} answered {response.status_code}"
    assert response.json() == user, f"GET /users/{user['id']} answered {response.json()!r}"


@pytest.mark.task(1)
def test_missing_user_is_404_not_found(client, main):
    response = client.get("/users/987654")
    assert response.status_code == 404, f"GET /users/987654 answered {response.status_code}"
    error = envelope(main, response, "GET /users/987654")
    assert error["code"] == "not_found", f"error.code is {error['code']!r}, not 'not_found'"
    assert error["details"] is None, f"error.details is {error['details']!r}, not null"


@pytest.mark.task(1)
def test_duplicate_username_is_409_conflict(client, main):
    name, _ = new_user(client)
    response = client.post("/users", json={"username": name, "password": "another-pass"})
    assert response.status_code == 409, f"a duplicate username answered {response.status_code}"
    error = envelope(main, response, "a duplicate POST /users")
    assert error["code"] == "conflict", f"error.code is {error['code']!r}, not 'conflict'"
    assert error["details"] is None, f"error.details is {error['details']!r}, not null"


@pytest.mark.task(1)
@pytest.mark.parametrize(
    "path, status, code, message",
    [
        ("/_t/not-found", 404, "not_found", "Order 7 not found"),
        ("/_t/conflict", 409, "conflict", "Order 7 already paid"),
    ],
)
def test_exception_raised_by_any_route_is_handled(client, main, path, status, code, message):
    response = client.get(path)
    assert response.status_code == status, (
        f"a new route raising {code} answered {response.status_code}, not {status}"
    )
    error = envelope(main, response, f"a new route raising {code}")
    assert (error["code"], error["message"]) == (code, message), (
        f"a new route raising {code}({message!r}) answered {error!r}"
    )


# Task 2: HTTPException


@pytest.mark.task(2)
def test_401_keeps_www_authenticate(client, main):
    response = client.get("/private")
    assert response.status_code == 401, f"GET /private answered {response.status_code}"
    error = envelope(main, response, "GET /private")
    assert error["code"] == "http_401", f"error.code is {error['code']!r}, not 'http_401'"
    assert error["message"] == "Not authenticated", f"error.message is {error['message']!r}"
    header = response.headers.get("www-authenticate")
    assert header == "Bearer", f"the 401 answer's WWW-Authenticate is {header!r}, not 'Bearer'"
    ok = client.get("/private", headers={"Authorization": "Bearer letmein"})
    assert ok.status_code == 200, f"GET /private with the token answered {ok.status_code}"


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "method, path, status, message, header",
    [
        ("GET", "/_t/fastapi-http", 429, "Slow down", ("retry-after", "30")),
        ("GET", "/_t/starlette-http", 418, "Teapot", None),
        ("GET", "/no-such-route", 404, "Not Found", None),
        ("DELETE", "/private", 405, "Method Not Allowed", ("allow", "GET")),
    ],
)
def test_http_exceptions_get_the_envelope(client, main, method, path, status, message, header):
    response = client.request(method, path)
    what = f"{method} {path}"
    assert response.status_code == status, f"{what} answered {response.status_code}"
    error = envelope(main, response, what)
    assert error["code"] == f"http_{status}", f"{what}: error.code is {error['code']!r}"
    assert error["message"] == message, f"{what}: error.message is {error['message']!r}"
    assert error["details"] is None, f"{what}: error.details is {error['details']!r}"
    if header:
        name, value = header
        assert value in response.headers.get(name, ""), (
            f"{what} lost its {name} header: {dict(response.headers)}"
        )


# Task 3: validation errors


@pytest.mark.task(3)
@pytest.mark.parametrize(
    "method, path, body, loc",
    [
        ("POST", "/users", {"username": "ab", "password": "long-enough"}, ["body", "username"]),
        ("POST", "/users", {"password": "long-enough"}, ["body", "username"]),
        ("GET", "/users/abc", None, ["path", "user_id"]),
    ],
)
def test_validation_error_envelope(client, main, method, path, body, loc):
    response = client.request(method, path, json=body)
    what = f"{method} {path} with {body}"
    assert response.status_code == 422, f"{what} answered {response.status_code}"
    error = envelope(main, response, what)
    assert error["code"] == "validation_error", f"{what}: error.code is {error['code']!r}"
    details = error["details"]
    assert isinstance(details, list) and details, f"{what}: error.details is {details!r}"
    for item in details:
        assert isinstance(item, dict) and set(item) == {"loc", "msg", "type"}, (
            f"{what}: a details item is {item!r}, not exactly loc, msg and type"
        )
    assert loc in [item["loc"] for item in details], (
        f"{what}: no details item has loc {loc}: {details!r}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_validation_error_never_echoes_the_input(client, main):
    password = "Zq9#k"
    response = client.post("/users", json={"username": "valid-name", "password": password})
    assert response.status_code == 422, f"a 5-character password answered {response.status_code}"
    envelope(main, response, "POST /users with a short password")
    assert password not in response.text, (
        f"the 422 answer repeats the password sent: {response.text[:300]}"
    )


# Task 4: uncaught exceptions


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_uncaught_exception_is_500_envelope_without_leak(client, main):
    response = client.get("/_t/crash")
    assert response.status_code == 500, (
        f"a route raising RuntimeError answered {response.status_code}"
    )
    error = envelope(main, response, "a route raising RuntimeError")
    assert error["code"] == "internal_error", f"error.code is {error['code']!r}"
    assert error["details"] is None, f"error.details is {error['details']!r}"
    for marker in (SECRET, "sk_live", "RuntimeError", "Traceback"):
        assert marker not in response.text, (
            f"the 500 answer shows {marker!r}: {response.text[:300]}"
        )


# Task 5: the OpenAPI schema


@pytest.mark.task(5)
@pytest.mark.parametrize(
    "path, method, status",
    [
        ("/users/{user_id}", "get", "404"),
        ("/users", "post", "409"),
        ("/users", "post", "422"),
        ("/users/{user_id}", "get", "422"),
    ],
)
def test_openapi_documents_error_response(main, path, method, status):
    schema = main.app.openapi()
    assert "ErrorResponse" in schema.get("components", {}).get("schemas", {}), (
        "components.schemas has no ErrorResponse"
    )
    operation = schema["paths"].get(path, {}).get(method)
    assert operation, f"the schema has no {method.upper()} {path}"
    response = operation.get("responses", {}).get(status)
    assert response, f"{method.upper()} {path} documents no {status} answer"
    ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
    assert ref == "#/components/schemas/ErrorResponse", (
        f"the {status} answer of {method.upper()} {path} has the schema {ref!r}, not ErrorResponse"
    )
