"""Hidden tests for 5.4.3: the OAuth2 client-credentials grant and per-route scopes.

One import of main.py serves every test; each test puts CLIENTS back as it was and puts the
kit's fake clock in place of `get_now` (expiry is tested by moving it). The refusals that would
let a stranger in weigh as much as a whole task each."""

import ast
import hmac
import secrets

import jwt
import pytest

OTHER_KEY = "an-attackers-own-key-which-is-long-enough-0123456789"
READER = ("reporting-job", "WWQmJM2W8Q4o90xh4hykKcGTOK3gBK5n")
ETL = ("etl-pipeline", "CuqrfA5bBd_oDCYRuktgOjPxOYLImjyy")
LOOKALIKE = ("summary-job", "s3cr3t-summary-job-0123456789abcdef")
TTL = 900


@pytest.fixture
def main(learner, overrides, clock):
    main = learner.require(
        "main", "app", "get_now", "CLIENTS", "Client", "hash_secret", "SECRET_KEY"
    )
    saved = dict(main.CLIENTS)
    overrides(main.app, {main.get_now: lambda: clock.now()})
    yield main
    main.CLIENTS.clear()
    main.CLIENTS.update(saved)


@pytest.fixture
def client(main, app_client):
    return app_client(main.app)


def add_client(main, client_id, secret, scopes):
    main.CLIENTS[client_id] = main.Client(client_id, main.hash_secret(secret), frozenset(scopes))


def token_request(client, basic=None, form=None, grant_type="client_credentials", scope=None):
    data = dict(form or {})
    if grant_type is not None:
        data["grant_type"] = grant_type
    if scope is not None:
        data["scope"] = scope
    return client.post("/oauth/token", data=data, auth=basic)


def issue(client, credentials=READER, scope=None):
    """Setup for later tests: the access token of a successful request (any 2xx)."""
    response = token_request(client, basic=credentials, scope=scope)
    assert 200 <= response.status_code < 300, (
        f"POST /oauth/token for {credentials[0]} (Basic, scope={scope!r}) answered "
        f"{response.status_code}: {response.text[:200]}"
    )
    token = response.json().get("access_token")
    assert isinstance(token, str) and token, f"POST /oauth/token answered {response.text[:200]}"
    return token


def error_of(response):
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


def assert_oauth_error(response, status, error, what):
    assert (response.status_code, error_of(response)) == (status, error), (
        f"{what} answered {response.status_code} {response.text[:200]}, not {status} "
        f'{{"error": "{error}"}} (the code at the top level of the JSON)'
    )
    assert "access_token" not in response.text, f"{what} still carried an access_token"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def assert_401(response, what):
    assert response.status_code == 401, (
        f"{what} answered {response.status_code}, not 401: {response.text[:200]}"
    )


def assert_bearer_401(response, what):
    assert response.status_code == 401, (
        f"{what} answered {response.status_code}, not 401: {response.text[:200]}"
    )
    challenge = response.headers.get("www-authenticate", "")
    assert challenge.lower().startswith("bearer"), (
        f"{what} answered 401 with WWW-Authenticate {challenge!r}, not 'Bearer'"
    )


def claims_of(main, token):
    try:
        return jwt.decode(
            token, main.SECRET_KEY, algorithms=["HS256"], options={"verify_exp": False}
        )
    except jwt.PyJWTError as exc:
        pytest.fail(f"the access token is not an HS256 JWT signed with SECRET_KEY: {exc}")


def scopes(value):
    return set(value.split()) if isinstance(value, str) else value


# --- Task 1: client authentication ------------------------------------------------------------


@pytest.mark.task(1)
def test_basic_credentials_get_a_token(client):
    response = token_request(client, basic=READER)
    assert response.status_code == 200, (
        f"POST /oauth/token with reporting-job's Basic credentials answered "
        f"{response.status_code}: {response.text[:200]}"
    )


@pytest.mark.task(1)
def test_form_credentials_get_a_token(client):
    form = {"client_id": READER[0], "client_secret": READER[1]}
    response = token_request(client, form=form)
    assert response.status_code == 200, (
        f"POST /oauth/token with reporting-job's client_id and client_secret in the form "
        f"answered {response.status_code}: {response.text[:200]}"
    )


