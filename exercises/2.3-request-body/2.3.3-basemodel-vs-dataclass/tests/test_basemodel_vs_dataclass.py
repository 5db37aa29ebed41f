import dataclasses
import json

import pytest
from pydantic import BaseModel, ValidationError
from pydantic.dataclasses import is_pydantic_dataclass

FIELDS = ["name", "price", "quantity"]


@pytest.fixture
def models(learner):
    return learner.require("models", "ProductModel", "ProductDC", "ProductPDC", "to_json")


@pytest.fixture
def client(learner, app_client):
    return app_client(learner.require("main", "app").app)


def _make(cls, **data):
    """Build an instance; a validation error (or any other) comes back as the exception."""
    try:
        return cls(**data)
    except Exception as exc:
        return exc


def _instance(models, cls_name, **data):
    """An instance of one of the learner's classes, for the tests of Tasks 2 and 3."""
    product = _make(getattr(models, cls_name), **data)
    if isinstance(product, Exception):
        args = ", ".join(f"{k}={v!r}" for k, v in data.items())
        pytest.fail(f"{cls_name}({args}) raised {product!r}: finish Task 1 first")
    return product


def _is_basemodel(cls):
    return isinstance(cls, type) and issubclass(cls, BaseModel)


def _field_names(cls):
    if _is_basemodel(cls):
        return list(cls.model_fields)
    if dataclasses.is_dataclass(cls):
        return [f.name for f in dataclasses.fields(cls)]
    return None


# --------------------------------------------------------------------------- Task 1


@pytest.mark.task(1)
@pytest.mark.hint("ProductModel subclasses pydantic.BaseModel and declares name, price, quantity.")
def test_product_model_is_a_basemodel(models):
    cls = models.ProductModel
    assert _is_basemodel(cls), f"ProductModel should subclass pydantic.BaseModel, found {cls!r}"
    assert sorted(_field_names(cls)) == sorted(FIELDS), (
        f"ProductModel's fields are {_field_names(cls)}, expected {FIELDS}"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "ProductDC uses the standard library's @dataclasses.dataclass, not BaseModel and not "
    "Pydantic's dataclass decorator."
)
def test_product_dc_is_a_plain_dataclass(models):
    cls = models.ProductDC
    assert dataclasses.is_dataclass(cls), f"ProductDC is not a dataclass: {cls!r}"
    assert not _is_basemodel(cls), "ProductDC should be a dataclass, not a BaseModel subclass"
    assert not is_pydantic_dataclass(cls), (
        "ProductDC is a Pydantic dataclass; use the standard library's @dataclasses.dataclass"
    )
    assert sorted(_field_names(cls)) == sorted(FIELDS), (
        f"ProductDC's fields are {_field_names(cls)}, expected {FIELDS}"
    )


@pytest.mark.task(1)
@pytest.mark.hint("ProductPDC uses @pydantic.dataclasses.dataclass.")
def test_product_pdc_is_a_pydantic_dataclass(models):
    cls = models.ProductPDC
    assert is_pydantic_dataclass(cls), f"ProductPDC is not a Pydantic dataclass: {cls!r}"
    assert not _is_basemodel(cls), "ProductPDC should be a dataclass, not a BaseModel subclass"
    assert sorted(_field_names(cls)) == sorted(FIELDS), (
        f"ProductPDC's fields are {_field_names(cls)}, expected {FIELDS}"
    )


@pytest.mark.task(1)
@pytest.mark.hint("A BaseModel coerces the numeric string '3.5' to the float 3.5.")
def test_basemodel_coerces_price(models):
    product = _make(models.ProductModel, name="Pen", price="3.5")
    assert not isinstance(product, Exception), f"ProductModel(price='3.5') raised {product!r}"
    price = getattr(product, "price", "<no price attribute>")
    assert price == 3.5 and isinstance(price, float), (
        f"ProductModel(name='Pen', price='3.5').price is {price!r}, not 3.5"
    )


@pytest.mark.task(1)
@pytest.mark.hint("A BaseModel raises pydantic.ValidationError for a price that is not a number.")
def test_basemodel_rejects_bad_price(models):
    result = _make(models.ProductModel, name="Pen", price="x")
    assert isinstance(result, ValidationError), (
        f"ProductModel(name='Pen', price='x') gave {result!r}, not a ValidationError"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A stdlib dataclass does not validate: its annotations are hints only, so '3.5' stays a str."
)
def test_stdlib_dataclass_does_not_validate(models):
    product = _make(models.ProductDC, name="Pen", price="3.5", quantity="x")
    assert not isinstance(product, Exception), (
        f"ProductDC(price='3.5', quantity='x') raised {product!r}: a plain dataclass checks nothing"
    )
    price = getattr(product, "price", "<no price attribute>")
    quantity = getattr(product, "quantity", "<no quantity attribute>")
    assert price == "3.5", (
        f"ProductDC(price='3.5').price is {price!r}; a plain dataclass keeps the str"
    )
    assert quantity == "x", f"ProductDC(quantity='x').quantity is {quantity!r}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A Pydantic dataclass validates in __init__: quantity='x' raises ValidationError."
)
def test_pydantic_dataclass_validates(models):
    result = _make(models.ProductPDC, name="Pen", price=1, quantity="x")
    assert isinstance(result, ValidationError), (
        f"ProductPDC(name='Pen', price=1, quantity='x') gave {result!r}, not a ValidationError"
    )
    product = _make(models.ProductPDC, name="Pen", price="3.5")
    assert not isinstance(product, Exception), f"ProductPDC(price='3.5') raised {product!r}"
    price = getattr(product, "price", "<no price attribute>")
    assert price == 3.5 and isinstance(price, float), (
        f"ProductPDC(price='3.5').price is {price!r}, not the float 3.5"
    )


