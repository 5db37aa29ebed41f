import ast
import asyncio
import inspect
import re
import textwrap
import typing

import pytest

from grader.testing import client_for

ITEMS = {
    1: {"id": 1, "name": "Desk lamp", "price": 39.90},
    2: {"id": 2, "name": "Notebook", "price": 4.50},
}
INTERNAL = ("cost_price", "supplier_notes", "17.25", "Lumen", "bulk discount")


@pytest.fixture(scope="module")
def app(learner):
    return learner.require("main", "app").app


@pytest.fixture(scope="module")
def client(app):
    client = client_for(app)
    yield client
    client.close()


def get_json(client, path, expected=200):
    response = client.get(path)
    assert response.status_code == expected, (
        f"GET {path} answered {response.status_code}, not {expected}: {response.text[:200]}"
    )
    return response.json()


def assert_item(body, item_id, path):
    assert isinstance(body, dict), f"GET {path} answered {body!r}, not a JSON object"
    assert set(body) == {"id", "name", "price"}, (
        f"GET {path} answered the keys {sorted(body)}, expected exactly ['id', 'name', 'price']"
    )
    expected = ITEMS[item_id]
    assert body["id"] == expected["id"] and body["name"] == expected["name"], (
        f"GET {path} answered {body}, expected {expected}"
    )
    price = body["price"]
    assert isinstance(price, float | int) and not isinstance(price, bool), (
        f"GET {path} answered price {price!r}, not a JSON number"
    )
    assert price == pytest.approx(expected["price"]), f"GET {path} answered price {price!r}"


def assert_no_internal_fields(response, path):
    for secret in INTERNAL:
        assert secret not in response.text, f"GET {path} leaks {secret!r}: {response.text[:300]}"


def documented_200_schema(client, path):
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json answered {response.status_code}"
    paths = response.json().get("paths", {})
    pattern = re.compile("^" + re.escape(path).replace(r"\{id\}", r"\{[^/}]+\}") + "$")
    operation = next((ops.get("get") for p, ops in paths.items() if pattern.match(p)), None)
    assert operation, f"the OpenAPI document has no GET {path} (paths: {sorted(paths)})"
    responses = operation.get("responses", {})
    assert "200" in responses, f"GET {path} documents only the responses {sorted(responses)}"
    return responses["200"].get("content", {}).get("application/json", {}).get("schema")


def schema_name(schema):
    ref = (schema or {}).get("$ref", "")
    return re.sub(r"-(Input|Output)$", "", ref.rsplit("/", 1)[-1]) if ref else None


def serving_endpoint(app, path):
    """The function that served GET `path` and the path parameters it was called with: routing
    records both in the ASGI scope."""
    scopes = []

    async def recorder(scope, receive, send):
        scopes.append(scope)
        await app(scope, receive, send)

    with client_for(recorder) as recording:
        response = recording.get(path)
    assert response.status_code == 200, f"GET {path} answered {response.status_code}"
    endpoint = scopes[-1].get("endpoint") if scopes else None
    assert callable(endpoint), f"could not tell which function handled GET {path}"
    return endpoint, scopes[-1].get("path_params", {})


def response_model_declarations(learner, endpoint):
    """Where the learner's code passes `response_model=` for `endpoint`: in a decorator of its
    own definition, or in a call that registers it (`app.add_api_route(path, handler, ...)`,
    `app.get(path, ...)(handler)`)."""
    found = []
    handler = inspect.unwrap(endpoint)
    try:
        source = textwrap.dedent(inspect.getsource(handler))
    except (OSError, TypeError):
        source = ""
    definition = ast.parse(source).body if source else []
    for node in definition[:1]:
        for decorator in getattr(node, "decorator_list", []):
            if isinstance(decorator, ast.Call) and any(
                k.arg == "response_model" for k in decorator.keywords
            ):
                found.append(f"@{ast.unparse(decorator)}")
    name = handler.__name__
    tree = ast.parse(learner.source("main.py"))
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        registrar = call.func if isinstance(call.func, ast.Call) else call
        passes_handler = any(
            isinstance(arg, ast.Name) and arg.id == name
            for arg in [*call.args, *(k.value for k in call.keywords)]
        )
        if passes_handler and any(k.arg == "response_model" for k in registrar.keywords):
            found.append(ast.unparse(call))
    return found


# --- Task 1 -------------------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("item_id", [1, 2])
def test_items_route_answers_the_public_fields(client, item_id):
    assert_item(get_json(client, f"/items/{item_id}"), item_id, f"/items/{item_id}")


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("item_id", [1, 2])
@pytest.mark.hint(
    "Without a response model FastAPI encodes the whole record: declare response_model=ItemOut."
)
def test_items_route_hides_internal_fields(client, item_id):
    response = client.get(f"/items/{item_id}")
    assert response.status_code == 200, f"GET /items/{item_id} answered {response.status_code}"
    assert_no_internal_fields(response, f"/items/{item_id}")


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Return find_item(item_id) itself, the whole ItemRecord: building a dict of the public "
    "fields in the handler does the response model's job by hand."
)
def test_items_route_returns_the_record_as_it_is(app):
    handler, path_params = serving_endpoint(app, "/items/1")
    value = handler(**{name: int(value) for name, value in path_params.items()})
    if inspect.isawaitable(value):
        value = asyncio.run(value)
    cost = (
        value.get("cost_price") if isinstance(value, dict) else getattr(value, "cost_price", None)
    )
    assert cost == pytest.approx(17.25), (
        f"the handler of GET /items/{{item_id}} returned a {type(value).__name__} without the "
        f"record's cost_price ({str(value)[:120]}): return the ItemRecord as it is and let "
        "response_model=ItemOut drop the internal fields"
    )


