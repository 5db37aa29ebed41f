import pytest


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


def url(value):
    return value.rstrip("/") if isinstance(value, str) else value


def info(schema):
    return schema.get("info", {})


@pytest.mark.task(1)
def test_openapi_version_is_3_1_0(schema):
    assert schema.get("openapi") == "3.1.0", f"openapi is {schema.get('openapi')!r}"


@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("title", "Bookstore API"),
        ("version", "1.2.0"),
        ("summary", "Browse the bookstore's catalogue."),
        ("description", "Lists the books on sale. Send your key in the X-API-Key header."),
    ],
)
def test_info_text_fields(schema, field, expected):
    assert info(schema).get(field) == expected, f"info.{field} is {info(schema).get(field)!r}"


@pytest.mark.task(1)
def test_terms_of_service(schema):
    terms = info(schema).get("termsOfService")
    assert url(terms) == "https://bookstore.example.com/terms", f"info.termsOfService is {terms!r}"


@pytest.mark.task(1)
def test_contact(schema):
    contact = info(schema).get("contact")
    assert isinstance(contact, dict), f"info.contact is {contact!r}"
    observed = {key: url(value) for key, value in contact.items()}
    assert observed == {
        "name": "Bookstore API team",
        "url": "https://bookstore.example.com/support",
        "email": "api@bookstore.example.com",
    }, f"info.contact is {contact!r}"


@pytest.mark.task(1)
def test_license_is_mit_by_identifier(schema):
    license_ = info(schema).get("license")
    assert license_ == {"name": "MIT", "identifier": "MIT"}, f"info.license is {license_!r}"


@pytest.mark.task(1)
def test_books_tag_with_external_docs(schema):
    tags = schema.get("tags")
    assert isinstance(tags, list) and len(tags) == 1, f"tags is {tags!r}"
    tag = tags[0]
    assert tag.get("name") == "books", f"the tag is {tag!r}"
    assert tag.get("description") == "Operations on the catalogue's books.", (
        f"the books tag's description is {tag.get('description')!r}"
    )
    docs = tag.get("externalDocs")
    assert isinstance(docs, dict), f"the books tag has no externalDocs: {tag!r}"
    assert docs.get("description") == "Catalogue guide", f"externalDocs is {docs!r}"
    assert url(docs.get("url")) == "https://bookstore.example.com/guide", (
        f"externalDocs is {docs!r}"
    )


@pytest.mark.task(1)
def test_servers_in_order(schema):
    servers = schema.get("servers")
    assert isinstance(servers, list), f"servers is {servers!r}"
    observed = [(url(s.get("url")), s.get("description")) for s in servers]
    assert observed == [
        ("https://api.bookstore.example.com", "Production"),
        ("http://localhost:8000", "Local development"),
    ], f"servers is {servers!r}"


@pytest.mark.task(1)
def test_books_route_is_still_documented(schema):
    operation = schema.get("paths", {}).get("/books", {}).get("get")
    assert operation is not None, "GET /books is missing from the schema"
    assert operation.get("tags") == ["books"], f"GET /books has tags {operation.get('tags')!r}"


@pytest.mark.task(1)
@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_docs_pages_answer_200(client, path):
    response = client.get(path)
    assert response.status_code == 200, f"GET {path} answered {response.status_code}"


@pytest.mark.task(2)
def test_x_logo_is_in_info(schema):
    logo = info(schema).get("x-logo")
    assert isinstance(logo, dict), f"info has no x-logo object (info keys: {sorted(info(schema))})"
    assert url(logo.get("url")) == "https://bookstore.example.com/logo.png", (
        f"info.x-logo is {logo!r}"
    )


@pytest.mark.task(2)
def test_api_key_security_scheme(schema):
    schemes = schema.get("components", {}).get("securitySchemes", {})
    scheme = schemes.get("ApiKeyAuth")
    assert isinstance(scheme, dict), f"no securitySchemes.ApiKeyAuth; schemes: {sorted(schemes)}"
    observed = {key: scheme.get(key) for key in ("type", "in", "name")}
    assert observed == {"type": "apiKey", "in": "header", "name": "X-API-Key"}, (
        f"ApiKeyAuth is {scheme!r}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_openapi_returns_the_cached_object(app):
    first = app.openapi()
    second = app.openapi()
    assert first is second, "two calls of app.openapi() returned two different objects"
    assert app.openapi_schema is first, (
        "app.openapi_schema does not hold the object that app.openapi() returned"
    )
    assert "x-logo" in first.get("info", {}), "app.openapi() has no info.x-logo"


@pytest.mark.task(2)
def test_openapi_json_serves_the_cached_schema(app, client):
    cached = app.openapi()
    cached["info"]["x-test-marker"] = "cached"
    try:
        response = client.get("/openapi.json")
        served = response.json().get("info", {})
        assert served.get("x-test-marker") == "cached", (
            "GET /openapi.json did not serve the schema cached in app.openapi_schema"
        )
    finally:
        cached["info"].pop("x-test-marker", None)