@pytest.mark.task(1)
@pytest.mark.hint("Look the client up in CLIENTS inside the endpoint, on every request.")
def test_a_client_registered_later_gets_a_token(main, client):
    add_client(main, "nightly-export", "s3cr3t-nightly-export-0123456789abc", {"reports:read"})
    response = token_request(
        client, basic=("nightly-export", "s3cr3t-nightly-export-0123456789abc")
    )
    assert response.status_code == 200, (
        f"a client added to CLIENTS after import got {response.status_code}: {response.text[:200]}"
    )


@pytest.mark.task(1)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Require both a client_id and a secret, look the client up, and refuse with "
    "JSONResponse({'error': 'invalid_client'}, status_code=401, headers={'WWW-Authenticate': "
    "'Basic'}) unless the secret's hash matches: the same answer whatever went wrong."
)
def test_an_unauthenticated_client_gets_invalid_client(main, client):
    refused = {
        "a wrong secret (Basic)": {"basic": (READER[0], "wrong-secret")},
        "a wrong secret (form)": {"form": {"client_id": READER[0], "client_secret": "wrong"}},
        "etl-pipeline's secret for reporting-job": {"basic": (READER[0], ETL[1])},
        "an unknown client": {"basic": ("mallory", READER[1])},
        "a client_id without a secret": {"form": {"client_id": READER[0]}},
        "an empty secret": {"form": {"client_id": READER[0], "client_secret": ""}},
        "no credentials at all": {},
    }
    answers = {}
    for what, request in refused.items():
        response = token_request(client, **request)
        assert_oauth_error(response, 401, "invalid_client", f"POST /oauth/token with {what}")
        answers[what] = (response.text, dict(response.headers))
    assert answers["an unknown client"] == answers["a wrong secret (Basic)"], (
        f"an unknown client got {answers['an unknown client']}, a wrong secret "
        f"{answers['a wrong secret (Basic)']}: the answer tells which client ids exist"
    )
    del main.CLIENTS[READER[0]]
    response = token_request(client, basic=READER)
    assert_oauth_error(response, 401, "invalid_client", "POST /oauth/token for a removed client")


@pytest.mark.task(1)
@pytest.mark.hint(
    "Authenticate the client first: grant_type and scope are read only for an authenticated "
    "client, so without valid credentials every request answers 401 invalid_client, whatever "
    "its grant_type or scope."
)
def test_the_client_is_authenticated_before_the_grant_is_read(client):
    for what, request in (
        ("no credentials and grant_type=password", {"grant_type": "password"}),
        (
            "a wrong secret and grant_type=refresh_token",
            {"basic": (READER[0], "wrong-secret"), "grant_type": "refresh_token"},
        ),
        ("an unknown client and no grant_type", {"basic": ("mallory", "x"), "grant_type": None}),
        (
            "a wrong secret and a scope it does not have",
            {"form": {"client_id": READER[0], "client_secret": "wrong"}, "scope": "admin"},
        ),
    ):
        response = token_request(client, **request)
        assert_oauth_error(response, 401, "invalid_client", f"POST /oauth/token with {what}")


@pytest.mark.task(1)
@pytest.mark.hint(
    "RFC 6749 §5.2: a 401 from the token endpoint carries `WWW-Authenticate: Basic`, so that "
    "the client knows how to authenticate; add it to every invalid_client answer."
)
def test_invalid_client_has_a_basic_challenge(client):
    for what, request in (
        ("a wrong secret", {"basic": (READER[0], "wrong-secret")}),
        ("no credentials", {}),
    ):
        response = token_request(client, **request)
        challenge = response.headers.get("www-authenticate", "")
        assert response.status_code == 401 and challenge.lower().startswith("basic"), (
            f"POST /oauth/token with {what} answered {response.status_code} with "
            f"WWW-Authenticate {challenge!r}, not 401 with 'Basic'"
        )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Before anything else: when a Basic header came and the form also has client_id or "
    "client_secret, answer 400 {'error': 'invalid_request'}."
)
def test_two_authentication_methods_at_once_is_invalid_request(client):
    for what, form in (
        ("etl-pipeline's client_id in the form", {"client_id": ETL[0]}),
        (
            "its own credentials in the form too",
            {"client_id": READER[0], "client_secret": READER[1]},
        ),
        ("a client_secret in the form", {"client_secret": READER[1]}),
    ):
        response = token_request(client, basic=READER, form=form)
        assert_oauth_error(response, 400, "invalid_request", f"Basic for reporting-job and {what}")


