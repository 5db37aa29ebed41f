"""Hidden tests for 5.4.2: opaque tokens and JWTs from one OAuth2 password flow, with
introspection and revocation.

One import of main.py and one client serve every test (no test depends on what earlier tests
stored: each uses its own fresh tokens), and each test puts the kit's fake clock in place of
`get_now`; expiry is tested by moving it. The refusals that would let a stranger in weigh as
much as a whole task each."""

import ast
import re

import jwt
import pytest

from grader import testing

OTHER_KEY = "an-attackers-own-key-which-is-long-enough-0123456789"
ALICE = ("alice", "wonderland")
BOB = ("bob", "builder")
ALICE_SCOPES = {"profile", "orders:read"}
TTL = 600
URLSAFE = re.compile(r"^[A-Za-z0-9_-]+$")


@pytest.fixture
def main(learner, overrides, clock):
    main = learner.require("main", "app", "get_now", "TOKENS", "SECRET_KEY")

    async def now():  # async: FastAPI calls it on the event loop, not through a worker thread
        return clock.now()

    overrides(main.app, {main.get_now: now})
    return main


@pytest.fixture(scope="module")
def module_client(learner):
    """One client for the module (all tests share one import of main.py), its requests on
    one event loop."""
    main = learner.require("main", "app", "get_now", "TOKENS", "SECRET_KEY")
    with testing.looped_client(main.app) as client:
        yield client


@pytest.fixture
def client(main, module_client):
    return module_client


def login(client, user=ALICE, format=None, scope=None):
    data = {"username": user[0], "password": user[1]}
    if scope is not None:
        data["scope"] = scope
    params = {"format": format} if format else {}
    return client.post("/token", data=data, params=params)


def issue(client, format="opaque", user=ALICE, scope=None):
    """Setup for later tests: the access token of a successful login (any 2xx)."""
    response = login(client, user, format if format != "opaque" else None, scope)
    assert 200 <= response.status_code < 300, (
        f"POST /token (format={format}) for {user[0]} answered {response.status_code}: "
        f"{response.text[:200]}"
    )
    token = response.json().get("access_token")
    assert isinstance(token, str) and token, f"POST /token answered {response.text[:200]}"
    return token


def claims_of(main, token):
    try:
        return jwt.decode(
            token, main.SECRET_KEY, algorithms=["HS256"], options={"verify_exp": False}
        )
    except jwt.PyJWTError as exc:
        pytest.fail(f"the format=jwt token is not an HS256 JWT signed with SECRET_KEY: {exc}")


def me(client, token):
    return client.get("/me", headers={"Authorization": f"Bearer {token}"})


def introspect(client, token):
    response = client.post("/introspect", data={"token": token})
    assert response.status_code == 200, (
        f"POST /introspect answered {response.status_code}: {response.text[:200]}"
    )
    return response.json()


def revoke(client, token):
    return client.post("/revoke", data={"token": token})


def scopes(value):
    return set(value.split()) if isinstance(value, str) else value


def assert_refused(client, token, what):
    """/me answers 401, and /introspect says only that the token is inactive."""
    response = me(client, token)
    assert response.status_code == 401, (
        f"GET /me with {what} answered {response.status_code}, not 401: {response.text[:200]}"
    )
    answer = introspect(client, token)
    assert answer == {"active": False}, (
        f'POST /introspect with {what} answered {answer!r}, not {{"active": false}}'
    )


def assert_works(client, token, what, sub="alice"):
    response = me(client, token)
    assert response.status_code == 200, (
        f"GET /me with {what} answered {response.status_code}: {response.text[:200]}"
    )
    assert response.json().get("sub") == sub, f"GET /me with {what} answered {response.json()!r}"


def calls_token_urlsafe(source: str) -> bool:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "token_urlsafe":
                if isinstance(func.value, ast.Name) and func.value.id == "secrets":
                    return True
            if isinstance(func, ast.Name) and func.id == "token_urlsafe":
                return True
    return False


# --- Task 1: POST /token -------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.parametrize("format", ["opaque", "jwt"])
def test_login_answers_the_token_and_its_grant(client, format):
    response = login(client, ALICE, format if format == "jwt" else None)
    assert response.status_code == 200, (
        f"POST /token (format={format}) answered {response.status_code}: {response.text[:200]}"
    )
    body = response.json()
    seen = {key: body.get(key) for key in ("token_type", "expires_in")}
    assert seen == {"token_type": "bearer", "expires_in": TTL}, (
        f"POST /token (format={format}) answered {body!r}"
    )
    assert isinstance(body.get("access_token"), str), f"POST /token answered {body!r}"
    assert scopes(body.get("scope")) == ALICE_SCOPES, (
        f"alice asked for no scope and got scope {body.get('scope')!r}, not all of hers"
    )


