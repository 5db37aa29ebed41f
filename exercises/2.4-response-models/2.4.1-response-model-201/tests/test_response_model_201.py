import re

import pytest

from grader import testing

ADA = {"username": "ada", "email": "ada@example.com", "password": "s3cret-Lovelace!"}
GRACE = {"username": "grace", "email": "grace@example.com", "password": "c0bol-Hopper?"}


@pytest.fixture(scope="module")
def module_client():
    """One client (one event loop) for the module, serving `current.app`: a client and an
    event-loop thread per test would cost more than most tests."""
    current = testing.CurrentApp()
    with testing.looped_client(current) as client:
        yield client, current


def serving(module_client, app):
    """The module's client, sending its requests to `app`, with no cookies kept."""
    client, current = module_client
    current.app = app
    client.cookies.clear()
    return client


@pytest.fixture
def client(learner, module_client):
    # A fresh import per test: every test starts with an empty user store.
    return serving(module_client, learner.require("main", "app", fresh=True).app)


def post_user(client, payload):
    return client.post("/users", json=payload)


def create_first(client, payload=ADA):
    """Task 2 setup: any 2xx counts, so a wrong status only fails Task 1's tests."""
    response = post_user(client, payload)
    assert 200 <= response.status_code < 300, (
        f"creating {payload['username']!r} answered {response.status_code}: {response.text[:200]}"
    )


def schema_name(schema):
    """'UserRead' for {"$ref": "#/components/schemas/UserRead"} (or 'UserRead-Output')."""
    ref = (schema or {}).get("$ref", "")
    return re.sub(r"-(Input|Output)$", "", ref.rsplit("/", 1)[-1]) if ref else None


@pytest.fixture(scope="module")
def openapi_response(learner, module_client):
    """GET /openapi.json of a fresh import, asked once for the Task 3 tests: the document
    depends on the app's routes and models, not on the users stored."""
    app = learner.require("main", "app", fresh=True).app
    return serving(module_client, app).get("/openapi.json")


def get_openapi(response):
    assert response.status_code == 200, f"GET /openapi.json answered {response.status_code}"
    return response.json()


def create_operation(response):
    operation = get_openapi(response).get("paths", {}).get("/users", {}).get("post")
    assert operation, "the OpenAPI document has no POST /users operation"
    return operation