@pytest.fixture
def digest_calls(main, monkeypatch):
    """Every call of compare_digest, however main.py reaches it."""
    original = hmac.compare_digest
    calls = []

    def recording(a, b):
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(secrets, "compare_digest", recording)
    monkeypatch.setattr(hmac, "compare_digest", recording)
    for name, value in list(vars(main).items()):
        if value is original:
            monkeypatch.setattr(main, name, recording)
    return calls


def calls_compare_digest(source: str) -> bool:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name == "compare_digest":
                return True
    return False


@pytest.mark.task(1)
@pytest.mark.points(8)
@pytest.mark.hint(
    "`secrets.compare_digest(hash_secret(given), client.secret_hash)` takes the same time "
    "wherever the strings differ; `==` stops at the first different character, which an "
    "attacker can time."
)
def test_the_secret_is_compared_with_compare_digest(client, learner, digest_calls):
    assert calls_compare_digest(learner.source("main.py")), "main.py never calls compare_digest"
    response = token_request(client, basic=(READER[0], "wrong-secret"))
    assert response.status_code == 401, f"a wrong secret answered {response.status_code}"
    assert digest_calls, "checking a wrong secret never called compare_digest"
    digest_calls.clear()
    response = token_request(client, basic=READER)
    assert response.status_code == 200, f"the right secret answered {response.status_code}"
    assert digest_calls, "checking the right secret never called compare_digest"


# --- Task 2: the grant, the scopes and the token -------------------------------------------


@pytest.mark.task(2)
@pytest.mark.hint(
    "Declare grant_type as an optional Form field (default None), so that a missing one "
    "reaches your code and gets {'error': 'invalid_request'} instead of FastAPI's 422."
)
def test_a_missing_grant_type_is_invalid_request(client):
    response = token_request(client, basic=READER, grant_type=None)
    assert_oauth_error(response, 400, "invalid_request", "POST /oauth/token without grant_type")


@pytest.mark.task(2)
def test_other_grant_types_are_unsupported(client):
    for grant_type in ("password", "refresh_token", "authorization_code", "CLIENT_CREDENTIALS"):
        response = token_request(client, basic=READER, grant_type=grant_type)
        assert_oauth_error(response, 400, "unsupported_grant_type", f"grant_type={grant_type}")


@pytest.mark.task(2)
@pytest.mark.points(8)
@pytest.mark.hint(
    "`requested = scope.split()`; when `not set(requested) <= client.scopes`, answer 400 "
    "{'error': 'invalid_scope'} and issue nothing."
)
def test_a_scope_the_client_does_not_have_is_invalid_scope(client):
    for asked in ("reports:write", "reports:read reports:write", "admin"):
        response = token_request(client, basic=READER, scope=asked)
        assert_oauth_error(
            response, 400, "invalid_scope", f"reporting-job asking for scope {asked!r}"
        )