@pytest.mark.task(1)
def test_items_route_unknown_item_is_404(client):
    get_json(client, "/items/1")
    get_json(client, "/items/999", expected=404)


@pytest.mark.task(1)
@pytest.mark.hint("response_model=ItemOut also becomes the 200 response schema in OpenAPI.")
def test_items_route_documents_itemout(client):
    schema = documented_200_schema(client, "/items/{id}")
    assert schema_name(schema) == "ItemOut", (
        f"GET /items/{{item_id}} documents the 200 schema {schema!r}, not a reference to ItemOut"
    )


@pytest.mark.task(1)
def test_itemout_schema_has_only_public_fields(client):
    schemas = client.get("/openapi.json").json().get("components", {}).get("schemas", {})
    name = next((n for n in ("ItemOut", "ItemOut-Output") if n in schemas), None)
    assert name, f"the OpenAPI components have no ItemOut schema (found {sorted(schemas)})"
    properties = set(schemas[name].get("properties", {}))
    assert properties == {"id", "name", "price"}, (
        f"the ItemOut schema has the properties {sorted(properties)}, "
        "expected exactly ['id', 'name', 'price']"
    )


# --- Task 2 -------------------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("item_id", [1, 2])
def test_annotated_route_answers_the_public_fields(client, item_id):
    path = f"/items-annotated/{item_id}"
    response = client.get(path)
    assert response.status_code == 200, f"GET {path} answered {response.status_code}"
    assert_no_internal_fields(response, path)
    assert_item(response.json(), item_id, path)


@pytest.mark.task(2)
def test_annotated_route_unknown_item_is_404(client):
    get_json(client, "/items-annotated/1")
    get_json(client, "/items-annotated/999", expected=404)


@pytest.mark.task(2)
def test_annotated_route_documents_itemout(client):
    schema = documented_200_schema(client, "/items-annotated/{id}")
    assert schema_name(schema) == "ItemOut", (
        f"GET /items-annotated/{{item_id}} documents the 200 schema {schema!r}, "
        "not a reference to ItemOut"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Declare the contract in the signature: `def handler(item_id: int) -> ItemOut:`, with no "
    "response_model= on the decorator."
)
def test_annotated_handler_declares_return_type(learner, app):
    endpoint, _ = serving_endpoint(app, "/items-annotated/1")
    try:
        annotation = typing.get_type_hints(endpoint).get("return")
    except Exception as exc:  # an unresolvable annotation is the learner's to fix
        raise AssertionError(f"the handler's annotations cannot be resolved: {exc!r}") from None
    assert annotation is learner.require("main", "ItemOut").ItemOut, (
        f"the handler of GET /items-annotated/{{item_id}} ({endpoint.__name__}) is annotated "
        f"-> {annotation!r}, not -> ItemOut"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Task 2 declares the contract in the signature only: remove response_model=ItemOut from "
    "the decorator of GET /items-annotated/{item_id} and keep `-> ItemOut`."
)
def test_annotated_route_passes_no_response_model(learner, app):
    endpoint, _ = serving_endpoint(app, "/items-annotated/1")
    declarations = response_model_declarations(learner, endpoint)
    assert not declarations, (
        f"remove response_model= from {declarations[0][:90]}: GET /items-annotated/{{item_id}} "
        "declares ItemOut only through its return annotation"
    )


# --- Task 3 -------------------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "With ItemOut as the response model, returning price='free' must fail on the way out: "
    "a 500, never the bad data with a 200."
)
def test_broken_answers_500(client):
    response = client.get("/broken")
    assert response.status_code == 500, (
        f"GET /broken answered {response.status_code}, not 500: {response.text[:200]}"
    )
    assert "free" not in response.text, f"GET /broken sent the invalid data: {response.text[:200]}"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Return the plain dict and let the response model validate it; an error raised inside the "
    "handler (by building ItemOut yourself, or raising HTTPException(500)) is not response "
    "validation."
)
def test_broken_fails_response_validation_on_price(app):
    from fastapi.exceptions import ResponseValidationError

    strict = client_for(app, raise_server_exceptions=True)  # re-raises instead of a 500
    try:
        response = strict.get("/broken")
    except ResponseValidationError as exc:
        errors = list(exc.errors())
        locations = [tuple(error.get("loc", ())) for error in errors]
        assert any(loc and loc[-1] == "price" for loc in locations), (
            f"ResponseValidationError was raised, but for the locations {locations}, not price"
        )
        price_inputs = [
            error.get("input") for error in errors if tuple(error.get("loc", ()))[-1:] == ("price",)
        ]
        assert "free" in price_inputs, (
            f"ResponseValidationError was raised about price, but for the inputs {price_inputs!r}: "
            'return the dict with "price": "free" so the response model rejects that value'
        )
    except Exception as exc:
        raise AssertionError(
            f"GET /broken raised {type(exc).__name__} ({str(exc).splitlines()[0][:120]}), "
            "not ResponseValidationError"
        ) from None
    else:
        raise AssertionError(
            f"GET /broken answered {response.status_code} without a ResponseValidationError"
        )


@pytest.mark.task(3)
def test_broken_documents_itemout(client):
    schema = documented_200_schema(client, "/broken")
    assert schema_name(schema) == "ItemOut", (
        f"GET /broken documents the 200 schema {schema!r}, not a reference to ItemOut"
    )
