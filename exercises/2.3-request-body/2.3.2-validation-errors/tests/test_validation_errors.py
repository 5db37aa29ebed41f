import logging
from collections import Counter
from typing import Annotated

import pytest
from pydantic import Field, TypeAdapter, ValidationError

VALID = {"name": "Desk lamp", "price": 40.0}


@pytest.fixture
def client(learner, app_client):
    return app_client(learner.require("main", "app").app)


def _errors(response, what):
    """The "errors" list of a 422 answer, with assertion messages that say what came back."""
    assert response.status_code == 422, (
        f"{what} answered {response.status_code}, not 422: {response.text[:300]}"
    )
    try:
        body = response.json()
    except ValueError:
        pytest.fail(f"{what} answered a body that is not JSON: {response.text[:200]!r}")
    assert isinstance(body, dict) and set(body) == {"errors"}, (
        f'{what} answered {str(body)[:300]}; expected exactly {{"errors": [...]}}'
    )
    errors = body["errors"]
    assert isinstance(errors, list) and errors, (
        f'{what}: "errors" is {errors!r}, not a list of entries'
    )
    for entry in errors:
        assert isinstance(entry, dict) and set(entry) == {"field", "message", "type"}, (
            f"{what}: the entry {entry!r} should have exactly the keys field, message, type"
        )
        assert all(isinstance(entry[k], str) for k in entry), f"{what}: {entry!r} holds non-strings"
    return errors


def _error_fields(response, what):
    """Fields of a 422 answer in either format: this exercise's {"errors": [...]} or FastAPI's
    default {"detail": [...]}, so that Task 3 is graded even before Task 1 is done."""
    assert response.status_code == 422, (
        f"{what} answered {response.status_code}, not 422: {response.text[:300]}"
    )
    body = response.json()
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        return [e.get("field") for e in body["errors"] if isinstance(e, dict)]
    if isinstance(body, dict) and isinstance(body.get("detail"), list):
        fields = []
        for e in body["detail"]:
            loc = list(e.get("loc", []))
            fields.append(
                ".".join(str(p) for p in (loc[1:] if loc[:1] == ["body"] else loc)) or "body"
            )
        return fields
    pytest.fail(f"{what} answered an unexpected 422 body: {response.text[:300]}")


def _fields(errors):
    return Counter(e["field"] for e in errors)


def _post_products(client, body):
    return client.post("/products", json=body)


def _post_raw(client, content):
    return client.post("/products", content=content, headers={"content-type": "application/json"})


# --------------------------------------------------------------------------- Task 1


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    'One entry: field "price" (loc without "body"), message = msg, type = type, status 422.'
)
def test_single_error_entry(client):
    response = _post_products(client, {**VALID, "price": -1})
    errors = _errors(response, "POST /products with price -1")
    expected_msg = None
    try:
        TypeAdapter(Annotated[float, Field(gt=0)]).validate_python(-1)
    except ValidationError as exc:
        expected_msg = exc.errors()[0]["msg"]
    assert errors == [{"field": "price", "message": expected_msg, "type": "greater_than"}], (
        f"price -1 gave {errors!r}; expected one entry "
        f"{{'field': 'price', 'message': {expected_msg!r}, 'type': 'greater_than'}}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint("Report every item of exc.errors(), not just the first one.")
def test_two_bad_fields_give_two_entries(client):
    response = _post_products(client, {"name": "", "price": "free"})
    errors = _errors(response, 'POST /products with name "" and price "free"')
    assert _fields(errors) == Counter({"name": 1, "price": 1}), (
        f"two bad fields gave the entries {errors!r}; expected one for name and one for price"
    )
    types = {e["field"]: e["type"] for e in errors}
    assert types == {"name": "string_too_short", "price": "float_parsing"}, (
        f"the entries' types were {types!r}: pass Pydantic's type through unchanged"
    )


@pytest.mark.task(1)
@pytest.mark.hint('An empty object misses both required fields: two entries of type "missing".')
def test_missing_fields_are_each_reported(client):
    errors = _errors(_post_products(client, {}), "POST /products with {}")
    got = sorted((e["field"], e["type"]) for e in errors)
    assert got == [("name", "missing"), ("price", "missing")], (
        f"an empty object gave {errors!r}; expected name and price, both of type 'missing'"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Join the whole loc after "body" with dots: ("body", "dimensions", "width") is '
    '"dimensions.width", not just "width".'
)
def test_nested_field_gets_dotted_name(client):
    body = {**VALID, "dimensions": {"width": -2, "height": 0}}
    errors = _errors(_post_products(client, body), "POST /products with bad dimensions")
    assert _fields(errors) == Counter({"dimensions.width": 1, "dimensions.height": 1}), (
        f"width -2 and height 0 gave the fields {sorted(_fields(errors))}; "
        "expected dimensions.width and dimensions.height"
    )


@pytest.mark.task(1)
@pytest.mark.hint('List positions are ints in loc: str() them, ("body", "tags", 1) is "tags.1".')
def test_list_item_gets_its_index(client):
    body = {**VALID, "tags": ["office", 7, "light"]}
    errors = _errors(_post_products(client, body), 'POST /products with tags ["office", 7, ...]')
    assert [(e["field"], e["type"]) for e in errors] == [("tags.1", "string_type")], (
        f"a number at tags[1] gave {errors!r}; expected one entry with field 'tags.1'"
    )


@pytest.mark.task(1)
@pytest.mark.hint("The handler is app-wide: /users errors use the same format.")
def test_other_endpoints_use_the_format(client):
    response = client.post("/users", json={"username": "al", "password": "correct horse"})
    errors = _errors(response, "POST /users with a 2-character username")
    assert [(e["field"], e["type"]) for e in errors] == [("username", "string_too_short")], (
        f"username 'al' gave {errors!r}"
    )


@pytest.mark.task(1)
@pytest.mark.hint("Only invalid requests go to the handler; valid bodies still answer 201.")
def test_valid_requests_are_unaffected(client):
    response = _post_products(client, {**VALID, "dimensions": {"width": 1, "height": 2}})
    assert response.status_code == 201, (
        f"a valid product answered {response.status_code}: {response.text[:300]}"
    )
    user = client.post("/users", json={"username": "ada", "password": "correct horse"})
    assert user.status_code == 201 and user.json() == {"username": "ada"}, (
        f"a valid user answered {user.status_code} {user.text[:200]}"
    )


# --------------------------------------------------------------------------- Task 2


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Malformed JSON has loc ("body", <offset>): check type == "json_invalid" and report the '
    'field "body".'
)
def test_malformed_json_is_one_body_entry(client):
    errors = _errors(_post_raw(client, b'{"name": "Lamp", "price": '), "malformed JSON")
    assert len(errors) == 1, f"malformed JSON gave {len(errors)} entries: {errors!r}"
    entry = errors[0]
    assert (entry["field"], entry["type"]) == ("body", "json_invalid"), (
        f"malformed JSON gave {entry!r}; expected field 'body' and type 'json_invalid'"
    )


