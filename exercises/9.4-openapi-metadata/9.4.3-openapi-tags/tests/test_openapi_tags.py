import pytest
from fastapi.routing import iter_route_contexts


@pytest.fixture
def app(learner):
    return learner.require("main", "app").app


@pytest.fixture
def client(app, app_client):
    return app_client(app)


@pytest.fixture
def schema(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json answered {response.status_code}"
    return response.json()


def operations(schema):
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


def route_name(app, path, method):
    for context in iter_route_contexts(app.routes):
        methods = getattr(context.original_route, "methods", None) or ()
        if context.path == path and method in methods:
            return context.name
    pytest.fail(f"app has no {method} {path} route")


@pytest.mark.task(1)
def test_tags_in_order(schema):
    names = [tag.get("name") for tag in schema.get("tags") or []]
    assert names == ["books", "authors", "internal"], f"the document's tags are {names!r}"


@pytest.mark.task(1)
def test_tags_have_descriptions(schema):
    for tag in schema.get("tags") or []:
        assert tag.get("description"), f"the tag {tag.get('name')!r} has no description"


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_every_operation_has_exactly_one_known_tag(schema):
    seen = list(operations(schema))
    assert seen, "the document has no operations"
    for path, method, operation in seen:
        tags = operation.get("tags")
        assert tags is not None and len(tags) == 1, f"{method} {path} has the tags {tags!r}"
        assert tags[0] in ("books", "authors", "internal"), f"{method} {path} is tagged {tags!r}"


@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("path", "tag"),
    [
        ("/books", "books"),
        ("/books/{book_id}", "books"),
        ("/authors", "authors"),
        ("/internal/health", "internal"),
    ],
)
def test_route_has_its_tag(schema, path, tag):
    operation = schema.get("paths", {}).get(path, {}).get("get")
    assert operation is not None, f"GET {path} is missing from the document"
    assert operation.get("tags") == [tag], f"GET {path} has the tags {operation.get('tags')!r}"


@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/books", 200),
        ("/books/1", 200),
        ("/books/99", 404),
        ("/authors", 200),
        ("/internal/health", 200),
    ],
)
def test_routes_still_answer(client, path, status):
    response = client.get(path)
    assert response.status_code == status, f"GET {path} answered {response.status_code}"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_metrics_is_not_in_the_document(schema):
    paths = sorted(schema.get("paths", {}))
    assert "/internal/metrics" not in paths, "/internal/metrics is listed in the document's paths"
    assert paths, "the document has no paths at all"


@pytest.mark.task(2)
def test_metrics_still_answers(client):
    response = client.get("/internal/metrics")
    assert response.status_code == 200, f"GET /internal/metrics answered {response.status_code}"
    assert response.json() == {"books": 2, "authors": 2}, (
        f"GET /internal/metrics answered {response.json()!r}"
    )


@pytest.mark.task(2)
def test_metrics_route_is_tagged_internal(app):
    for context in iter_route_contexts(app.routes):
        if context.path == "/internal/metrics":
            tags = getattr(context.original_route, "tags", None)
            assert tags == ["internal"], f"GET /internal/metrics has the tags {tags!r}"
            return
    pytest.fail("app has no GET /internal/metrics route")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize("path", ["/books", "/books/{book_id}", "/authors", "/internal/health"])
def test_operation_id_is_tag_and_route_name(app, schema, path):
    operation = schema.get("paths", {}).get(path, {}).get("get")
    assert operation is not None, f"GET {path} is missing from the document"
    expected = f"{operation.get('tags', ['?'])[0]}-{route_name(app, path, 'GET')}"
    assert operation.get("operationId") == expected, (
        f"GET {path} has the operationId {operation.get('operationId')!r}, expected {expected!r}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_route_added_later_gets_the_same_form(app):
    def handler() -> dict:
        return {}

    before = list(app.router.routes)
    app.openapi_schema = None
    try:
        app.add_api_route("/books/test-added", handler, tags=["books"], name="test_added")
        schema = app.openapi()
    finally:
        app.router.routes[:] = before
        app.openapi_schema = None
    operation = schema.get("paths", {}).get("/books/test-added", {}).get("get", {})
    assert operation.get("operationId") == "books-test_added", (
        f"a route added later got the operationId {operation.get('operationId')!r}"
    )
