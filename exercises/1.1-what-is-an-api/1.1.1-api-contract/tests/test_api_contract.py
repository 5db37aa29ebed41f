import re

import pytest

from grader.testing import client_for

CONVERT = "/api/v1/convert"
UNITS = ["km", "m", "mi"]
METRES = {"km": 1000.0, "m": 1.0, "mi": 1609.344}


@pytest.fixture(scope="module")
def client(learner):
    # `with` keeps one event loop for the whole module: much faster than one per request.
    with client_for(learner.require("main", "app").app) as test_client:
        yield test_client


def convert(client, **params):
    return client.get(CONVERT, params=params)


def describe(response):
    return f"{response.status_code} {response.text[:200]}"


def converted(client, value, from_unit, to_unit):
    """The converted number, after checking that the answer is a Conversion object."""
    response = convert(client, value=value, from_unit=from_unit, to_unit=to_unit)
    query = f"value={value}&from_unit={from_unit}&to_unit={to_unit}"
    assert response.status_code == 200, f"GET {CONVERT}?{query} answered {describe(response)}"
    body = response.json()
    assert isinstance(body, dict), f"GET {CONVERT}?{query} answered {body!r}, not a JSON object"
    number = body.get("value")
    assert isinstance(number, int | float) and not isinstance(number, bool), (
        f"GET {CONVERT}?{query} answered value={number!r}: expected a JSON number"
    )
    assert body.get("unit") == to_unit, (
        f"GET {CONVERT}?{query} answered unit={body.get('unit')!r}, expected {to_unit!r}"
    )
    return number


def get_openapi(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json answered {response.status_code}"
    return response.json()


def resolve(document, schema):
    """Follow a local `$ref` (an Enum parameter is documented as a reference to a component)."""
    ref = (schema or {}).get("$ref")
    if ref and ref.startswith("#/"):
        node = document
        for part in ref[2:].split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        return node
    return schema or {}


def convert_operation(document):
    operation = document.get("paths", {}).get(CONVERT, {}).get("get")
    assert operation, (
        f"the OpenAPI document has no GET {CONVERT} operation "
        f"(its paths: {sorted(document.get('paths', {}))})"
    )
    return operation


def query_parameters(document):
    params = convert_operation(document).get("parameters", [])
    return {p.get("name"): p for p in params if p.get("in") == "query"}


# --- Task 1: the conversion ------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Convert through metres: value * METRES[from_unit] / METRES[to_unit], with 1 mi = 1609.344 m. "
    "The answer is the object {'value': <converted>, 'unit': <to_unit>}, and the route lives "
    "under the /api/v1 prefix."
)
def test_ten_km_is_about_6_2137_miles(client):
    number = converted(client, 10, "km", "mi")
    assert number == pytest.approx(6.2137, abs=1e-3), (
        f"10 km converted to {number} mi, expected about 6.2137"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    ("value", "from_unit", "to_unit"),
    [
        ("1", "mi", "m"),
        ("2500", "m", "km"),
        ("5", "mi", "km"),
        ("0.25", "km", "m"),
        ("42195", "m", "mi"),
        ("-3", "km", "mi"),
        ("0", "m", "mi"),
    ],
)
def test_conversions_go_through_metres(client, value, from_unit, to_unit):
    expected = float(value) * METRES[from_unit] / METRES[to_unit]
    number = converted(client, value, from_unit, to_unit)
    assert number == pytest.approx(expected, rel=1e-5, abs=1e-9), (
        f"{value} {from_unit} converted to {number} {to_unit}, expected {expected:.6g}"
    )


@pytest.mark.task(1)
@pytest.mark.parametrize("unit", ["km", "m", "mi"])
@pytest.mark.hint("Converting a unit to itself is the identity: the same value comes back.")
def test_same_unit_is_the_identity(client, unit):
    number = converted(client, "3.7", unit, unit)
    assert number == pytest.approx(3.7, rel=1e-9), f"3.7 {unit} converted to {number} {unit}"


@pytest.mark.task(1)
@pytest.mark.hint(
    "Return the Conversion model (or a dict) and let FastAPI encode it: a PlainTextResponse or a "
    "bare number is not the object the contract promises."
)
def test_answer_is_a_json_conversion_object(client):
    response = convert(client, value=10, from_unit="km", to_unit="m")
    assert response.status_code == 200, f"GET {CONVERT} answered {describe(response)}"
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("application/json"), (
        f"GET {CONVERT} answered content-type {content_type!r}, not application/json"
    )
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"value", "unit"}, (
        f"GET {CONVERT} answered {body!r}: expected exactly the keys 'value' and 'unit'"
    )


