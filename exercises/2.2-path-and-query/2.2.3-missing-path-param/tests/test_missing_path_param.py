import pytest


@pytest.fixture
def client(learner, app_client):
    return app_client(learner.require("main", "app").app)


def describe(response):
    return f"{response.status_code} {response.text[:300]}"


def json_or_text(response):
    try:
        return response.json()
    except ValueError:
        return response.text[:300]


# ---------------------------------------------------------------- Task 1: the routes


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("user_id", [7, 12345])
def test_user_id_is_echoed_as_an_integer(client, user_id):
    response = client.get(f"/users/{user_id}")
    assert response.status_code == 200, f"GET /users/{user_id} answered {describe(response)}"
    assert json_or_text(response) == {"user_id": user_id}, (
        f"GET /users/{user_id} answered {json_or_text(response)!r}, "
        f"expected {{'user_id': {user_id}}}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_year_is_echoed_as_an_integer(client):
    response = client.get("/reports", params={"year": "2024"})
    assert response.status_code == 200, f"GET /reports?year=2024 answered {describe(response)}"
    assert json_or_text(response) == {"year": 2024}, (
        f"GET /reports?year=2024 answered {json_or_text(response)!r}, expected {{'year': 2024}}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Type the argument (user_id: int), not the route: with {user_id:int} the path /users/abc "
    "matches no route and answers 404 instead of a validation error."
)
@pytest.mark.parametrize("raw", ["abc", "1.5"])
def test_invalid_user_id_is_422_not_404(client, raw):
    response = client.get(f"/users/{raw}")
    assert response.status_code == 422, (
        f"GET /users/{raw} answered {describe(response)}: the route matches, so a bad value is "
        "a validation error (422)"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "year has no default, so it is a required query parameter: leaving it out is 422."
)
@pytest.mark.parametrize("url", ["/reports", "/reports?year=soon"])
def test_missing_or_bad_year_is_422(client, url):
    response = client.get(url)
    assert response.status_code == 422, f"GET {url} answered {describe(response)}, expected 422"


# ---------------------------------------------------------------- Task 2: 404 and 405


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A missing path parameter means no route matches. Starlette then raises its own "
    "HTTPException(404): handle it with @app.exception_handler(404) (a handler for "
    "fastapi.HTTPException does not see it)."
)
@pytest.mark.parametrize("path", ["/users/", "/users", "/nope", "/users/7/extra"])
def test_unmatched_path_gets_custom_404(client, path):
    response = client.get(path)
    assert response.status_code == 404, f"GET {path} answered {describe(response)}, expected 404"
    expected = {"error": "not_found", "path": path}
    assert json_or_text(response) == expected, (
        f"GET {path} answered {json_or_text(response)!r}, expected {expected!r}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Every method counts: POST /nope matches no route either. A catch-all route answers only "
    "the methods it declares (405 for the others); a handler for 404 sees every unmatched request."
)
@pytest.mark.parametrize(("method", "path"), [("POST", "/nope"), ("DELETE", "/users/")])
def test_unmatched_path_gets_custom_404_whatever_the_method(client, method, path):
    response = client.request(method, path)
    assert response.status_code == 404, (
        f"{method} {path} answered {describe(response)}, expected 404"
    )
    expected = {"error": "not_found", "path": path}
    assert json_or_text(response) == expected, (
        f"{method} {path} answered {json_or_text(response)!r}, expected {expected!r}"
    )


@pytest.mark.task(2)
@pytest.mark.hint("Use request.url.path: the path alone, without the query string or the host.")
def test_404_path_leaves_out_the_query_string(client):
    response = client.get("/nope?x=1")
    assert response.status_code == 404, f"GET /nope?x=1 answered {describe(response)}"
    expected = {"error": "not_found", "path": "/nope"}
    assert json_or_text(response) == expected, (
        f"GET /nope?x=1 answered {json_or_text(response)!r}, expected {expected!r}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Only 404 gets the custom body. A handler for every HTTPException must pass the others to "
    "fastapi.exception_handlers.http_exception_handler, which keeps the detail and the Allow "
    "header."
)
def test_wrong_method_is_still_a_plain_405(client):
    response = client.post("/users/7")
    assert response.status_code == 405, f"POST /users/7 answered {describe(response)}, expected 405"
    assert json_or_text(response) == {"detail": "Method Not Allowed"}, (
        f"POST /users/7 answered {json_or_text(response)!r}, expected FastAPI's default "
        "{'detail': 'Method Not Allowed'}"
    )
    assert "GET" in response.headers.get("allow", ""), (
        f"POST /users/7 answered the Allow header {response.headers.get('allow')!r}, "
        "expected it to list GET"
    )


# ---------------------------------------------------------------- Task 3: 422 body


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Register @app.exception_handler(RequestValidationError) and return the last item of each "
    "error's loc: ('path', 'user_id') gives 'user_id'."
)
@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/users/abc", "user_id"),
        ("/reports", "year"),
        ("/reports?year=soon", "year"),
    ],
)
def test_validation_error_lists_field_names(client, url, field):
    response = client.get(url)
    assert response.status_code == 422, f"GET {url} answered {describe(response)}, expected 422"
    expected = {"error": "validation_error", "fields": [field]}
    assert json_or_text(response) == expected, (
        f"GET {url} answered {json_or_text(response)!r}, expected {expected!r}"
    )