@pytest.mark.task(1)
@pytest.mark.points(8)
@pytest.mark.hint(
    "`secrets.token_urlsafe(32)` gives 43 URL-safe characters from the OS's secure random "
    "source; uuid4().hex, random.choices or a counter are shorter or predictable."
)
def test_an_opaque_token_is_random_and_not_a_jwt(main, client, learner):
    tokens = [issue(client) for _ in range(5)]
    for token in tokens:
        assert token.count(".") != 2, f"the default (opaque) token {token[:60]!r} looks like a JWT"
        assert len(token) >= 43 and URLSAFE.match(token), (
            f"the opaque token {token!r} is not 43 or more URL-safe characters"
        )
    assert len(set(tokens)) == 5, f"five logins got the opaque tokens {tokens}"
    assert calls_token_urlsafe(learner.source("main.py")), (
        "main.py never calls secrets.token_urlsafe"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`jwt.encode({'sub': ..., 'scope': ..., 'exp': ..., 'jti': secrets.token_urlsafe(16)}, "
    "SECRET_KEY, algorithm=ALGORITHM)`, with exp taken from the injected now plus EXPIRES_IN."
)
def test_a_jwt_carries_sub_scope_exp_and_a_fresh_jti(main, client, clock):
    clock.advance(77)
    first, second = issue(client, "jwt"), issue(client, "jwt")
    claims = claims_of(main, first)
    assert claims.get("sub") == "alice", f"the JWT's sub is {claims.get('sub')!r}"
    assert isinstance(claims.get("scope"), str) and scopes(claims["scope"]) == ALICE_SCOPES, (
        f"the JWT's scope is {claims.get('scope')!r}, not alice's scopes as one string"
    )
    expected = int(clock.time()) + TTL
    assert claims.get("exp") == expected, (
        f"the JWT's exp is {claims.get('exp')!r}; the fake clock's now plus 600 s is {expected}"
    )
    jtis = (claims.get("jti"), claims_of(main, second).get("jti"))
    assert all(isinstance(j, str) and j for j in jtis) and jtis[0] != jtis[1], (
        f"two JWTs have the jti {jtis}: a jti is a string, different for every token"
    )


@pytest.mark.task(1)
def test_an_unknown_format_is_422(client):
    response = login(client, ALICE, "xml")
    assert response.status_code == 422, (
        f"POST /token?format=xml answered {response.status_code}, not 422"
    )


@pytest.mark.task(1)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Call `authenticate(form.username, form.password)` and raise "
    "`HTTPException(401, ..., headers={'WWW-Authenticate': 'Bearer'})` when it answers None, "
    "before issuing anything."
)
def test_a_wrong_password_gets_no_token(main, client):
    stored = len(main.TOKENS)
    for format in ("opaque", "jwt"):
        for user in (("alice", "wrong"), ("alice", "builder"), ("mallory", "wonderland")):
            response = login(client, user, format)
            assert response.status_code == 401, (
                f"POST /token?format={format} for {user[0]} with the password {user[1]!r} "
                f"answered {response.status_code}, not 401"
            )
            assert response.headers.get("www-authenticate", "").lower().startswith("bearer"), (
                f"the refused login answered WWW-Authenticate "
                f"{response.headers.get('www-authenticate')!r}, not 'Bearer'"
            )
            assert "access_token" not in response.text, "the refused login carried a token"
    added = len(main.TOKENS) - stored
    assert added == 0, f"refused logins left {added} token(s) in TOKENS"


@pytest.mark.task(1)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Grant `set(form.scopes) & user.scopes` (all of `user.scopes` when form.scopes is empty): "
    "copying the asked scopes gives anyone any scope they name."
)
def test_a_scope_the_user_does_not_hold_is_not_granted(main, client):
    for format in ("opaque", "jwt"):
        for user, asked, granted in (
            (ALICE, "orders:read admin", {"orders:read"}),
            (BOB, "profile orders:read", {"profile"}),
            (BOB, "admin", set()),
        ):
            response = login(client, user, format, asked)
            assert response.status_code == 200, (
                f"POST /token?format={format} for {user[0]} asking {asked!r} answered "
                f"{response.status_code}: {response.text[:200]}"
            )
            body = response.json()
            where = f"{user[0]} asked for {asked!r} (format={format})"
            assert scopes(body.get("scope")) == granted, (
                f"{where} and the answer grants {body.get('scope')!r}"
            )
            token = body["access_token"]
            answer = introspect(client, token)
            assert scopes(answer.get("scope")) == granted, (
                f"{where}; /introspect says the token's scope is {answer.get('scope')!r}"
            )
            carried = me(client, token).json().get("scope")
            assert scopes(carried) == granted, f"{where}; GET /me says the scope is {carried!r}"