# --- Task 1 -------------------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_create_answers_201_with_the_user(client):
    response = post_user(client, ADA)
    assert response.status_code == 201, (
        f"POST /users answered {response.status_code}, not 201 Created: {response.text[:200]}"
    )
    body = response.json()
    assert isinstance(body, dict), f"POST /users answered {body!r}, not a JSON object"
    assert body.get("username") == "ada", f"the answer's username is {body.get('username')!r}"
    assert body.get("email") == "ada@example.com", f"the answer's email is {body.get('email')!r}"
    assert isinstance(body.get("id"), int) and not isinstance(body.get("id"), bool), (
        f"the answer's id is {body.get('id')!r}, not an integer"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The answer must be a UserRead and nothing more: declare response_model=UserRead and let "
    "FastAPI drop the password, instead of returning the stored user as it is."
)
def test_answer_has_exactly_id_username_email(client):
    response = post_user(client, ADA)
    assert response.status_code == 201, f"POST /users answered {response.status_code}"
    keys = set(response.json())
    assert keys == {"id", "username", "email"}, (
        f"POST /users answered the keys {sorted(keys)}, "
        "expected exactly ['email', 'id', 'username']"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint("No response may contain the password, under any key.")
def test_password_is_never_in_the_answer(client):
    response = post_user(client, ADA)
    assert response.status_code == 201, f"POST /users answered {response.status_code}"
    assert "password" not in response.text, "the answer to POST /users mentions 'password'"
    assert ADA["password"] not in response.text, "the answer to POST /users contains the password"


@pytest.mark.task(1)
def test_each_user_gets_its_own_id(client):
    first, second = post_user(client, ADA), post_user(client, GRACE)
    assert (first.status_code, second.status_code) == (201, 201), (
        f"creating two different users answered {first.status_code} and {second.status_code}"
    )
    assert first.json().get("id") != second.json().get("id"), (
        f"two users both got id {first.json().get('id')!r}"
    )


@pytest.mark.task(1)
@pytest.mark.hint("The server assigns ids: ignore a client-sent id (or reject the body with 422).")
def test_client_cannot_choose_the_id(client):
    response = post_user(client, {**ADA, "id": 999})
    assert response.status_code in (201, 422), (
        f"POST /users with an extra id answered {response.status_code}"
    )
    if response.status_code == 201:
        assert response.json().get("id") != 999, "the user got the id the client sent (999)"


@pytest.mark.task(1)
@pytest.mark.parametrize(
    "payload",
    [
        {"username": "ada", "email": "ada@example.com"},
        {"username": "ada", "password": "s3cret-Lovelace!"},
        {"email": "ada@example.com", "password": "s3cret-Lovelace!"},
        {"username": "ada", "email": "not-an-email", "password": "s3cret-Lovelace!"},
    ],
    ids=["no-password", "no-email", "no-username", "bad-email"],
)
@pytest.mark.hint(
    "All three UserCreate fields are required, and email is an EmailStr: FastAPI answers 422 "
    "for a body that does not fit the model."
)
def test_invalid_body_is_422(client, payload):
    response = post_user(client, payload)
    assert response.status_code == 422, (
        f"POST /users with {payload} answered {response.status_code}, not 422"
    )


# --- Task 2 -------------------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_taken_username_is_409(client):
    create_first(client)
    again = post_user(client, {**ADA, "email": "other@example.com", "password": "another-one"})
    assert again.status_code == 409, (
        f"a second POST /users with username 'ada' answered {again.status_code}, not 409"
    )
    assert "another-one" not in again.text, "the 409 answer contains the password that was sent"


@pytest.mark.task(2)
@pytest.mark.hint(
    "Raise HTTPException(status_code=409, detail=...): FastAPI answers {'detail': ...} for it."
)
def test_conflict_answer_has_a_detail(client):
    create_first(client)
    again = post_user(client, {**ADA, "email": "other@example.com"})
    assert again.status_code == 409, (
        f"a second POST with username 'ada' answered {again.status_code}"
    )
    try:
        body = again.json()
    except ValueError:
        body = again.text[:200]
    assert isinstance(body, dict) and "detail" in body, (
        f"the 409 answer is {body!r}: expected FastAPI's usual {{'detail': ...}} body"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Check the username against every stored user, not only the latest: a name stays taken "
    "however many users were created after it."
)
def test_name_stays_taken_after_other_users(client):
    create_first(client)
    create_first(client, GRACE)
    create_first(client, {**ADA, "username": "alan", "email": "alan@example.com"})
    codes = {
        name: post_user(client, {**payload, "email": f"{name}2@example.com"}).status_code
        for name, payload in (("ada", ADA), ("grace", GRACE))
    }
    assert codes == {"ada": 409, "grace": 409}, (
        f"after creating ada, grace and alan, POSTing ada and grace again answered {codes}"
    )


@pytest.mark.task(2)
@pytest.mark.hint("A failed create changes nothing: the name stays taken, other names stay free.")
def test_conflict_stores_nothing_and_stays_409(client):
    create_first(client)
    codes = [post_user(client, {**ADA, "email": f"a{i}@example.com"}).status_code for i in (1, 2)]
    assert codes == [409, 409], f"two more POSTs with username 'ada' answered {codes}"
    other = post_user(client, GRACE)
    assert 200 <= other.status_code < 300, (
        f"a new username after a conflict answered {other.status_code}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Only an exact username match conflicts: 'Ada' and 'ada ' are not 'ada' (no lower(), no "
    "strip())."
)
@pytest.mark.parametrize("name", ["Ada", "ada "], ids=["capitalised", "trailing-space"])
def test_usernames_are_compared_exactly(client, name):
    create_first(client)
    response = post_user(client, {**ADA, "username": name, "email": "ada2@example.com"})
    assert 200 <= response.status_code < 300, (
        f"creating {name!r} after 'ada' answered {response.status_code}"
    )


# --- Task 3 -------------------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_openapi_documents_201_with_userread(openapi_response):
    operation = create_operation(openapi_response)
    responses = operation.get("responses", {})
    assert "201" in responses, f"POST /users documents the responses {sorted(responses)}, not 201"
    schema = responses["201"].get("content", {}).get("application/json", {}).get("schema")
    assert schema_name(schema) == "UserRead", (
        f"the documented 201 response has the schema {schema!r}, not a reference to UserRead"
    )


@pytest.mark.task(3)
@pytest.mark.hint("status_code=201 on the decorator replaces the default documented 200.")
def test_openapi_documents_no_200(openapi_response):
    operation = create_operation(openapi_response)
    responses = operation.get("responses", {})
    assert "200" not in responses, (
        f"POST /users documents a 200 response (all: {sorted(responses)}); it answers 201"
    )


@pytest.mark.task(3)
def test_openapi_request_body_is_usercreate(openapi_response):
    operation = create_operation(openapi_response)
    body = operation.get("requestBody", {})
    schema = body.get("content", {}).get("application/json", {}).get("schema")
    assert schema_name(schema) == "UserCreate", (
        f"POST /users documents the request body {schema!r}, not a reference to UserCreate"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The UserRead model itself must have only id, username and email: excluding the password "
    "at serialization time (response_model_exclude) still shows it to every reader of /docs."
)
def test_userread_schema_lists_only_public_fields(openapi_response):
    schemas = get_openapi(openapi_response).get("components", {}).get("schemas", {})
    name = next((n for n in ("UserRead", "UserRead-Output") if n in schemas), None)
    assert name, f"the OpenAPI components have no UserRead schema (found {sorted(schemas)})"
    properties = set(schemas[name].get("properties", {}))
    assert properties == {"id", "username", "email"}, (
        f"the UserRead schema has the properties {sorted(properties)}, "
        "expected exactly ['email', 'id', 'username']"
    )
