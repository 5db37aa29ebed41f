"""Hidden tests for 1.4.2.

Swagger UI itself loads from a CDN in the browser; these tests read only the HTML page FastAPI
serves and the OpenAPI document, so they run offline.
"""

import re

import pytest

from grader.testing import client_for

DOCS = "/api/docs"
OPENAPI = "/api/openapi.json"


@pytest.fixture(scope="module")
def client(learner):
    """One app for the read-only tests (docs page, OpenAPI document)."""
    test_client = client_for(learner.require("main", "app").app)
    yield test_client
    test_client.close()


@pytest.fixture
def fresh_client(learner, app_client):
    """A fresh import, so the stock is back to the starter's numbers."""
    return app_client(learner.require("main", "app", fresh=True).app)


def get_openapi(client) -> dict:
    response = client.get(OPENAPI)
    assert response.status_code == 200, f"GET {OPENAPI} answered {response.status_code}"
    return response.json()


@pytest.fixture(scope="module")
def doc(learner) -> dict:
    """The OpenAPI document, straight from app.openapi() (wherever Task 1 serves it)."""
    return learner.require("main", "app").app.openapi()


def orders_operation(doc: dict) -> dict:
    operation = doc.get("paths", {}).get("/orders", {}).get("post")
    assert operation, "the OpenAPI document has no POST /orders operation"
    return operation


def ref_name(schema: dict | None) -> str | None:
    """'ErrorOut' for {"$ref": "#/components/schemas/ErrorOut"} (also 'ErrorOut-Output')."""
    ref = (schema or {}).get("$ref", "")
    return re.sub(r"-(Input|Output)$", "", ref.rsplit("/", 1)[-1]) if ref else None


def component(doc: dict, name: str) -> dict:
    schemas = doc.get("components", {}).get("schemas", {})
    for key in (name, f"{name}-Input", f"{name}-Output"):
        if key in schemas:
            return schemas[key]
    pytest.fail(f"the OpenAPI document has no {name} schema (found: {sorted(schemas)})")


def response_schema(operation: dict, code: str) -> dict | None:
    content = operation.get("responses", {}).get(code, {}).get("content", {})
    return content.get("application/json", {}).get("schema")


def post_order(client, body):
    return client.post("/orders", json=body)


def created(client, sku: str, qty: int) -> dict:
    """POST the order and check it answers 201 with an OrderOut."""
    body = {"sku": sku, "qty": qty}
    response = post_order(client, body)
    assert response.status_code == 201, (
        f"POST /orders {body} answered {response.status_code}, not 201: {response.text[:200]}"
    )
    answer = response.json()
    assert isinstance(answer, dict) and isinstance(answer.get("id"), int), (
        f"POST /orders {body} answered {answer!r}, expected {{'id': int, 'sku', 'qty'}}"
    )
    assert {key: answer.get(key) for key in ("sku", "qty")} == body, (
        f"POST /orders {body} answered {answer!r}: sku and qty should echo the order"
    )
    return answer


def conflict(client, sku: str, qty: int) -> None:
    """POST the order and check it answers 409 with an ErrorOut."""
    body = {"sku": sku, "qty": qty}
    response = post_order(client, body)
    assert response.status_code == 409, (
        f"POST /orders {body} answered {response.status_code}, not 409: {response.text[:200]}"
    )
    answer = response.json()
    assert isinstance(answer, dict) and isinstance(answer.get("detail"), str), (
        f"POST /orders {body} answered 409 with {answer!r}, not an ErrorOut {{'detail': str}}"
    )


