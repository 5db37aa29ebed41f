import pytest


@pytest.fixture
def client(learner, app_client):
    return app_client(learner.require("main", "app").app)


def error_locs(response):
    """The `loc` of each error in FastAPI's standard 422 body (empty for any other body)."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return []
    if not isinstance(detail, list):
        return []
    return [error.get("loc") for error in detail if isinstance(error, dict)]


def describe(response):
    return f"{response.status_code} {response.text[:300]}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("user_id", [1, 42, 987654])
def test_user_id_is_echoed_as_an_integer(client, user_id):
    response = client.get(f"/users/{user_id}")
    assert response.status_code == 200, f"GET /users/{user_id} answered {describe(response)}"
    body = response.json()
    assert isinstance(body, dict) and "user_id" in body, (
        f"GET /users/{user_id} answered {body!r}: expected a JSON object with a 'user_id' key"
    )
    assert body["user_id"] == user_id and type(body["user_id"]) is int, (
        f"GET /users/{user_id} answered user_id={body['user_id']!r}: expected the JSON number "
        f"{user_id}, not a string"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Annotate user_id as int: FastAPI then rejects text that is not a whole number with 422 and "
    "loc ['path', 'user_id'] before your function runs."
)
@pytest.mark.parametrize("raw", ["abc", "1.5", "12abc"])
def test_non_integer_user_id_is_422(client, raw):
    response = client.get(f"/users/{raw}")
    assert response.status_code == 422, (
        f"GET /users/{raw} answered {describe(response)}, expected 422"
    )
    assert ["path", "user_id"] in error_locs(response), (
        f"GET /users/{raw} answered {response.text[:300]}: expected an error at "
        "loc ['path', 'user_id'] in FastAPI's standard 'detail' list"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Add a constraint to the path parameter: Path(gt=0) (or ge=1). The type alone accepts 0 and "
    "negative numbers."
)
@pytest.mark.parametrize("raw", ["0", "-1", "-42"])
def test_user_id_must_be_positive(client, raw):
    response = client.get(f"/users/{raw}")
    assert response.status_code == 422, (
        f"GET /users/{raw} answered {describe(response)}, expected 422"
    )
    assert ["path", "user_id"] in error_locs(response), (
        f"GET /users/{raw} answered {response.text[:300]}: expected an error at "
        "loc ['path', 'user_id']"
    )


@pytest.mark.task(1)
@pytest.mark.hint("Nothing after /users/ means no route matches: FastAPI answers 404 by itself.")
def test_missing_user_id_is_not_found(client):
    response = client.get("/users/")
    assert response.status_code == 404, f"GET /users/ answered {describe(response)}, expected 404"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Give status a default of None so it is optional, and always return both keys: "
    '{"user_id": user_id, "status": status}.'
)
def test_status_defaults_to_null(client):
    response = client.get("/users/7")
    assert response.status_code == 200, (
        f"GET /users/7 (no status) answered {describe(response)}: status must be optional"
    )
    assert response.json() == {"user_id": 7, "status": None}, (
        f"GET /users/7 answered {response.json()!r}, expected {{'user_id': 7, 'status': None}}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("status", ["active", "inactive"])
def test_status_filter_is_echoed(client, status):
    response = client.get("/users/7", params={"status": status})
    assert response.status_code == 200, (
        f"GET /users/7?status={status} answered {describe(response)}"
    )
    assert response.json() == {"user_id": 7, "status": status}, (
        f"GET /users/7?status={status} answered {response.json()!r}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    'A plain str accepts any text. Restrict the values with Literal["active", "inactive"] or an '
    "Enum; FastAPI then answers 422 for anything else (the check is case-sensitive)."
)
@pytest.mark.parametrize("status", ["banned", "ACTIVE", "deleted"])
def test_unknown_status_is_422(client, status):
    response = client.get("/users/7", params={"status": status})
    assert response.status_code == 422, (
        f"GET /users/7?status={status} answered {describe(response)}, expected 422"
    )
    assert ["query", "status"] in error_locs(response), (
        f"GET /users/7?status={status} answered {response.text[:300]}: expected an error at "
        "loc ['query', 'status']"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The whole value must be active or inactive, not merely contain one of them. A pattern "
    "matches anywhere in the text unless it is anchored (^(active|inactive)$); a Literal or an "
    "Enum compares the whole value."
)
@pytest.mark.parametrize("status", ["xactive", "activex", "inactive-ish", "active inactive"])
def test_status_containing_a_known_value_is_422(client, status):
    response = client.get("/users/7", params={"status": status})
    assert response.status_code == 422, (
        f"GET /users/7?status={status} answered {describe(response)}, expected 422: the value "
        "contains a known status but is not one"
    )
    assert ["query", "status"] in error_locs(response), (
        f"GET /users/7?status={status} answered {response.text[:300]}: expected an error at "
        "loc ['query', 'status']"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Both parameters are validated in one pass: a bad id and a bad status give two errors."
)
def test_bad_id_and_bad_status_are_both_reported(client):
    response = client.get("/users/abc", params={"status": "banned"})
    assert response.status_code == 422, (
        f"GET /users/abc?status=banned answered {describe(response)}, expected 422"
    )
    locs = error_locs(response)
    assert ["path", "user_id"] in locs and ["query", "status"] in locs, (
        f"GET /users/abc?status=banned reported errors at {locs}: expected both "
        "['path', 'user_id'] and ['query', 'status']"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Declare status as an argument of the handler (not read from request.query_params): "
    "then /docs shows it as an optional query parameter."
)
def test_openapi_lists_status_as_optional_query_parameter(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json answered {describe(response)}"
    operation = response.json().get("paths", {}).get("/users/{user_id}", {}).get("get")
    assert operation, "/openapi.json has no GET /users/{user_id} operation"
    params = {(p.get("in"), p.get("name")): p for p in operation.get("parameters", [])}
    assert ("path", "user_id") in params, (
        f"/openapi.json lists parameters {sorted(params)}: user_id is not a path parameter"
    )
    assert ("query", "status") in params, (
        f"/openapi.json lists parameters {sorted(params)}: no query parameter named 'status'"
    )
    assert not params[("query", "status")].get("required", False), (
        "/openapi.json marks the status query parameter as required"
    )