@pytest.mark.task(1)
@pytest.mark.hint("Give quantity the default 0 in all three classes.")
@pytest.mark.parametrize("cls_name", ["ProductModel", "ProductDC", "ProductPDC"])
def test_quantity_defaults_to_zero(models, cls_name):
    product = _make(getattr(models, cls_name), name="Pen", price=2.0)
    assert not isinstance(product, Exception), (
        f"{cls_name}(name='Pen', price=2.0) raised {product!r}"
    )
    held = tuple(getattr(product, f, None) for f in FIELDS)
    assert held == ("Pen", 2.0, 0), (
        f"{cls_name}(name='Pen', price=2.0) holds name, price, quantity = {held!r}"
    )


# --------------------------------------------------------------------------- Task 2


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "model_dump_json() exists only on BaseModel; TypeAdapter(type(obj)).dump_json(obj) handles "
    "all three. It returns bytes: decode them."
)
@pytest.mark.parametrize("cls_name", ["ProductModel", "ProductDC", "ProductPDC"])
def test_to_json_serialises_each_kind(models, cls_name):
    product = _instance(models, cls_name, name="Pen", price=3.5, quantity=2)
    try:
        text = models.to_json(product)
    except Exception as exc:
        pytest.fail(f"to_json({cls_name}(...)) raised {type(exc).__name__}: {exc}")
    assert isinstance(text, str), (
        f"to_json({cls_name}(...)) returned {type(text).__name__}, not str"
    )
    try:
        data = json.loads(text)
    except ValueError:
        pytest.fail(f"to_json({cls_name}(...)) returned text that is not JSON: {text[:200]!r}")
    assert data == {"name": "Pen", "price": 3.5, "quantity": 2}, (
        f"to_json({cls_name}(name='Pen', price=3.5, quantity=2)) parsed to {data!r}"
    )


@pytest.mark.task(2)
@pytest.mark.hint("The JSON must keep non-ASCII text intact.")
def test_to_json_keeps_unicode(models):
    product = _instance(models, "ProductDC", name="Café crème", price=4.0, quantity=1)
    try:
        text = models.to_json(product)
    except Exception as exc:
        pytest.fail(
            f"to_json(ProductDC(name='Café crème', ...)) raised {type(exc).__name__}: {exc}"
        )
    assert isinstance(text, str), f"to_json returned {type(text).__name__}, not str"
    assert json.loads(text)["name"] == "Café crème", f"to_json gave {text!r}"


# --------------------------------------------------------------------------- Task 3


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint("Annotate the body parameter as ProductDC and return it.")
def test_post_dc_answers_the_product(client):
    response = client.post("/dc", json={"name": "Pen", "price": 3.5, "quantity": 2})
    assert response.status_code == 200, (
        f"POST /dc with a valid product answered {response.status_code}: {response.text[:200]}"
    )
    assert response.json() == {"name": "Pen", "price": 3.5, "quantity": 2}, (
        f"POST /dc answered {response.text[:200]}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "FastAPI validates a dataclass body with Pydantic, so '3.5' arrives as 3.5 and quantity "
    "gets its default."
)
def test_post_dc_coerces_like_pydantic(client):
    response = client.post("/dc", json={"name": "Pen", "price": "3.5"})
    assert response.status_code == 200, f"POST /dc with price '3.5' answered {response.status_code}"
    body = response.json()
    assert body == {"name": "Pen", "price": 3.5, "quantity": 0}, (
        f"POST /dc with price '3.5' answered {body!r}; expected the number 3.5 and quantity 0"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Even a stdlib dataclass body is validated by FastAPI: a bad value answers 422. Taking a "
    "dict skips that."
)
@pytest.mark.parametrize(
    "body",
    [
        {"name": "Pen", "price": "abc"},
        {"name": "Pen", "price": 1, "quantity": "x"},
        {"price": 1},
        {"name": "Pen"},
        ["Pen", 1, 0],
    ],
    ids=["price-abc", "quantity-x", "name-missing", "price-missing", "array"],
)
def test_post_dc_rejects_invalid_bodies(client, body):
    response = client.post("/dc", json=body)
    assert response.status_code == 422, (
        f"POST /dc with {body!r} answered {response.status_code}, not 422: {response.text[:200]}"
    )


@pytest.mark.task(3)
@pytest.mark.hint("The body parameter must be annotated with ProductDC itself.")
def test_openapi_documents_a_productdc_body(client):
    spec = client.get("/openapi.json").json()
    operation = spec.get("paths", {}).get("/dc", {}).get("post")
    assert operation, "the OpenAPI document has no POST /dc"
    schema = (
        operation.get("requestBody", {})
        .get("content", {})
        .get("application/json", {})
        .get("schema")
    )
    assert schema, f"POST /dc documents no JSON request body: {operation.get('requestBody')!r}"
    ref = schema.get("$ref", "")
    name = ref.rsplit("/", 1)[-1]
    resolved = spec.get("components", {}).get("schemas", {}).get(name, {}) if ref else schema
    assert name.split("-")[0] == "ProductDC" or resolved.get("title") == "ProductDC", (
        f"POST /dc documents its body as {ref or schema!r}, not the ProductDC schema"
    )
