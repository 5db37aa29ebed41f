"""Hidden tests for 9.3.1: AuthError and its subclasses carry status_code, code and message; one
handler registered on AuthError answers {"error": {"code", "message"}} with a WWW-Authenticate
header per RFC 6750; other exceptions stay 500; the token presented never shows in an answer.

Routes added by the tests raise the learner's exceptions (and subclasses the tests define), so
only a handler registered on the app for the base class answers them."""

import pytest

SECRET = "s3cret-token-9f2c1d"
LEAKED = "database password is hunter2-7741"


@pytest.fixture
def errors(learner):
    return learner.require("errors", "AuthError", "TokenExpired", "InsufficientScope")


@pytest.fixture
def main(learner, errors):
    return learner.require("main", "app")


@pytest.fixture
def client(main, errors, app_client):
    """main.app with the tests' routes added (removed afterwards)."""
    app = main.app
    before = list(app.router.routes)

    class CustomAuth(errors.AuthError):
        status_code = 401
        code = "custom_code"
        message = "custom message"

    class CustomScope(errors.InsufficientScope):
        code = "custom_scope"

    def raiser(exc):
        def endpoint():
            raise exc

        return endpoint

    app.add_api_route("/_t/auth", raiser(errors.AuthError()))
    app.add_api_route("/_t/auth-message", raiser(errors.AuthError("Sign in again, please")))
    app.add_api_route("/_t/expired", raiser(errors.TokenExpired()))
    app.add_api_route("/_t/scope", raiser(errors.InsufficientScope()))
    app.add_api_route("/_t/custom", raiser(CustomAuth()))
    app.add_api_route("/_t/custom-scope", raiser(CustomScope()))
    app.add_api_route("/_t/value", raiser(ValueError(LEAKED)))
    app.add_api_route("/_t/key", raiser(KeyError(LEAKED)))
    try:
        yield app_client(app)
    finally:
        app.router.routes[:] = before


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def error_body(response, path):
    try:
        body = response.json()
    except ValueError:
        pytest.fail(f"{path} answered {response.status_code} with a body that is not JSON")
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), (
        f'{path} answered {body!r}, not {{"error": {{"code": ..., "message": ...}}}}'
    )
    assert set(body["error"]) == {"code", "message"}, (
        f'{path}: "error" holds the keys {sorted(body["error"])}, not exactly code and message'
    )
    return body["error"]


# Task 1: the exception classes


@pytest.mark.task(1)
def test_auth_error_is_an_exception_with_401_and_code(errors):
    exc = errors.AuthError()
    assert isinstance(exc, Exception), "AuthError() is not an Exception"
    assert exc.status_code == 401, f"AuthError().status_code is {exc.status_code!r}, not 401"
    assert exc.code == "invalid_token", f"AuthError().code is {exc.code!r}, not 'invalid_token'"
    assert isinstance(exc.message, str) and exc.message, (
        f"AuthError().message is {exc.message!r}, not a non-empty default message"
    )


@pytest.mark.task(1)
def test_subclasses_have_their_status_and_code(errors):
    assert issubclass(errors.TokenExpired, errors.AuthError), "TokenExpired is not an AuthError"
    assert issubclass(errors.InsufficientScope, errors.AuthError), (
        "InsufficientScope is not an AuthError"
    )
    expired, scope = errors.TokenExpired(), errors.InsufficientScope()
    observed = {
        "TokenExpired": (expired.status_code, expired.code),
        "InsufficientScope": (scope.status_code, scope.code),
    }
    assert observed == {
        "TokenExpired": (401, "token_expired"),
        "InsufficientScope": (403, "insufficient_scope"),
    }, f"(status_code, code) of the subclasses are {observed}"
    base = errors.AuthError().message
    for exc in (expired, scope):
        assert isinstance(exc.message, str) and exc.message, (
            f"{type(exc).__name__}().message is {exc.message!r}, not a non-empty default"
        )
        assert exc.message != base, (
            f"{type(exc).__name__}().message is AuthError's default {base!r}, not a default "
            "message of its own"
        )

    class Locked(errors.AuthError):
        message = "This account is locked"

    assert Locked().message == "This account is locked", (
        'a subclass of AuthError that sets message = "This account is locked" has the default '
        f"message {Locked().message!r}: the class attribute of the subclass is hidden"
    )


@pytest.mark.task(1)
def test_message_given_to_the_constructor_replaces_the_default(errors):
    for cls in (errors.AuthError, errors.TokenExpired, errors.InsufficientScope):
        exc = cls("Please sign in again")
        assert exc.message == "Please sign in again", (
            f'{cls.__name__}("Please sign in again").message is {exc.message!r}'
        )
    default = errors.AuthError().message
    errors.AuthError("another message")
    assert errors.AuthError().message == default, (
        "after AuthError('another message'), AuthError().message changed to "
        f"{errors.AuthError().message!r}"
    )


# Task 2: one handler for every AuthError


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "path, status, code, error",
    [
        ("/_t/auth", 401, "invalid_token", "invalid_token"),
        ("/_t/expired", 401, "token_expired", "invalid_token"),
        ("/_t/scope", 403, "insufficient_scope", "insufficient_scope"),
    ],
)
def test_each_class_maps_to_its_answer(client, errors, path, status, code, error):
    response = client.get(path)
    assert response.status_code == status, f"{path} answered {response.status_code}, not {status}"
    body = error_body(response, path)
    assert body["code"] == code, f"{path}: error.code is {body['code']!r}, not {code!r}"
    cls = {
        "/_t/auth": errors.AuthError,
        "/_t/expired": errors.TokenExpired,
        "/_t/scope": errors.InsufficientScope,
    }[path]
    assert body["message"] == cls().message, (
        f"{path}: error.message is {body['message']!r}, not the exception's message "
        f"{cls().message!r}"
    )
    header = response.headers.get("www-authenticate")
    assert header == f'Bearer error="{error}"', (
        f"{path}: WWW-Authenticate is {header!r}, not 'Bearer error=\"{error}\"'"
    )


