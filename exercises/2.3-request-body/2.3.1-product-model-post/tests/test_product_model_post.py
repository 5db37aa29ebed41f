import pytest
from pydantic import BaseModel, ValidationError


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "Product")


@pytest.fixture
def client(main, app_client):
    return app_client(main.app)


def _fields_in_error(response):
    """The field names FastAPI's default 422 body points at, for assertion messages."""
    try:
        return [".".join(str(p) for p in err["loc"]) for err in response.json()["detail"]]
    except Exception:
        return response.text[:200]


def _build(product_cls, **data):
    """Construct the learner's model; a ValidationError comes back as the exception."""
    try:
        return product_cls(**data)
    except ValidationError as exc:
        return exc


# --------------------------------------------------------------------------- Task 1: the model


@pytest.mark.task(1)
def test_product_is_a_pydantic_model(main):
    assert isinstance(main.Product, type) and issubclass(main.Product, BaseModel), (
        f"main.Product should be a pydantic.BaseModel subclass, found {main.Product!r}"
    )


@pytest.mark.task(1)
@pytest.mark.hint("quantity defaults to 0 when it is not given: `Field(default=0, ge=0)`.")
def test_valid_product_and_default_quantity(main):
    product = _build(main.Product, name="Pen", price=1.5)
    assert not isinstance(product, ValidationError), (
        f"Product(name='Pen', price=1.5) was rejected: {product}"
    )
    assert product.model_dump() == {"name": "Pen", "price": 1.5, "quantity": 0}, (
        f"Product(name='Pen', price=1.5) dumped to {product.model_dump()}"
    )


@pytest.mark.task(1)
@pytest.mark.hint("`model_config = ConfigDict(str_strip_whitespace=True)` strips every str field.")
def test_name_is_stripped(main):
    product = _build(main.Product, name="  Fountain pen \t", price=3)
    assert not isinstance(product, ValidationError), f"a padded name was rejected: {product}"
    assert product.name == "Fountain pen", f"name '  Fountain pen \\t' became {product.name!r}"


@pytest.mark.task(1)
@pytest.mark.hint(
    "The length rule applies to the stripped name: strip first (str_strip_whitespace or "
    "StringConstraints(strip_whitespace=True)), then check min_length/max_length. The limits "
    "count characters, not UTF-8 bytes: an accented letter is one character."
)
@pytest.mark.parametrize(
    "name, ok",
    [
        ("x", True),
        ("x" * 100, True),
        ("  " + "x" * 100 + "  ", True),
        ("", False),
        ("   ", False),
        ("\t\n ", False),
        ("x" * 101, False),
        ("\u00e9" * 60, True),
        ("\u00e9" * 100, True),
        ("\u65e5" * 40, True),
        ("\u00e9" * 101, False),
    ],
    ids=[
        "1-char",
        "100-chars",
        "100-chars-padded",
        "empty",
        "spaces",
        "tabs-newlines",
        "101",
        "60-accented",
        "100-accented",
        "40-cjk",
        "101-accented",
    ],
)
def test_name_length_counted_after_stripping(main, name, ok):
    result = _build(main.Product, name=name, price=1)
    shown = name if len(name) < 20 else f"{len(name)}-character string {name[:4]!r}..."
    if ok:
        assert not isinstance(result, ValidationError), f"name {shown!r} was rejected: {result}"
    else:
        assert isinstance(result, ValidationError), f"name {shown!r} was accepted as {result!r}"


@pytest.mark.task(1)
@pytest.mark.hint("price must be strictly positive: gt=0, not ge=0.")
@pytest.mark.parametrize("price", [0, -0.01, -5], ids=["zero", "slightly-negative", "negative"])
def test_non_positive_price_is_rejected(main, price):
    result = _build(main.Product, name="Pen", price=price)
    assert isinstance(result, ValidationError), f"price {price} was accepted as {result!r}"


@pytest.mark.task(1)
@pytest.mark.hint("quantity may be 0 but not negative (ge=0), and it is an int: 2.5 is invalid.")
@pytest.mark.parametrize(
    "quantity, ok",
    [(0, True), (7, True), (-1, False), (2.5, False)],
    ids=["zero", "seven", "minus-one", "fraction"],
)
def test_quantity_rules(main, quantity, ok):
    result = _build(main.Product, name="Pen", price=1, quantity=quantity)
    if ok:
        assert not isinstance(result, ValidationError), (
            f"quantity {quantity} was rejected: {result}"
        )
        assert result.quantity == quantity and isinstance(result.quantity, int), (
            f"quantity {quantity} became {result.quantity!r}"
        )
    else:
        assert isinstance(result, ValidationError), f"quantity {quantity} was accepted: {result!r}"


@pytest.mark.task(1)
@pytest.mark.hint('`model_config = ConfigDict(extra="forbid")` makes unknown keys an error.')
def test_unknown_keys_are_rejected_by_the_model(main):
    result = _build(main.Product, name="Pen", price=1, colour="red")
    assert isinstance(result, ValidationError), (
        f"Product(..., colour='red') was accepted as {result!r}: unknown keys must be rejected"
    )