@pytest.mark.task(1)
def test_asked_scopes_narrow_the_token(client):
    body = login(client, ALICE, None, "profile").json()
    assert scopes(body.get("scope")) == {"profile"}, (
        f"alice asked for 'profile' only and got scope {body.get('scope')!r}"
    )


# --- Task 2: GET /me ---------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_both_kinds_work_at_me(client):
    for format in ("opaque", "jwt"):
        for user, granted in ((ALICE, ALICE_SCOPES), (BOB, {"profile"})):
            response = me(client, issue(client, format, user))
            assert response.status_code == 200, (
                f"GET /me with {user[0]}'s {format} token answered {response.status_code}: "
                f"{response.text[:200]}"
            )
            body = response.json()
            assert body.get("sub") == user[0] and scopes(body.get("scope")) == granted, (
                f"GET /me with {user[0]}'s {format} token answered {body!r}"
            )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_no_token_or_an_unknown_one_is_401(client):
    response = client.get("/me")
    assert response.status_code == 401, f"GET /me without a token answered {response.status_code}"
    assert response.headers.get("www-authenticate", "").lower().startswith("bearer"), (
        "GET /me without a token answered no 'WWW-Authenticate: Bearer'"
    )
    issue(client)
    assert_refused(client, "x" * 43, "a token this server never issued")
    assert_refused(client, "abc.def.ghi", "a string shaped like a JWT")


@pytest.mark.task(2)
@pytest.mark.hint(
    "Raise every refusal as `HTTPException(401, ..., headers={'WWW-Authenticate': 'Bearer'})`."
)
def test_a_refused_token_has_a_bearer_challenge(client, clock):
    revoked, expired = issue(client), issue(client, "jwt")
    revoke(client, revoked)
    forged = jwt.encode({"sub": "alice", "exp": 2**31, "jti": "x"}, OTHER_KEY, algorithm="HS256")
    refused = {"a revoked token": revoked, "a forged JWT": forged, "an unknown token": "x" * 43}
    clock.advance(TTL)
    refused["an expired JWT"] = expired
    for what, token in refused.items():
        response = me(client, token)
        challenge = response.headers.get("www-authenticate", "")
        assert response.status_code == 401 and challenge.lower().startswith("bearer"), (
            f"GET /me with {what} answered {response.status_code} with WWW-Authenticate "
            f"{challenge!r}, not 401 with 'Bearer'"
        )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "An opaque token is only a key into TOKENS; a JWT carries its own claims and needs only "
    "the key to check. Look a token up in TOKENS, and decode it as a JWT when it is not there."
)
def test_emptying_tokens_ends_opaque_tokens_but_not_jwts(main, client):
    opaque, signed = issue(client), issue(client, "jwt")
    main.TOKENS.clear()
    assert_refused(client, opaque, "an opaque token after TOKENS was emptied")
    assert_works(client, signed, "a JWT after TOKENS was emptied")
    assert introspect(client, signed).get("active") is True, (
        "POST /introspect says a JWT is inactive once TOKENS is empty"
    )


@pytest.mark.task(2)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Refuse when `now.timestamp() >= exp`, with now from `Depends(get_now)`, for both kinds: "
    "an opaque token's expiry is in its TOKENS entry, a JWT's in its exp claim (decode with "
    "verify_exp False, since PyJWT's check reads the machine's clock)."
)
def test_an_expired_token_is_refused(client, clock):
    tokens = {format: issue(client, format) for format in ("opaque", "jwt")}
    clock.advance(TTL - 1)
    for format, token in tokens.items():
        assert_works(client, token, f"a {format} token one second before it expires")
        answer = introspect(client, token)
        assert answer.get("active") is True, (
            f"POST /introspect one second before the {format} token expires answered {answer!r}"
        )
    clock.advance(1)
    for format, token in tokens.items():
        assert_refused(client, token, f"a {format} token at its expiry")