@pytest.mark.task(2)
@pytest.mark.hint('When nothing is left of loc after "body", the field is "body".')
@pytest.mark.parametrize(
    "content, error_type",
    [(b"", "missing"), (b"[1, 2]", None), (b'"lamp"', None)],
    ids=["no-body", "array", "string"],
)
def test_whole_body_errors_say_body(client, content, error_type):
    errors = _errors(_post_raw(client, content), f"POST /products with the body {content!r}")
    assert [e["field"] for e in errors] == ["body"], (
        f"the body {content!r} gave {errors!r}; expected one entry with field 'body'"
    )
    if error_type is not None:
        assert errors[0]["type"] == error_type, (
            f"the body {content!r} gave type {errors[0]['type']!r}, not {error_type!r}"
        )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Build entries from loc, msg and type only: FastAPI's `input` (and `ctx`) repeat what the "
    "client sent."
)
def test_rejected_password_is_never_echoed(client):
    secret = "Tr0ub4d"  # 7 characters: too short
    response = client.post("/users", json={"username": "ada", "password": secret})
    errors = _errors(response, "POST /users with a 7-character password")
    assert [(e["field"], e["type"]) for e in errors] == [("password", "string_too_short")], (
        f"a 7-character password gave {errors!r}"
    )
    assert secret not in response.text, (
        "the 422 answer repeats the rejected password the client sent"
    )