@pytest.mark.task(2)
def test_asked_scopes_narrow_the_token_and_none_asked_gets_all(client):
    narrowed = token_request(client, basic=ETL, scope="reports:read").json()
    assert scopes(narrowed.get("scope")) == {"reports:read"}, (
        f"etl-pipeline asked for 'reports:read' and got {narrowed!r}"
    )
    full = token_request(client, basic=ETL).json()
    assert scopes(full.get("scope")) == {"reports:read", "reports:write"}, (
        f"etl-pipeline asked for no scope and got {full!r}, not all of its scopes"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Return `JSONResponse(body, headers={'Cache-Control': 'no-store'})` with the four keys; "
    "the client-credentials grant issues no refresh_token."
)
def test_the_token_response(client):
    response = token_request(client, basic=READER)
    assert response.status_code == 200, f"POST /oauth/token answered {response.status_code}"
    body = response.json()
    seen = {key: body.get(key) for key in ("token_type", "expires_in", "scope")}
    assert seen == {"token_type": "bearer", "expires_in": TTL, "scope": "reports:read"}, (
        f"POST /oauth/token answered {body!r}"
    )
    assert isinstance(body.get("access_token"), str), f"POST /oauth/token answered {body!r}"
    assert "refresh_token" not in body, f"the answer holds a refresh_token: {body!r}"
    cache = response.headers.get("cache-control", "")
    assert "no-store" in cache.lower(), (
        f"the token answer's Cache-Control is {cache!r}, not 'no-store'"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`jwt.encode({'sub': client.client_id, 'scope': granted, 'exp': now + "
    "timedelta(seconds=EXPIRES_IN)}, SECRET_KEY, algorithm=ALGORITHM)`, with now from "
    "`Depends(get_now)`."
)
def test_the_token_carries_sub_scope_and_exp(main, client, clock):
    clock.advance(321)
    claims = claims_of(main, issue(client, ETL, scope="reports:write"))
    assert claims.get("sub") == "etl-pipeline", f"the token's sub is {claims.get('sub')!r}"
    assert claims.get("scope") == "reports:write", (
        f"the token's scope claim is {claims.get('scope')!r}, not 'reports:write'"
    )
    expected = int(clock.time()) + TTL
    assert claims.get("exp") == expected, (
        f"the token's exp is {claims.get('exp')!r}; the fake clock's now plus 900 s is {expected}"
    )


# --- Task 3: routes that require a scope ---------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_each_route_answers_a_token_with_its_scope(main, client):
    response = client.get("/reports", headers=bearer(issue(client, READER)))
    assert response.status_code == 200, (
        f"GET /reports with a reports:read token answered {response.status_code}: "
        f"{response.text[:200]}"
    )
    expected = {"client_id": "reporting-job", "reports": list(main.REPORTS)}
    assert response.json() == expected, f"GET /reports answered {response.json()!r}"
    response = client.post("/reports", headers=bearer(issue(client, ETL)))
    assert response.status_code == 201, (
        f"POST /reports with a reports:write token answered {response.status_code}: "
        f"{response.text[:200]}"
    )
    assert response.json() == {"client_id": "etl-pipeline"}, (
        f"POST /reports answered {response.json()!r}"
    )


@pytest.mark.task(3)
def test_no_token_is_401(client):
    assert_bearer_401(client.get("/reports"), "GET /reports without a token")
    assert_bearer_401(client.post("/reports"), "POST /reports without a token")


@pytest.mark.task(3)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Declare the route's scope with `Security(get_client, scopes=['reports:write'])` and, in "
    "get_client, answer 403 when a scope of `security_scopes.scopes` is not among the token's "
    "scopes (`claims['scope'].split()`: whole scopes, not substrings of the claim), with "
    '`WWW-Authenticate: Bearer error="insufficient_scope"`.'
)
def test_a_token_without_the_routes_scope_is_403(main, client):
    # scopes that hold the routes' scopes as substrings, but are other scopes
    add_client(main, *LOOKALIKE, {"reports:read-summary", "reports:write-draft"})
    for what, method, token in (
        ("reporting-job's reports:read token", "post", issue(client, READER)),
        (
            "etl-pipeline's token narrowed to reports:read",
            "post",
            issue(client, ETL, "reports:read"),
        ),
        (
            "etl-pipeline's token narrowed to reports:write",
            "get",
            issue(client, ETL, "reports:write"),
        ),
        (
            "a token whose scope is 'reports:read-summary reports:write-draft'",
            "get",
            issue(client, LOOKALIKE),
        ),
        (
            "a token whose scope is 'reports:read-summary reports:write-draft'",
            "post",
            issue(client, LOOKALIKE),
        ),
    ):
        response = client.request(method.upper(), "/reports", headers=bearer(token))
        where = f"{method.upper()} /reports with {what}"
        assert response.status_code == 403, (
            f"{where} answered {response.status_code}, not 403: {response.text[:200]}"
        )