# --- Task 2: the contract is enforced --------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Type the unit parameters as Literal['km', 'm', 'mi'] (or an Enum): FastAPI then answers 422 "
    "for any other text. A plain `str` with a dict lookup (or .get with a default) silently "
    "accepts units the contract does not have."
)
@pytest.mark.parametrize(
    ("from_unit", "to_unit"),
    [("furlong", "m"), ("km", "yd"), ("KM", "m"), ("", "km")],
    ids=["from-furlong", "to-yd", "upper-case", "empty"],
)
def test_unknown_unit_is_422(client, from_unit, to_unit):
    response = convert(client, value=10, from_unit=from_unit, to_unit=to_unit)
    assert response.status_code == 422, (
        f"GET {CONVERT}?value=10&from_unit={from_unit}&to_unit={to_unit} answered "
        f"{describe(response)}, expected 422"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Let FastAPI validate the parameters (Literal or Enum units, a float value with "
    "Query(allow_inf_nan=False)): its 422 body names the parameter, e.g. loc ['query', 'value']. "
    "Do not replace it with your own error, not even for nan or inf."
)
@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"value": "10", "from_unit": "furlong", "to_unit": "m"}, "from_unit"),
        ({"value": "10", "from_unit": "km", "to_unit": "yd"}, "to_unit"),
        ({"from_unit": "km", "to_unit": "mi"}, "value"),
        ({"value": "abc", "from_unit": "km", "to_unit": "mi"}, "value"),
        ({"value": "nan", "from_unit": "km", "to_unit": "mi"}, "value"),
        ({"value": "inf", "from_unit": "km", "to_unit": "mi"}, "value"),
    ],
    ids=["from-furlong", "to-yd", "no-value", "value-abc", "value-nan", "value-inf"],
)
def test_422_body_is_fastapi_standard_naming_the_parameter(client, params, param):
    response = client.get(CONVERT, params=params)
    assert response.status_code == 422, f"GET {CONVERT} with {params} answered {describe(response)}"
    detail = response.json().get("detail")
    locs = [e.get("loc") for e in detail if isinstance(e, dict)] if isinstance(detail, list) else []
    assert ["query", param] in locs, (
        f"GET {CONVERT} with {params} answered 422 {response.text[:300]}: expected FastAPI's "
        f"standard body, a 'detail' list with an error at loc ['query', '{param}']"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Declare value, from_unit and to_unit without defaults: they are then required, and a "
    "missing one or a value that is not a number answers 422."
)
@pytest.mark.parametrize(
    "params",
    [
        {"from_unit": "km", "to_unit": "mi"},
        {"value": "10", "from_unit": "km"},
        {"value": "10", "to_unit": "mi"},
        {"value": "abc", "from_unit": "km", "to_unit": "mi"},
        {"value": "", "from_unit": "km", "to_unit": "mi"},
    ],
    ids=["no-value", "no-to-unit", "no-from-unit", "value-abc", "value-empty"],
)
def test_missing_or_non_numeric_parameter_is_422(client, params):
    response = client.get(CONVERT, params=params)
    assert response.status_code == 422, (
        f"GET {CONVERT} with {params} answered {describe(response)}, expected 422"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "A Python float accepts 'nan' and 'inf', and JSON cannot write them (FastAPI answers "
    "{'value': null}). Declare value: Annotated[float, Query(allow_inf_nan=False)]."
)
@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_non_finite_value_is_422(client, value):
    response = convert(client, value=value, from_unit="km", to_unit="mi")
    assert response.status_code == 422, (
        f"GET {CONVERT}?value={value}&from_unit=km&to_unit=mi answered {describe(response)}, "
        "expected 422"
    )


# --- Task 3: the units -----------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint("GET /api/v1/units returns the list ['km', 'm', 'mi'], in that order.")
def test_units_lists_the_three_units(client):
    response = client.get("/api/v1/units")
    assert response.status_code == 200, f"GET /api/v1/units answered {describe(response)}"
    assert response.json() == UNITS, f"GET /api/v1/units answered {response.json()!r}"


# --- Task 4: the published contract ----------------------------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Declare the three parameters in the handler's signature without defaults, `value` as a "
    "float and the units as Literal['km', 'm', 'mi'] (or an Enum): FastAPI documents them as "
    "required query parameters, the units as an enum."
)
def test_openapi_documents_the_three_query_parameters(client):
    document = get_openapi(client)
    params = query_parameters(document)
    assert set(params) == {"value", "from_unit", "to_unit"}, (
        f"GET {CONVERT} documents the query parameters {sorted(params)}, "
        "expected exactly from_unit, to_unit and value"
    )
    not_required = sorted(name for name, p in params.items() if not p.get("required"))
    assert not not_required, f"the OpenAPI document marks {not_required} as optional"
    value_schema = resolve(document, params["value"].get("schema"))
    assert value_schema.get("type") == "number", (
        f"the documented schema of `value` is {value_schema!r}, expected type 'number'"
    )
    for name in ("from_unit", "to_unit"):
        schema = resolve(document, params[name].get("schema"))
        assert sorted(schema.get("enum") or []) == sorted(UNITS), (
            f"the documented schema of `{name}` is {schema!r}: expected an enum of "
            "exactly km, m and mi"
        )


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Declare response_model=Conversion (or annotate the handler `-> Conversion`): FastAPI then "
    "documents the 200 response as a $ref to the Conversion schema."
)
def test_openapi_200_response_is_conversion(client):
    document = get_openapi(client)
    responses = convert_operation(document).get("responses", {})
    schema = responses.get("200", {}).get("content", {}).get("application/json", {}).get("schema")
    ref = (schema or {}).get("$ref", "")
    name = re.sub(r"-(Input|Output)$", "", ref.rsplit("/", 1)[-1])
    assert name == "Conversion", (
        f"GET {CONVERT} documents its 200 response as {schema!r}, not a reference to Conversion"
    )
    properties = resolve(document, schema).get("properties", {})
    assert {"value", "unit"} <= set(properties), (
        f"the Conversion schema has the properties {sorted(properties)}, "
        "expected 'value' and 'unit'"
    )
    assert resolve(document, properties["value"]).get("type") == "number", (
        f"Conversion.value is documented as {properties['value']!r}, expected type 'number'"
    )
