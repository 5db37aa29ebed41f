import ast
import asyncio
import inspect

import pytest
from fastapi.encoders import jsonable_encoder

PEN = {"name": "pen", "price": 1.5}
INK = {"name": "ink", "price": 3.0}


@pytest.fixture
def main(learner):
    # A fresh import per test: the stored items start empty every time.
    return learner.require("main", "app", fresh=True)


@pytest.fixture
def client(main, app_client):
    return app_client(main.app)


def call(learner, name, *args):
    """Call a learner function directly, awaiting it if it was written as `async def`."""
    function = getattr(learner.require("main", name), name)
    shown = ", ".join(type(arg).__name__ + "(...)" for arg in args)
    try:
        result = function(*args)
    except TypeError as exc:  # a handler that needs more than the prompt's arguments
        pytest.fail(f"calling main.{name}({shown}) from Python raised TypeError: {exc}")
    if inspect.iscoroutine(result):
        result = asyncio.run(result)
    try:
        return jsonable_encoder(result)
    except Exception:  # a Response object, say: report what came back
        pytest.fail(f"main.{name}() returned a {type(result).__name__}, not the stored items")


def has_fields(obj, expected):
    return isinstance(obj, dict) and all(obj.get(key) == value for key, value in expected.items())


def post_item(client, body):
    response = client.post("/items", json=body)
    assert response.status_code == 201, (
        f"POST /items with {body} answered {response.status_code}: {response.text[:200]}"
    )
    return response.json()


def list_via(client, path):
    response = client.get(path)
    assert response.status_code == 200, f"GET {path} answered {response.status_code}"
    return response.json()


def get_routes(routes):
    """(path, endpoint) of every GET route, routers included with include_router too."""
    for route in routes:
        endpoint = getattr(route, "endpoint", None)
        if endpoint is not None and "GET" in (getattr(route, "methods", None) or ()):
            yield getattr(route, "path", "?"), endpoint
        inner = getattr(route, "routes", None)
        if inner is None:  # FastAPI keeps an included router's own routes behind it
            inner = getattr(getattr(route, "original_router", None), "routes", None)
        if inner:
            yield from get_routes(inner)


def operations(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json answered {response.status_code}"
    return response.json().get("paths", {})


# Task 1 ---------------------------------------------------------------------------------------


@pytest.mark.task(1)
def test_list_items_starts_empty(client):
    response = client.get("/items")
    assert response.status_code == 200, f"GET /items answered {response.status_code}"
    assert response.headers["content-type"].startswith("application/json"), (
        f"GET /items answered content-type {response.headers['content-type']!r}, not JSON"
    )
    assert response.json() == [], f"GET /items with nothing stored answered {response.json()!r}"


@pytest.mark.task(1)
@pytest.mark.hint(
    "@app.get(...) hands back the function it decorates: main.list_items must stay a plain "
    "function that takes no arguments and returns the stored items."
)
def test_list_items_is_still_a_plain_function(main, learner):
    result = call(learner, "list_items")
    assert result == [], f"main.list_items() with nothing stored returned {result!r}, not []"


# Task 2 ---------------------------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "body", [{"name": "pen", "price": 1.5}, {"name": "Zoë's desk", "price": 250}]
)
def test_create_item_answers_201_with_the_item(client, body):
    created = post_item(client, body)
    assert has_fields(created, body), f"POST /items with {body} answered {created!r}"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_created_items_are_listed_in_order(client, learner):
    post_item(client, PEN)
    post_item(client, INK)
    listed = list_via(client, "/items")
    assert isinstance(listed, list) and len(listed) == 2, (
        f"after two POSTs, GET /items answered {listed!r}"
    )
    assert has_fields(listed[0], PEN) and has_fields(listed[1], INK), (
        f"GET /items answered {listed!r}, expected the pen, then the ink"
    )
    direct = call(learner, "list_items")
    assert (
        isinstance(direct, list)
        and len(direct) == 2
        and has_fields(direct[0], PEN)
        and has_fields(direct[1], INK)
    ), f"after two POSTs, main.list_items() returned {direct!r}"


@pytest.mark.task(2)
@pytest.mark.hint(
    "The decorator leaves create_item a plain function: main.create_item(Item(...)) called "
    "from Python must store the item just like POST /items does."
)
def test_create_item_is_still_a_plain_function(client, learner):
    item_class = learner.require("main", "Item").Item
    call(learner, "create_item", item_class(**PEN))
    listed = list_via(client, "/items")
    assert len(listed) == 1 and has_fields(listed[0], PEN), (
        f"after main.create_item(Item(name='pen', price=1.5)), GET /items answered {listed!r}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Annotate the parameter with the model (item: Item) so FastAPI validates the body and "
    "answers 422 before your function runs. Reading request.json() yourself skips that."
)
@pytest.mark.parametrize(
    "body",
    [{}, {"name": "pen"}, {"price": 1.5}, {"name": "pen", "price": "cheap"}, ["pen", 1.5], "pen"],
)
def test_invalid_item_is_422_and_not_stored(client, body):
    response = client.post("/items", json=body)
    assert response.status_code == 422, (
        f"POST /items with {body!r} answered {response.status_code}, not 422"
    )
    listed = list_via(client, "/items")
    assert listed == [], f"after a rejected POST, GET /items answered {listed!r}"