@pytest.mark.task(3)
@pytest.mark.hint(
    "RFC 6750 §3.1: answer a missing scope with "
    "`headers={'WWW-Authenticate': f'Bearer error=\"insufficient_scope\", "
    'scope="{security_scopes.scope_str}"\'}`, and a bad token with `Bearer`.'
)
def test_refusals_carry_a_bearer_challenge(main, client, clock):
    response = client.post("/reports", headers=bearer(issue(client, READER)))
    challenge = response.headers.get("www-authenticate", "")
    assert response.status_code == 403 and challenge.lower().startswith("bearer"), (
        f"POST /reports with a reports:read token answered {response.status_code} with "
        f"WWW-Authenticate {challenge!r}"
    )
    assert "insufficient_scope" in challenge, (
        f"the 403 for a missing scope has WWW-Authenticate {challenge!r}, without "
        'error="insufficient_scope"'
    )
    token = issue(client, READER)
    forged = jwt.encode({"sub": READER[0], "exp": 2**31}, OTHER_KEY, algorithm="HS256")
    clock.advance(TTL)
    for what, refused in (("an expired token", token), ("a forged token", forged)):
        assert_bearer_401(
            client.get("/reports", headers=bearer(refused)), f"GET /reports with {what}"
        )


@pytest.mark.task(3)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Decode with `options={'verify_exp': False}` and refuse when `now.timestamp() >= exp`, "
    "with now from `Depends(get_now)`: PyJWT's own check reads the machine's clock."
)
def test_an_expired_token_is_401(client, clock):
    token = issue(client, READER)
    clock.advance(TTL - 1)
    response = client.get("/reports", headers=bearer(token))
    assert response.status_code == 200, (
        f"GET /reports one second before the token expires answered {response.status_code}: "
        f"{response.text[:200]}"
    )
    clock.advance(1)
    assert_401(client.get("/reports", headers=bearer(token)), "a token at its exp")


@pytest.mark.task(3)
@pytest.mark.points(8)
@pytest.mark.hint(
    "`jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM], ...)` inside "
    "`try/except jwt.InvalidTokenError`: the scope claim is only believable when the signature "
    "checks."
)
def test_a_forged_token_is_401(main, client, clock):
    genuine = issue(client, READER)
    header, _, signature = genuine.split(".")
    claims = {**claims_of(main, genuine), "scope": "reports:read reports:write"}
    tampered = jwt.encode(claims, OTHER_KEY, algorithm="HS256").split(".")[1]
    for what, token in (
        ("a token signed with another key", jwt.encode(claims, OTHER_KEY, algorithm="HS256")),
        ('an unsigned token ("alg": "none")', jwt.encode(claims, None, algorithm="none")),
        ("a token whose scope was changed after signing", f"{header}.{tampered}.{signature}"),
    ):
        assert_401(client.post("/reports", headers=bearer(token)), f"POST /reports with {what}")


@pytest.mark.task(3)
@pytest.mark.points(8)
@pytest.mark.hint(
    "After decoding, look `claims['sub']` up in CLIENTS on every request and answer 401 when "
    "the client is gone."
)
def test_the_token_of_a_removed_client_is_401(main, client):
    token = issue(client, READER)
    assert client.get("/reports", headers=bearer(token)).status_code == 200, (
        "reporting-job's fresh token was refused"
    )
    del main.CLIENTS[READER[0]]
    assert_401(
        client.get("/reports", headers=bearer(token)), "GET /reports with a removed client's token"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Catch `jwt.InvalidTokenError` and require the claims you read "
    "(`options={'require': ['sub', 'exp'], ...}`): a bad token is a 401, never a 500."
)
def test_malformed_tokens_are_401(main, client, clock):
    exp = int(clock.time()) + TTL
    for what, token in (
        ("abc", "abc"),
        (
            "a token without exp",
            jwt.encode({"sub": READER[0], "scope": "reports:read"}, main.SECRET_KEY),
        ),
        ("a token without sub", jwt.encode({"exp": exp, "scope": "reports:read"}, main.SECRET_KEY)),
        (
            "a numeric sub",
            jwt.encode({"sub": 7, "exp": exp, "scope": "reports:read"}, main.SECRET_KEY),
        ),
    ):
        assert_bearer_401(
            client.get("/reports", headers=bearer(token)), f"GET /reports with {what}"
        )