@pytest.mark.task(2)
@pytest.mark.points(8)
@pytest.mark.hint(
    "`jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM], ...)` inside "
    "`try/except jwt.InvalidTokenError`: never `verify_signature: False`, never the "
    "algorithm the token names."
)
def test_a_forged_jwt_is_refused(main, client, clock):
    genuine = issue(client, "jwt", BOB)
    header, payload, signature = genuine.split(".")
    claims = {
        **claims_of(main, genuine),
        "sub": "alice",
        "scope": "profile orders:read admin",
    }
    tampered = jwt.encode(claims, OTHER_KEY, algorithm="HS256").split(".")[1]
    forged = {
        "a JWT signed with another key": jwt.encode(claims, OTHER_KEY, algorithm="HS256"),
        'an unsigned JWT ("alg": "none")': jwt.encode(claims, None, algorithm="none"),
        "bob's JWT with alice's claims and bob's signature": f"{header}.{tampered}.{signature}",
    }
    for what, token in forged.items():
        assert_refused(client, token, what)


# --- Task 3: introspection and revocation ----------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_introspect_describes_an_active_token(client, clock):
    clock.advance(5)
    for format in ("opaque", "jwt"):
        token = issue(client, format)
        answer = introspect(client, token)
        expected = {"active": True, "sub": "alice", "exp": int(clock.time()) + TTL}
        seen = {key: answer.get(key) for key in expected}
        assert seen == expected and scopes(answer.get("scope")) == ALICE_SCOPES, (
            f"POST /introspect with alice's fresh {format} token answered {answer!r}"
        )
        assert type(answer["exp"]) is int, (
            f"POST /introspect gave the {format} token's exp as {answer['exp']!r}: the README "
            "asks for an int (NumericDate seconds, e.g. int(....timestamp()))"
        )


@pytest.mark.task(3)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Delete the token from TOKENS (by the same key you stored it under) in POST /revoke, and "
    "look it up again on every request."
)
def test_a_revoked_opaque_token_is_dead(client):
    token = issue(client)
    assert_works(client, token, "a fresh opaque token")
    response = revoke(client, token)
    assert response.status_code == 200, f"POST /revoke answered {response.status_code}"
    assert_refused(client, token, "a revoked opaque token")


@pytest.mark.task(3)
@pytest.mark.points(8)
@pytest.mark.hint(
    "A JWT can't be deleted: in POST /revoke decode it and keep its jti in a denylist, and "
    "refuse a JWT whose jti is there, at /me and at /introspect."
)
def test_a_revoked_jwt_is_dead(client):
    token = issue(client, "jwt")
    assert_works(client, token, "a fresh JWT")
    response = revoke(client, token)
    assert response.status_code == 200, f"POST /revoke answered {response.status_code}"
    assert_refused(client, token, "a revoked JWT")


@pytest.mark.task(3)
@pytest.mark.hint(
    "Revoke exactly the token posted: its own TOKENS entry, or its own jti. Two tokens of one "
    "user are two grants."
)
def test_revoking_one_token_leaves_the_others(client):
    opaque_a, opaque_b = issue(client), issue(client)
    jwt_a, jwt_b = issue(client, "jwt"), issue(client, "jwt")
    revoke(client, opaque_a)
    revoke(client, jwt_a)
    assert_works(client, opaque_b, "alice's other opaque token, after one was revoked")
    assert_works(client, jwt_b, "alice's other JWT, after one was revoked")


@pytest.mark.task(3)
@pytest.mark.hint(
    "RFC 7009: the answer is 200 even for a token that is unknown or invalid, so that "
    "revoking never tells a caller anything; catch decoding errors instead of raising."
)
def test_revoke_answers_200_for_any_token(main, client):
    token = issue(client)
    revoke(client, token)
    forged = jwt.encode({"sub": "alice", "exp": 1, "jti": "x"}, OTHER_KEY, algorithm="HS256")
    for what, value in (
        ("an already revoked token", token),
        ("an unknown token", "x" * 43),
        ("a JWT signed with another key", forged),
        ("garbage", "abc"),
    ):
        response = revoke(client, value)
        assert response.status_code == 200, (
            f"POST /revoke with {what} answered {response.status_code}, not 200"
        )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Answer exactly {'active': False} for every token that is not active: RFC 7662 says an "
    "inactive token's owner, scope or reason must not be shown."
)
def test_an_inactive_token_is_described_by_nothing_more(main, client, clock):
    revoked = issue(client)
    revoke(client, revoked)
    expired_opaque, expired_jwt = issue(client), issue(client, "jwt")
    clock.advance(TTL)
    for what, token in (
        ("a revoked opaque token", revoked),
        ("an expired opaque token", expired_opaque),
        ("an expired JWT", expired_jwt),
        ("an unknown token", "x" * 43),
        ("garbage", "abc"),
    ):
        answer = introspect(client, token)
        assert answer == {"active": False}, (
            f'POST /introspect with {what} answered {answer!r}, not {{"active": false}}'
        )