@pytest.mark.task(2)
@pytest.mark.hint("No entry may carry the rejected value, whatever the key is called.")
def test_rejected_values_are_not_echoed(client):
    body = {"name": "Lamp", "price": "price-on-request", "tags": ["ok", {"secret": "s3cr3t-tag"}]}
    response = _post_products(client, body)
    _errors(response, "POST /products with a bad price and tag")
    for value in ("price-on-request", "s3cr3t-tag"):
        assert value not in response.text, f"the 422 answer repeats the input value {value!r}"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "exc.errors() holds each rejected value under `input`: log it whole and the password is in "
    "the logs. If the handler logs, log the fields and types only."
)
def test_rejected_password_is_not_logged(client, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "Tr0ub4d"  # 7 characters: too short
    response = client.post("/users", json={"username": "ada", "password": secret})
    _errors(response, "POST /users with a 7-character password")
    leaks = [
        f"{r.name}: {r.getMessage()[:200]}"
        for r in caplog.records
        if not r.name.startswith(("httpx", "httpcore")) and secret in r.getMessage()
    ]
    assert not leaks, f"the rejected password was logged: {leaks}"


# --------------------------------------------------------------------------- Task 3


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A field_validator on discount_price compares it with info.data['price'] and raises "
    "ValueError when it is not lower."
)
@pytest.mark.parametrize("discount", [40.0, 55.5], ids=["equal", "above"])
def test_discount_not_below_price_is_rejected(client, discount):
    response = _post_products(client, {**VALID, "discount_price": discount})
    fields = _error_fields(response, f"price 40 with discount_price {discount}")
    assert fields == ["discount_price"], (
        f"price 40 with discount_price {discount} gave errors for the fields {fields!r}; "
        "expected one error located at discount_price"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "The entry's message is your validator's message: say 'discount_price must be lower than "
    "price', without the numbers the client sent."
)
def test_discount_error_does_not_repeat_the_prices(client):
    body = {"name": "Lamp", "price": 12.34, "discount_price": 56.78}
    what = "POST /products with price 12.34 and discount_price 56.78"
    response = _post_products(client, body)
    errors = _errors(response, what)
    assert [e["field"] for e in errors] == ["discount_price"], (
        f"{what} gave {errors!r}; expected one entry with field 'discount_price'"
    )
    for value in ("56.78", "12.34"):
        assert value not in response.text, (
            f"{what}: the answer {errors!r} repeats the value {value} the client sent"
        )


@pytest.mark.task(3)
@pytest.mark.hint(
    "message is the error's msg unchanged, prefix included: Pydantic turns the ValueError of a "
    "validator into the msg 'Value error, <your message>'. Pass msg through as it is; do not "
    "tidy it."
)
def test_discount_message_is_the_msg_unchanged(learner, client):
    body = {"name": "Lamp", "price": 40.0, "discount_price": 55.5}
    what = "POST /products with price 40 and discount_price 55.5"
    product = learner.require("main", "Product").Product
    try:
        product.model_validate(body)
    except ValidationError as exc:
        expected = [e["msg"] for e in exc.errors() if tuple(e["loc"]) == ("discount_price",)]
    else:
        pytest.fail(f"Product accepted {body}: a discount_price above price must be rejected")
    errors = _errors(_post_products(client, body), what)
    got = [e["message"] for e in errors if e["field"] == "discount_price"]
    assert got == expected, (
        f"{what}: the discount_price entry has the message {got!r}; Pydantic's msg for the same "
        f"body is {expected!r}, which the entry must carry unchanged"
    )


@pytest.mark.task(3)
@pytest.mark.hint("A discount below the price, or none at all (absent or null), is valid.")
@pytest.mark.parametrize(
    "extra",
    [{"discount_price": 39.99}, {"discount_price": None}, {}],
    ids=["below", "null", "absent"],
)
def test_valid_discounts_are_accepted(client, extra):
    response = _post_products(client, {**VALID, **extra})
    assert response.status_code == 201, (
        f"price 40 with {extra or 'no discount'} answered {response.status_code}: "
        f"{response.text[:300]}"
    )
    assert response.json().get("discount_price") == extra.get("discount_price"), (
        f"the product came back as {response.text[:300]}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Compare the discount once Pydantic has turned it into a float (a field_validator's default "
    'mode runs after the type check): a numeric string such as "30" is the number 30.'
)
@pytest.mark.parametrize(
    "discount, accepted", [("30", True), ("55.5", False)], ids=["below", "above"]
)
def test_numeric_string_discount_is_compared_as_a_number(client, discount, accepted):
    what = f"price 40 with discount_price {discount!r} (a numeric string)"
    response = _post_products(client, {**VALID, "discount_price": discount})
    if accepted:
        assert response.status_code == 201, (
            f"{what} answered {response.status_code}: {response.text[:300]}"
        )
        assert response.json().get("discount_price") == float(discount), (
            f"{what}: the product came back as {response.text[:300]}"
        )
    else:
        fields = _error_fields(response, what)
        assert fields == ["discount_price"], (
            f"{what} gave errors for the fields {fields!r}; expected one error located at "
            "discount_price"
        )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "info.data has no 'price' when price failed or is missing: use info.data.get('price') and "
    "skip the comparison, otherwise the KeyError is a 500."
)
@pytest.mark.parametrize(
    "body",
    [
        {"name": "Lamp", "price": "cheap", "discount_price": 5},
        {"name": "Lamp", "price": -3, "discount_price": 5},
        {"name": "Lamp", "discount_price": 5},
    ],
    ids=["price-not-a-number", "price-negative", "price-missing"],
)
def test_discount_with_invalid_price_is_still_422(client, body):
    response = _post_products(client, body)
    fields = _error_fields(response, f"POST /products with {body}")
    assert "price" in fields, (
        f"{body} gave errors for the fields {fields!r}; the price error should be reported"
    )
