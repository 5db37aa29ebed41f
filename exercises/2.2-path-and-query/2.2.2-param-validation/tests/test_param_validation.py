import pytest

# Every request names a valid sort (Task 3's required parameter), so that Tasks 1 and 2 can be
# checked on their own; a handler that does not declare sort yet simply ignores it.
BASE = {"q": "fastapi", "sort": "asc"}


@pytest.fixture
def client(learner, app_client):
    return app_client(learner.require("main", "app").app)


def search(client, **params):
    return client.get("/search", params={**BASE, **params})


def describe(response):
    return f"{response.status_code} {response.text[:300]}"


def errors(response):
    """The error dicts of FastAPI's standard 422 body (empty if the body has another shape)."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return []
    return [e for e in detail if isinstance(e, dict)] if isinstance(detail, list) else []


def assert_422_at(response, name, error_type=None):
    url = f"/search?{response.request.url.query.decode()}"
    assert response.status_code == 422, f"GET {url} answered {describe(response)}, expected 422"
    at_name = [e for e in errors(response) if e.get("loc") == ["query", name]]
    assert at_name, (
        f"GET {url} answered {response.text[:300]}: expected an error at loc ['query', '{name}'] "
        "in FastAPI's standard 'detail' list"
    )
    if error_type is not None:
        types = [e.get("type") for e in at_name]
        assert error_type in types, (
            f"GET {url}: the error at ['query', '{name}'] has type {types}, expected {error_type!r}"
        )


def ok_body(response):
    url = f"/search?{response.request.url.query.decode()}"
    assert response.status_code == 200, f"GET {url} answered {describe(response)}"
    body = response.json()
    assert isinstance(body, dict), f"GET {url} answered {body!r}, expected a JSON object"
    return url, body


def openapi_query_params(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json answered {describe(response)}"
    operation = response.json().get("paths", {}).get("/search", {}).get("get")
    assert operation, "/openapi.json has no GET /search operation"
    return {p.get("name"): p for p in operation.get("parameters", []) if p.get("in") == "query"}


# ---------------------------------------------------------------- Task 1: q, page and size


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Annotate page and size as int: FastAPI converts the text '3' to the number 3. "
    "Returning query_params values gives strings."
)
def test_numbers_are_parsed_into_json_numbers(client):
    url, body = ok_body(search(client, page="3", size="25"))
    for key, expected in (("q", "fastapi"), ("page", 3), ("size", 25)):
        assert key in body, f"GET {url} answered {body!r}: no {key!r} key"
        assert body[key] == expected and type(body[key]) is type(expected), (
            f"GET {url} answered {key}={body[key]!r}, expected {expected!r}"
        )


@pytest.mark.task(1)
def test_page_and_size_have_defaults(client):
    url, body = ok_body(search(client))
    assert body.get("page") == 1 and body.get("size") == 10, (
        f"GET {url} answered page={body.get('page')!r}, size={body.get('size')!r}: "
        "expected the defaults 1 and 10"
    )


@pytest.mark.task(1)
@pytest.mark.parametrize("q", ["ab", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"])
def test_q_length_limits_are_inclusive(client, q):
    url, body = ok_body(search(client, q=q))
    assert body.get("q") == q, f"GET {url} answered q={body.get('q')!r}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The limits count characters, not bytes: min_length and max_length in Query(...) do that. "
    "An accented letter or a Chinese character is one character, though UTF-8 spends 2 or 3 "
    "bytes on it."
)
@pytest.mark.parametrize(
    "q", ["\u00e9" * 30, "\u00e9" * 50, "\u65e5\u672c", "na\u00efve caf\u00e9"]
)
def test_q_length_counts_characters_not_bytes(client, q):
    response = search(client, q=q)
    sent = f"q={q!r} ({len(q)} characters, {len(q.encode())} bytes in UTF-8)"
    assert response.status_code == 200, f"GET /search with {sent} answered {describe(response)}"
    body = response.json()
    assert isinstance(body, dict) and body.get("q") == q, (
        f"GET /search with {sent} answered {response.text[:300]}: expected q echoed as sent"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "q is taken as sent: surrounding spaces are part of the text and count towards its length. "
    "Do not strip it (for example with str_strip_whitespace=True in a query model)."
)
@pytest.mark.parametrize("q", [" ab ", "  a", "a "])
def test_q_keeps_surrounding_spaces(client, q):
    url, body = ok_body(search(client, q=q))
    assert body.get("q") == q, f"GET {url} answered q={body.get('q')!r}, expected {q!r} as sent"


@pytest.mark.task(1)
@pytest.mark.hint(
    "q is required: declare it without a default, e.g. Query(min_length=2, max_length=50)."
)
def test_missing_q_is_422(client):
    response = client.get("/search", params={"sort": "asc"})
    assert_422_at(response, "q", "missing")


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Query(min_length=2, max_length=50) makes FastAPI report string_too_short / _long."
)
@pytest.mark.parametrize(
    ("q", "error_type"),
    [
        ("a", "string_too_short"),
        ("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "string_too_long"),
        ("\u00e9" * 51, "string_too_long"),
    ],
)
def test_q_outside_length_limits_is_422(client, q, error_type):
    assert_422_at(search(client, q=q), "q", error_type)


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint("Put the upper limit in the declaration: size: int = Query(10, ge=1, le=100).")
def test_size_over_100_is_less_than_equal_error(client):
    assert_422_at(search(client, size="101"), "size", "less_than_equal")


@pytest.mark.task(1)
@pytest.mark.parametrize("size", ["1", "100"])
def test_size_limits_are_inclusive(client, size):
    url, body = ok_body(search(client, size=size))
    assert body.get("size") == int(size), f"GET {url} answered size={body.get('size')!r}"


@pytest.mark.task(1)
@pytest.mark.hint(
    "page is a whole number >= 1, so an explicit page=1 is valid: use ge=1, not gt=1."
)
@pytest.mark.parametrize("page", ["1", "2"])
def test_page_lower_limit_is_inclusive(client, page):
    url, body = ok_body(search(client, page=page))
    assert body.get("page") == int(page), f"GET {url} answered page={body.get('page')!r}"


@pytest.mark.task(1)
@pytest.mark.parametrize(("name", "value"), [("size", "0"), ("size", "-5"), ("page", "0")])
def test_values_below_one_are_422(client, name, value):
    assert_422_at(search(client, **{name: value}), name)


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "An int parameter rejects '1.5' and 'two' with 422. Calling int() yourself raises ValueError, "
    "which becomes a 500."
)
@pytest.mark.parametrize("page", ["1.5", "two", ""])
def test_page_must_be_a_whole_number(client, page):
    assert_422_at(search(client, page=page), "page")


@pytest.mark.task(1)
@pytest.mark.hint(
    "Declare the parameters in the handler's signature (or a query model) so that FastAPI "
    "documents them."
)
def test_openapi_documents_q_page_and_size(client):
    params = openapi_query_params(client)
    for name in ("q", "page", "size"):
        assert name in params, (
            f"/openapi.json lists the query parameters {sorted(params)} for GET /search: "
            f"{name!r} is missing"
        )
    assert params["q"].get("required") is True, "/openapi.json does not mark q as required"
    for name in ("page", "size"):
        assert not params[name].get("required", False), (
            f"/openapi.json marks {name} as required; it has a default"
        )


# ---------------------------------------------------------------- Task 2: exact and tags


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint("Annotate exact as bool: FastAPI understands true/1/yes/on (any case).")
@pytest.mark.parametrize("raw", ["true", "1", "yes", "on", "True"])
def test_exact_truthy_spellings(client, raw):
    url, body = ok_body(search(client, exact=raw))
    assert body.get("exact") is True, (
        f"GET {url} answered exact={body.get('exact')!r}, expected the JSON boolean true"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("raw", ["false", "0", "no", "off", "OFF"])
def test_exact_falsy_spellings(client, raw):
    url, body = ok_body(search(client, exact=raw))
    assert body.get("exact") is False, (
        f"GET {url} answered exact={body.get('exact')!r}, expected the JSON boolean false"
    )


@pytest.mark.task(2)
def test_exact_defaults_to_false(client):
    url, body = ok_body(search(client))
    assert body.get("exact") is False, f"GET {url} answered exact={body.get('exact')!r}"


@pytest.mark.task(2)
@pytest.mark.hint(
    "A bool parameter rejects text it cannot read as a boolean; don't treat it as false."
)
@pytest.mark.parametrize("raw", ["maybe", "2"])
def test_exact_rejects_other_text(client, raw):
    assert_422_at(search(client, exact=raw), "exact")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A list query parameter needs Query: tags: list[str] = Query([]). Each ?tags=... adds one item."
)
def test_repeated_tags_become_a_list(client):
    url, body = ok_body(search(client, tags=["python", "web", "api"]))
    assert body.get("tags") == ["python", "web", "api"], (
        f"GET {url} answered tags={body.get('tags')!r}, expected ['python', 'web', 'api']"
    )


@pytest.mark.task(2)
def test_single_tag_is_a_list_of_one(client):
    url, body = ok_body(search(client, tags="python"))
    assert body.get("tags") == ["python"], f"GET {url} answered tags={body.get('tags')!r}"


@pytest.mark.task(2)
@pytest.mark.hint(
    "Don't split on commas: ?tags=a,b is one tag 'a,b'; repeat the parameter instead."
)
def test_comma_is_not_a_separator(client):
    url, body = ok_body(search(client, tags="a,b"))
    assert body.get("tags") == ["a,b"], (
        f"GET {url} answered tags={body.get('tags')!r}, expected the single tag ['a,b']"
    )


@pytest.mark.task(2)
def test_tags_default_to_empty_list(client):
    url, body = ok_body(search(client))
    assert body.get("tags") == [], f"GET {url} answered tags={body.get('tags')!r}, expected []"


@pytest.mark.task(2)
def test_openapi_documents_exact_and_tags(client):
    params = openapi_query_params(client)
    for name in ("exact", "tags"):
        assert name in params, (
            f"/openapi.json lists the query parameters {sorted(params)} for GET /search: "
            f"{name!r} is missing"
        )
        assert not params[name].get("required", False), (
            f"/openapi.json marks {name} as required; it has a default"
        )


# ---------------------------------------------------------------- Task 3: sort


@pytest.mark.task(3)
@pytest.mark.parametrize("sort", ["asc", "desc"])
def test_sort_is_echoed(client, sort):
    url, body = ok_body(search(client, sort=sort))
    assert body.get("sort") == sort, f"GET {url} answered sort={body.get('sort')!r}"


@pytest.mark.task(3)
@pytest.mark.hint("sort has no default, so it is required: a request without it is a 422.")
def test_missing_sort_is_422(client):
    response = client.get("/search", params={"q": "fastapi"})
    assert_422_at(response, "sort", "missing")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Annotate sort with the SortOrder enum: FastAPI rejects values that are not members."
)
@pytest.mark.parametrize("sort", ["ASC", "random", "ascending"])
def test_unknown_sort_is_422(client, sort):
    assert_422_at(search(client, sort=sort), "sort")


@pytest.mark.task(3)
@pytest.mark.hint('class SortOrder(str, Enum) with asc = "asc" and desc = "desc".')
def test_sort_order_is_an_enum_of_asc_and_desc(learner):
    from enum import Enum

    sort_order = learner.require("main", "SortOrder").SortOrder
    assert isinstance(sort_order, type) and issubclass(sort_order, Enum), (
        f"main.SortOrder is {sort_order!r}, expected an Enum class"
    )
    values = sorted(str(member.value) for member in sort_order)
    assert values == ["asc", "desc"], f"SortOrder has the values {values}, expected asc and desc"


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_everything_is_echoed_together(client):
    params = {
        "q": "sqlalchemy",
        "page": "2",
        "size": "50",
        "exact": "on",
        "tags": ["orm", "sql"],
        "sort": "desc",
    }
    response = client.get("/search", params=params)
    url, body = ok_body(response)
    expected = {
        "q": "sqlalchemy",
        "page": 2,
        "size": 50,
        "exact": True,
        "tags": ["orm", "sql"],
        "sort": "desc",
    }
    assert body == expected, f"GET {url} answered {body!r}, expected {expected!r}"


@pytest.mark.task(3)
@pytest.mark.hint("Several invalid parameters are all reported at once, one error each.")
def test_all_errors_are_reported_at_once(client):
    response = client.get("/search", params={"q": "a", "size": "101", "sort": "up"})
    assert response.status_code == 422, f"GET /search answered {describe(response)}, expected 422"
    locs = [e.get("loc") for e in errors(response)]
    for loc in (["query", "q"], ["query", "size"], ["query", "sort"]):
        assert loc in locs, f"the 422 body has errors at {locs}: {loc} is missing"


@pytest.mark.task(3)
def test_openapi_documents_sort_as_required(client):
    params = openapi_query_params(client)
    assert "sort" in params, (
        f"/openapi.json lists the query parameters {sorted(params)} for GET /search: "
        "'sort' is missing"
    )
    assert params["sort"].get("required") is True, "/openapi.json does not mark sort as required"