@pytest.mark.task(2)
@pytest.mark.hint(
    "Register only GET and POST on /items; FastAPI answers 405 with an Allow header for the rest."
)
@pytest.mark.parametrize("method", ["DELETE", "PUT", "PATCH"])
def test_other_methods_on_items_are_405(client, method):
    response = client.request(method, "/items")
    assert response.status_code == 405, f"{method} /items answered {response.status_code}, not 405"
    allow = response.headers.get("allow")
    assert allow, f"{method} /items answered 405 without an Allow header"
    assert method not in allow.upper().replace(" ", "").split(","), (
        f"{method} /items answered 405 but Allow says {allow!r}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Give POST its own decorator, @app.post('/items', status_code=201), and annotate "
    "item: Item: OpenAPI then shows the request body and the 201 response."
)
def test_openapi_documents_post_body_and_201(client):
    items_path = operations(client).get("/items", {})
    post = items_path.get("post")
    assert post is not None, "the OpenAPI schema has no POST operation on /items"
    assert "requestBody" in post, "OpenAPI documents POST /items without a request body"
    assert "201" in post.get("responses", {}), (
        f"OpenAPI documents POST /items with responses {sorted(post.get('responses', {}))}, no 201"
    )
    get = items_path.get("get")
    assert get is not None, "the OpenAPI schema has no GET operation on /items"
    assert "requestBody" not in get, "OpenAPI documents GET /items with a request body"


# Task 3 ---------------------------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_v0_items_lists_the_same_items(client):
    assert list_via(client, "/v0/items") == [], "GET /v0/items with nothing stored is not []"
    post_item(client, PEN)
    post_item(client, INK)
    current, legacy = list_via(client, "/items"), list_via(client, "/v0/items")
    assert legacy == current, f"GET /v0/items answered {legacy!r}, GET /items {current!r}"


@pytest.mark.task(3)
@pytest.mark.hint(
    "Pass the list_items function itself to app.add_api_route('/v0/items', list_items, ...): "
    "no second function, no wrapper."
)
def test_v0_items_reuses_list_items(main):
    list_items = getattr(main, "list_items", None)
    assert callable(list_items), "main.py defines no function named list_items"
    served = [path for path, endpoint in get_routes(main.app.routes) if endpoint is list_items]
    assert len(served) >= 2, (
        f"main.list_items serves only {served or 'no route'}: register the same function for "
        "GET /items and again for GET /v0/items"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Task 3 is the call behind the decorator: no @app.get('/v0/items') above list_items, but "
    "app.add_api_route('/v0/items', list_items, methods=['GET'], deprecated=True) as a "
    "statement of its own, below the function."
)
def test_v0_items_is_registered_with_add_api_route(main, learner):
    tree = ast.parse(learner.source("main.py"))
    decorated = [
        f"@{ast.unparse(decorator)} on {node.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for decorator in node.decorator_list
        if any(isinstance(c, ast.Constant) and c.value == "/v0/items" for c in ast.walk(decorator))
    ]
    assert not decorated, (
        f"main.py registers /v0/items with a decorator ({', '.join(decorated)}): Task 3 asks "
        "for app.add_api_route(...) instead"
    )
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "add_api_route"
        and any(
            (isinstance(arg, ast.Name) and arg.id == "list_items")
            or (isinstance(arg, ast.Constant) and arg.value == "/v0/items")
            for arg in [*node.args, *(k.value for k in node.keywords)]
        )
    ]
    assert calls, (
        "main.py has no add_api_route(...) call for /v0/items: register GET /v0/items with "
        "app.add_api_route('/v0/items', list_items, ...)"
    )


@pytest.mark.task(3)
@pytest.mark.hint("Register /v0/items for GET only: methods=['GET'].")
def test_v0_items_is_read_only(client):
    response = client.post("/v0/items", json=PEN)
    assert response.status_code == 405, f"POST /v0/items answered {response.status_code}, not 405"
    listed = list_via(client, "/items")
    assert listed == [], f"after POST /v0/items, GET /items answered {listed!r}"


@pytest.mark.task(3)
@pytest.mark.hint("Pass deprecated=True to add_api_route for /v0/items, and only there.")
def test_v0_items_is_deprecated_in_openapi(client):
    paths = operations(client)
    legacy = paths.get("/v0/items", {}).get("get")
    assert legacy is not None, "the OpenAPI schema has no GET operation on /v0/items"
    assert legacy.get("deprecated") is True, (
        f"OpenAPI GET /v0/items has deprecated={legacy.get('deprecated')!r}, not true"
    )
    current = paths.get("/items", {}).get("get", {})
    assert not current.get("deprecated", False), "OpenAPI marks GET /items deprecated too"


@pytest.mark.task(3)
@pytest.mark.hint(
    "Don't set operation_id by hand on routes that share a function or handler: FastAPI "
    "builds a unique one from the function name, the path and the method."
)
def test_operation_ids_are_unique(client):
    seen = {}
    for path, path_item in operations(client).items():
        for method, operation in path_item.items():
            if isinstance(operation, dict) and "operationId" in operation:
                seen.setdefault(operation["operationId"], []).append(f"{method.upper()} {path}")
    duplicates = {op_id: where for op_id, where in seen.items() if len(where) > 1}
    assert not duplicates, f"operationIds used more than once in OpenAPI: {duplicates}"
    assert len(seen) >= 3, f"OpenAPI lists only these operations: {seen}"