# --- Task 1: where the docs live ---------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.hint(
    "Pass docs_url='/api/docs' and openapi_url='/api/openapi.json' to FastAPI(...): the page "
    "loads the schema from whatever openapi_url says."
)
def test_docs_page_is_served_at_api_docs(client):
    response = client.get(DOCS)
    assert response.status_code == 200, f"GET {DOCS} answered {response.status_code}"
    assert response.headers.get("content-type", "").startswith("text/html"), (
        f"GET {DOCS} answered content-type {response.headers.get('content-type')!r}, not HTML"
    )
    assert "swagger" in response.text.lower(), f"the page at {DOCS} is not Swagger UI"
    assert OPENAPI in response.text, f"the page at {DOCS} does not load its schema from {OPENAPI}"


@pytest.mark.task(1)
@pytest.mark.hint(
    "swagger_ui_parameters={'tryItOutEnabled': True, 'defaultModelsExpandDepth': -1} in "
    "FastAPI(...): FastAPI writes each pair into the page's SwaggerUIBundle({...}) call."
)
@pytest.mark.parametrize(
    ("name", "value"), [("tryItOutEnabled", "true"), ("defaultModelsExpandDepth", "-1")]
)
def test_docs_page_sets_swagger_ui_parameter(client, name, value):
    html = client.get(DOCS).text
    pattern = rf"[\"']?{name}[\"']?\s*:\s*{re.escape(value)}\b"
    assert re.search(pattern, html), (
        f"the page at {DOCS} does not configure Swagger UI with {name}: {value}"
    )


@pytest.mark.task(1)
def test_openapi_document_is_served_at_api_path(client):
    doc = get_openapi(client)
    assert isinstance(doc, dict) and str(doc.get("openapi", "")).startswith("3."), (
        f"GET {OPENAPI} did not answer an OpenAPI 3 document: {str(doc)[:120]}"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Moving docs_url and openapi_url frees the old paths; ReDoc stays at /redoc until you pass "
    "redoc_url=None."
)
@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_default_doc_urls_are_gone(client, path):
    response = client.get(path)
    assert response.status_code == 404, f"GET {path} answered {response.status_code}, not 404"


# --- Task 2: POST /orders ----------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_order_in_stock_is_created(fresh_client):
    first = created(fresh_client, "KB-101", 2)
    second = created(fresh_client, "MS-202", 1)
    assert first["id"] != second["id"], f"two orders got the same id {first['id']}"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Compare qty with STOCK.get(sku, 0); when it is larger, raise HTTPException(409, detail=...) "
    "and leave the stock as it was. Otherwise subtract qty from the stock."
)
def test_order_beyond_stock_is_409_and_takes_nothing(fresh_client):
    created(fresh_client, "KB-101", 3)  # 5 in stock, 2 left
    conflict(fresh_client, "KB-101", 3)
    created(fresh_client, "KB-101", 2)  # exactly what is left
    conflict(fresh_client, "KB-101", 1)


@pytest.mark.task(2)
@pytest.mark.hint("An unknown SKU has nothing in stock: STOCK.get(sku, 0), then the same 409.")
def test_unknown_sku_is_409(fresh_client):
    conflict(fresh_client, "NOPE-1", 1)


@pytest.mark.task(2)
@pytest.mark.hint(
    "qty: int = Field(gt=0) rejects 0 and negatives with 422 before your handler runs; a "
    "missing field or a non-integer does too."
)
@pytest.mark.parametrize(
    "body",
    [
        {"sku": "KB-101", "qty": 0},
        {"sku": "KB-101", "qty": -1},
        {"sku": "KB-101", "qty": "two"},
        {"sku": "KB-101", "qty": 1.5},
        {"sku": "KB-101"},
        {"qty": 1},
    ],
)
def test_invalid_order_is_422(client, body):
    response = post_order(client, body)
    assert response.status_code == 422, (
        f"POST /orders {body} answered {response.status_code}, not 422"
    )


# --- Task 3: what the docs say about POST /orders ----------------------------------------------


@pytest.mark.task(3)
@pytest.mark.hint(
    "summary='Place an order' on the decorator; without it FastAPI shows the "
    "function name ('Place Order' or similar)."
)
def test_operation_summary(doc):
    summary = orders_operation(doc).get("summary")
    assert summary == "Place an order", f"POST /orders has the summary {summary!r}"