# --------------------------------------------------------------------------- Task 2: the endpoint


def _post(client, body):
    return client.post("/products", json=body)


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint("Pass status_code=201 to @app.post; return the product's fields plus an id.")
def test_create_answers_201_with_product_and_id(client):
    response = _post(client, {"name": "Notebook", "price": 4.5, "quantity": 3})
    assert response.status_code == 201, (
        f"POST /products with a valid product answered {response.status_code}, not 201: "
        f"{response.text[:200]}"
    )
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"id", "name", "price", "quantity"}, (
        f"POST /products answered {body!r}; expected exactly the keys id, name, price, quantity"
    )
    assert (body["name"], body["price"], body["quantity"]) == ("Notebook", 4.5, 3), (
        f"the product came back as {body!r}"
    )
    assert type(body["id"]) is int, f"id should be a JSON integer, got {body['id']!r}"


@pytest.mark.task(2)
@pytest.mark.hint("The response is the validated product: stripped name, quantity 0 by default.")
def test_response_holds_the_validated_values(client):
    response = _post(client, {"name": "  Stapler  ", "price": 12})
    assert response.status_code == 201, f"POST /products answered {response.status_code}"
    body = response.json()
    assert body.get("name") == "Stapler", f"name '  Stapler  ' came back as {body.get('name')!r}"
    assert body.get("quantity") == 0, f"quantity not sent, came back as {body.get('quantity')!r}"


@pytest.mark.task(2)
@pytest.mark.hint(
    'Pydantic coerces the numeric string "19.99" to a float; the response carries a number.'
)
def test_numeric_string_price_is_coerced(client):
    response = _post(client, {"name": "Mug", "price": "19.99"})
    assert response.status_code == 201, (
        f'price "19.99" answered {response.status_code}, not 201: {_fields_in_error(response)}'
    )
    price = response.json().get("price")
    assert price == 19.99 and isinstance(price, float), (
        f'price "19.99" came back as {price!r}, not the number 19.99'
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    'Lax mode coerces the numeric string "3" to the int 3 and still refuses 2.5: do not make '
    "quantity strict."
)
def test_numeric_string_quantity_is_coerced(client):
    response = _post(client, {"name": "Mug", "price": 2, "quantity": "3"})
    assert response.status_code == 201, (
        f'quantity "3" answered {response.status_code}, not 201: {_fields_in_error(response)}'
    )
    quantity = response.json().get("quantity")
    assert quantity == 3 and type(quantity) is int, (
        f'quantity "3" came back as {quantity!r}, not the integer 3'
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Keep the counter outside the handler (module level) so it survives between requests, "
    "and advance it for every product you create."
)
def test_ids_increase(client):
    ids = []
    for n in range(4):
        response = _post(client, {"name": f"Item {n}", "price": 1 + n})
        assert response.status_code == 201, f"POST /products answered {response.status_code}"
        ids.append(response.json().get("id"))
    assert all(type(i) is int for i in ids), f"ids of four products: {ids!r}, not all integers"
    assert all(a < b for a, b in zip(ids, ids[1:])), (
        f"four products created in a row got the ids {ids}; each should be larger than the last"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint("Type the body as Product; FastAPI then answers 422 for any invalid field.")
@pytest.mark.parametrize(
    "body",
    [
        {"name": "Pen", "price": 0},
        {"name": "Pen", "price": -3},
        {"name": "Pen", "price": 2, "quantity": -1},
        {"name": "   ", "price": 2},
        {"name": "x" * 101, "price": 2},
        {"name": "Pen", "price": 2, "discount": 10},
        {"name": "Pen", "price": 2, "id": 99},
        {"name": "Pen", "price": "cheap"},
        {"name": "Pen"},
        {"price": 2},
    ],
    ids=[
        "price-zero",
        "price-negative",
        "quantity-negative",
        "name-of-spaces",
        "name-too-long",
        "unknown-field",
        "client-chosen-id",
        "price-not-a-number",
        "price-missing",
        "name-missing",
    ],
)
def test_invalid_body_is_422(client, body):
    response = _post(client, body)
    shown = {k: (v if len(str(v)) < 20 else f"<{len(v)} chars>") for k, v in body.items()}
    assert response.status_code == 422, (
        f"POST /products with {shown} answered {response.status_code}, not 422: "
        f"{response.text[:200]}"
    )


@pytest.mark.task(2)
@pytest.mark.hint("A body that is not a JSON object cannot be a Product: 422.")
@pytest.mark.parametrize(
    "content",
    [b"", b"[]", b'"Pen"', b'{"name": "Pen", "price": '],
    ids=["no-body", "array", "string", "malformed"],
)
def test_body_that_is_not_an_object_is_422(client, content):
    response = client.post(
        "/products", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, (
        f"POST /products with the body {content!r} answered {response.status_code}, not 422"
    )