@pytest.mark.task(2)
def test_answer_uses_the_message_of_the_raised_exception(client):
    response = client.get("/_t/auth-message")
    body = error_body(response, "/_t/auth-message")
    assert body["message"] == "Sign in again, please", (
        f"AuthError('Sign in again, please') answered the message {body['message']!r}"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "path, status, code, error",
    [
        ("/_t/custom", 401, "custom_code", "invalid_token"),
        ("/_t/custom-scope", 403, "custom_scope", "insufficient_scope"),
    ],
)
def test_handler_on_the_base_class_catches_new_subclasses(
    client, errors, path, status, code, error
):
    response = client.get(path)
    assert response.status_code == status, (
        f"a new subclass of AuthError (code {code!r}) answered {response.status_code}, not {status}"
    )
    body = error_body(response, path)
    assert body["code"] == code, f"a new subclass answered error.code {body['code']!r}"
    # CustomAuth sets its own message; CustomScope inherits InsufficientScope's
    default = "custom message" if status == 401 else errors.InsufficientScope().message
    assert body["message"] == default, (
        f"a new subclass (code {code!r}) raised with no message answered error.message "
        f"{body['message']!r}, not its default {default!r}"
    )
    header = response.headers.get("www-authenticate")
    assert header == f'Bearer error="{error}"', (
        f"a new subclass answered WWW-Authenticate {header!r}, not 'Bearer error=\"{error}\"'"
    )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.parametrize("path", ["/_t/value", "/_t/key"])
def test_other_exceptions_stay_500_without_their_message(client, path):
    response = client.get(path)
    assert response.status_code == 500, (
        f"a route raising {path[4:]} error answered {response.status_code}, not 500"
    )
    assert "hunter2" not in response.text, (
        "the 500 answer repeats the exception's message: " + response.text[:200]
    )
    assert "www-authenticate" not in response.headers, (
        "the 500 answer carries a WWW-Authenticate header"
    )


# Task 3: the routes raise the right error


@pytest.mark.task(3)
def test_valid_token_reads_me(client):
    response = client.get("/me", headers=bearer("alice-read"))
    assert response.status_code == 200, f"GET /me with alice-read answered {response.status_code}"
    assert response.json() == {"user": "alice"}, f"GET /me answered {response.json()!r}"


@pytest.mark.task(3)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nobody-knows"},
        {"Authorization": "Basic YWxpY2U6cHc="},
        {"Authorization": "Basic root-admin"},
        {"Authorization": "Token alice-read"},
    ],
)
def test_missing_or_unknown_token_is_invalid_token(client, headers):
    response = client.get("/me", headers=headers)
    assert response.status_code == 401, (
        f"GET /me with headers {headers} answered {response.status_code}, not 401"
    )
    body = error_body(response, "/me")
    assert body["code"] == "invalid_token", f"GET /me answered error.code {body['code']!r}"


@pytest.mark.task(3)
def test_expired_token_is_token_expired(client):
    response = client.get("/me", headers=bearer("bob-old"))
    assert response.status_code == 401, f"an expired token answered {response.status_code}"
    body = error_body(response, "/me")
    assert body["code"] == "token_expired", f"an expired token answered code {body['code']!r}"


@pytest.mark.task(3)
def test_admin_needs_the_admin_scope(client):
    response = client.get("/admin", headers=bearer("alice-read"))
    assert response.status_code == 403, (
        f"GET /admin with a token without the admin scope answered {response.status_code}"
    )
    assert error_body(response, "/admin")["code"] == "insufficient_scope", response.text
    header = response.headers.get("www-authenticate")
    assert header == 'Bearer error="insufficient_scope"', f"WWW-Authenticate is {header!r}"
    ok = client.get("/admin", headers=bearer("root-admin"))
    assert ok.status_code == 200, f"GET /admin with root-admin answered {ok.status_code}"
    assert ok.json().get("user") == "root", f"GET /admin with root-admin answered {ok.json()!r}"
    expired = client.get("/admin", headers=bearer("bob-old"))
    assert expired.status_code == 401, (
        f"GET /admin with an expired admin token answered {expired.status_code}, not 401"
    )


@pytest.mark.task(3)
def test_admin_checks_expiry_before_the_scope(client, main):
    main.TOKENS["carol-old"] = {"user": "carol", "scopes": ["read"], "expired": True}
    try:
        response = client.get("/admin", headers=bearer("carol-old"))
    finally:
        del main.TOKENS["carol-old"]
    assert response.status_code == 401, (
        f"GET /admin with an expired token without the admin scope answered "
        f"{response.status_code}, not 401: the token checks come before the scope check"
    )
    body = error_body(response, "/admin")
    assert body["code"] == "token_expired", (
        f"GET /admin with an expired token without the admin scope answered code {body['code']!r}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_token_presented_never_appears_in_the_answer(client, main):
    main.TOKENS[SECRET] = {"user": "eve", "scopes": ["read"], "expired": True}
    try:
        answers = [
            client.get("/me", headers=bearer("unknown-" + SECRET)),
            client.get("/me", headers=bearer(SECRET)),
            client.get("/admin", headers=bearer(SECRET)),
        ]
    finally:
        del main.TOKENS[SECRET]
    for response in answers:
        shown = response.text + " ".join(response.headers.values())
        assert SECRET not in shown, (
            f"an answer {response.status_code} repeats the token presented: {shown[:200]}"
        )