@pytest.mark.task(3)
@pytest.mark.hint("Give description=... on the decorator (or a docstring) that mentions 409.")
def test_operation_description_mentions_409(doc):
    description = orders_operation(doc).get("description") or ""
    assert "409" in description, (
        f"the description of POST /orders ({description[:120]!r}) does not mention 409"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "responses={409: {'model': ErrorOut}} on the decorator documents the error body; raising "
    "HTTPException alone leaves it out of the docs."
)
def test_409_is_documented_with_errorout(doc):
    operation = orders_operation(doc)
    name = ref_name(response_schema(operation, "409"))
    assert name == "ErrorOut", (
        f"POST /orders documents its 409 response with schema {name!r}, expected ErrorOut"
    )
    error = component(doc, "ErrorOut")
    assert error.get("properties", {}).get("detail", {}).get("type") == "string", (
        f"ErrorOut should have a string `detail`: {error.get('properties')}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "status_code=201 on the decorator and an OrderOut return annotation (or response_model) "
    "document the success answer; the default 200 should not be listed."
)
def test_201_is_documented_with_orderout(doc):
    operation = orders_operation(doc)
    responses = operation.get("responses", {})
    assert "201" in responses and "200" not in responses, (
        f"POST /orders documents the responses {sorted(responses)}, expected 201 (and no 200)"
    )
    name = ref_name(response_schema(operation, "201"))
    assert name == "OrderOut", f"POST /orders documents its 201 with schema {name!r}, not OrderOut"
    properties = component(doc, "OrderOut").get("properties", {})
    assert {"id", "sku", "qty"} <= set(properties), (
        f"OrderOut documents {sorted(properties)}, expected id, sku and qty"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Field(gt=0) becomes exclusiveMinimum: 0 in the schema (ge=1 would say minimum: 1 instead), "
    "so Swagger UI shows the rule next to the field."
)
def test_qty_is_documented_as_greater_than_zero(doc):
    order_in = component(doc, "OrderIn")
    qty = order_in.get("properties", {}).get("qty", {})
    assert qty.get("type") == "integer", f"OrderIn.qty is documented as {qty!r}, not an integer"
    assert qty.get("exclusiveMinimum") == 0, (
        f"OrderIn.qty is documented as {qty!r}: expected exclusiveMinimum 0 (Field(gt=0))"
    )
    assert set(order_in.get("required", [])) >= {"sku", "qty"}, (
        f"OrderIn lists {order_in.get('required')} as required, expected sku and qty"
    )


def documented_examples(doc: dict) -> list:
    """Example bodies for POST /orders: OrderIn's schema `examples`, or the request body's."""
    found = list(component(doc, "OrderIn").get("examples") or [])
    body = doc["paths"]["/orders"]["post"].get("requestBody", {})
    media = body.get("content", {}).get("application/json", {})
    found += list(media.get("schema", {}).get("examples") or [])
    if "example" in media:
        found.append(media["example"])
    found += [item.get("value") for item in (media.get("examples") or {}).values()]
    return [example for example in found if example is not None]


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "model_config = ConfigDict(json_schema_extra={'examples': [{'sku': 'KB-101', 'qty': 2}]}) "
    "in OrderIn: Swagger UI pre-fills the request body with it, and 'Execute' must then work."
)
def test_example_order_is_documented_and_works(learner, app_client):
    doc = learner.require("main", "app", fresh=True).app.openapi()
    orders_operation(doc)
    examples = documented_examples(doc)
    assert examples, "the docs show no example body for POST /orders (OrderIn has no examples)"
    for example in examples:
        client = app_client(learner.require("main", "app", fresh=True).app)
        response = post_order(client, example)
        assert response.status_code == 201, (
            f"sending the documented example {example!r} to a fresh app answered "
            f"{response.status_code}, not 201: use an in-stock SKU and a valid qty"
        )
