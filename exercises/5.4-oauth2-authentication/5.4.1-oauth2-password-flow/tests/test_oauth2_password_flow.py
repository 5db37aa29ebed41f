"""Hidden tests for 5.4.1: the OAuth2 password flow with pwdlib hashes and PyJWT tokens.

Each test starts with an empty `USERS`, a cheap recording `password_hash` of the learner's kind
(Argon2 or bcrypt) and the kit's fake clock in place of `get_now`. Expiry is tested by moving
the clock. The refusals that would let a stranger in weigh as much as a whole task each."""

import jwt
import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

OTHER_KEY = "an-attackers-own-key-which-is-long-enough-0123456789"
PASSWORD = "wonderland-rabbit-hole-91"
TTL = 30 * 60


class RecordingHash(PasswordHash):
    """A pwdlib PasswordHash at the cheapest cost, of the learner's kind first (so that a
    dummy hash made at import by their own hasher still verifies), recording each call."""

    def __init__(self, bcrypt_first: bool):
        argon2 = Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1)
        bcrypt = BcryptHasher(rounds=4)
        super().__init__((bcrypt, argon2) if bcrypt_first else (argon2, bcrypt))
        self.hashed: list[tuple[str, str]] = []
        self.verified: list[str] = []

    def hash(self, password, *args, **kwargs):
        made = super().hash(password, *args, **kwargs)
        self.hashed.append((password, made))
        return made

    def verify(self, password, hash):
        self.verified.append(password)
        return super().verify(password, hash)

    def verify_and_update(self, password, hash):
        self.verified.append(password)
        return super().verify_and_update(password, hash)


def uses_bcrypt(hasher) -> bool:
    return any(isinstance(h, BcryptHasher) for h in getattr(hasher, "hashers", ()))


@pytest.fixture
def main(learner, monkeypatch, overrides, clock):
    main = learner.require(
        "main", "app", "USERS", "create_user", "get_now", "password_hash", "SECRET_KEY"
    )
    main.USERS.clear()
    monkeypatch.setattr(main, "password_hash", RecordingHash(uses_bcrypt(main.password_hash)))
    overrides(main.app, {main.get_now: lambda: clock.now()})
    yield main
    main.USERS.clear()


@pytest.fixture
def hasher(main):
    return main.password_hash


@pytest.fixture
def client(main, app_client):
    return app_client(main.app)


def login(client, username, password):
    return client.post("/token", data={"username": username, "password": password})


def token_of(client, username="alice", password=PASSWORD):
    """Setup for later tests: a token from POST /token (any 2xx)."""
    response = login(client, username, password)
    assert 200 <= response.status_code < 300, (
        f"POST /token for {username!r} with the right password answered "
        f"{response.status_code}: {response.text[:200]}"
    )
    token = response.json().get("access_token")
    assert isinstance(token, str) and token, f"POST /token answered {response.text[:200]}"
    return token


def me(client, token):
    return client.get("/users/me", headers={"Authorization": f"Bearer {token}"})


def forge(main, clock, key=None, algorithm="HS256", **claims):
    """A token made by the test: by default a valid one for alice, signed with SECRET_KEY."""
    payload = {"sub": "alice", "exp": int(clock.time()) + TTL}
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    if algorithm == "none":
        return jwt.encode(payload, None, algorithm="none")
    return jwt.encode(payload, key or main.SECRET_KEY, algorithm=algorithm)


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


# --- Task 1: users with hashed passwords ---------------------------------------------------


@pytest.mark.task(1)
def test_create_user_stores_a_record(main):
    record = main.create_user("alice", PASSWORD, full_name="Alice Liddell")
    assert main.USERS.get("alice") is record, (
        f"after create_user('alice', ...), USERS['alice'] is {main.USERS.get('alice')!r}, "
        "not the record create_user returned"
    )
    seen = {
        name: getattr(record, name, "<missing>") for name in ("username", "full_name", "disabled")
    }
    assert seen == {"username": "alice", "full_name": "Alice Liddell", "disabled": False}, (
        f"the record of create_user('alice', ..., full_name='Alice Liddell') has {seen}"
    )


@pytest.mark.task(1)
def test_create_user_keeps_full_name_and_disabled(main):
    record = main.create_user("bob", PASSWORD, disabled=True)
    seen = {
        name: getattr(record, name, "<missing>") for name in ("username", "full_name", "disabled")
    }
    assert seen == {"username": "bob", "full_name": None, "disabled": True}, (
        f"the record of create_user('bob', ..., disabled=True) has {seen}"
    )


@pytest.mark.task(1)
@pytest.mark.points(1)
@pytest.mark.hint(
    "Hash inside create_user with the module's `password_hash.hash(password)` (read when the "
    "function runs, so the tests' replacement is the one used) and keep the result as "
    "`hashed_password`."
)
def test_hashed_password_comes_from_password_hash(main, hasher):
    record = main.create_user("alice", PASSWORD)
    made = [h for p, h in hasher.hashed if p == PASSWORD]
    assert made, "create_user did not call password_hash.hash(password)"
    stored = getattr(record, "hashed_password", None)
    assert stored == made[-1], (
        f"the record's hashed_password is {stored!r}, not the hash password_hash.hash made"
    )
    assert PasswordHash((Argon2Hasher(), BcryptHasher())).verify(PASSWORD, stored), (
        "the stored hash does not verify the password"
    )


@pytest.mark.task(1)
@pytest.mark.points(11)
@pytest.mark.hint(
    "Store `password_hash.hash(password)` and nothing else about the password: no `password` "
    "field, no copy of it in another attribute."
)
def test_the_password_is_stored_nowhere(main):
    main.create_user("alice", PASSWORD, full_name="Alice")
    shown = repr(main.USERS["alice"]) + repr(main.USERS)
    assert PASSWORD not in shown, "the user's record holds the password itself"


# --- Task 2: POST /token ------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_login_answers_a_bearer_token(main, client):
    main.create_user("alice", PASSWORD)
    response = login(client, "alice", PASSWORD)
    assert response.status_code == 200, (
        f"POST /token with the right password answered {response.status_code}: "
        f"{response.text[:200]}"
    )
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("access_token"), str), (
        f"POST /token answered {body!r}, with no access_token string"
    )
    assert body.get("token_type") == "bearer", (
        f"POST /token answered token_type {body.get('token_type')!r}, not 'bearer'"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`jwt.encode({'sub': username, 'exp': now + timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES)}, "
    "SECRET_KEY, algorithm=ALGORITHM)`, with `now` from `Depends(get_now)`: datetime.now() is "
    "not the clock the tests move."
)
def test_token_carries_sub_and_exp_from_the_injected_clock(main, client, clock):
    main.create_user("alice", PASSWORD)
    clock.advance(1234)
    token = token_of(client)
    try:
        claims = jwt.decode(
            token, main.SECRET_KEY, algorithms=["HS256"], options={"verify_exp": False}
        )
    except jwt.PyJWTError as exc:
        pytest.fail(f"the access token is not an HS256 JWT signed with SECRET_KEY: {exc}")
    assert claims.get("sub") == "alice", f"the token's sub is {claims.get('sub')!r}, not 'alice'"
    expected = int(clock.time()) + TTL
    assert claims.get("exp") == expected, (
        f"the token's exp is {claims.get('exp')!r}; the fake clock's now plus 30 minutes is "
        f"{expected}"
    )


@pytest.mark.task(2)
def test_secret_key_is_long_enough(main):
    key = main.SECRET_KEY
    assert isinstance(key, str) and len(key.encode()) >= 32, (
        f"SECRET_KEY is {type(key).__name__} of {len(key) if hasattr(key, '__len__') else '?'} "
        "characters: HS256 needs a str key of at least 32 bytes"
    )
    assert main.ALGORITHM == "HS256" and main.ACCESS_TOKEN_EXPIRE_MINUTES == 30, (
        f"ALGORITHM is {main.ALGORITHM!r} and ACCESS_TOKEN_EXPIRE_MINUTES is "
        f"{main.ACCESS_TOKEN_EXPIRE_MINUTES!r}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Take the body as `form: Annotated[OAuth2PasswordRequestForm, Depends()]`: a form, which "
    "a JSON body is not."
)
def test_a_json_body_is_422(main, client):
    main.create_user("alice", PASSWORD)
    response = client.post("/token", json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 422, (
        f"POST /token with a JSON body answered {response.status_code}, not 422: "
        f"{response.text[:200]}"
    )


# --- Task 3: a failed login tells nothing -------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(11)
def test_wrong_password_is_401(main, client):
    main.create_user("alice", PASSWORD)
    for password in ("wrong-password", PASSWORD.upper(), PASSWORD + " "):
        response = login(client, "alice", password)
        assert_401(response, f"POST /token for alice with the password {password!r}")
        assert "access_token" not in response.text, (
            f"the refused login with {password!r} still carried an access_token"
        )


@pytest.mark.task(3)
@pytest.mark.points(11)
@pytest.mark.hint(
    "Raise the same HTTPException (status, detail and headers) whether the user is unknown or "
    "the password wrong, and when the user is unknown still call "
    "`password_hash.verify(password, DUMMY_HASH)` (a hash made with the same hasher), as "
    "FastAPI's tutorial does: otherwise an unknown user is answered many milliseconds faster."
)
def test_an_unknown_user_cannot_be_told_from_a_wrong_password(main, client, hasher):
    main.create_user("alice", PASSWORD)
    hasher.verified.clear()
    wrong = login(client, "alice", "wrong-password")
    verified_for_wrong = len(hasher.verified)
    hasher.verified.clear()
    unknown = login(client, "mallory", "wrong-password")
    verified_for_unknown = len(hasher.verified)
    assert_401(unknown, "POST /token for the unknown user 'mallory'")
    assert (unknown.status_code, unknown.text) == (wrong.status_code, wrong.text), (
        f"an unknown user got {unknown.status_code} {unknown.text[:120]!r}, a wrong password "
        f"{wrong.status_code} {wrong.text[:120]!r}"
    )
    assert dict(unknown.headers) == dict(wrong.headers), (
        f"an unknown user got the headers {dict(unknown.headers)}, a wrong password "
        f"{dict(wrong.headers)}"
    )
    assert verified_for_unknown >= 1 and verified_for_unknown == verified_for_wrong, (
        f"a login of an unknown user called password_hash.verify {verified_for_unknown} "
        f"time(s), a wrong password {verified_for_wrong} time(s): the answer's timing tells "
        "which usernames exist"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Give every refused login `headers={'WWW-Authenticate': 'Bearer'}`: HTTPException does "
    "not add it on its own."
)
def test_a_refused_login_has_a_bearer_challenge(main, client):
    main.create_user("alice", PASSWORD)
    for username in ("alice", "mallory"):
        assert_bearer_401(
            login(client, username, "wrong-password"), f"POST /token for {username!r} refused"
        )


@pytest.mark.task(3)
@pytest.mark.points(1)
@pytest.mark.hint(
    "bcrypt 5 raises ValueError for a password over 72 bytes, in verify too: catch it and "
    "count it as a wrong password (or use Argon2, which has no such limit)."
)
def test_a_password_over_72_bytes_is_401(main, client):
    main.create_user("alice", PASSWORD)
    for username in ("alice", "mallory"):
        for password in ("x" * 73, "é" * 40):
            response = login(client, username, password)
            assert response.status_code == 401, (
                f"POST /token for {username!r} with a {len(password.encode())}-byte password "
                f"answered {response.status_code}, not 401: {response.text[:200]}"
            )


# --- Task 4: GET /users/me ----------------------------------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_users_me_answers_the_user(main, client):
    main.create_user("alice", PASSWORD, full_name="Alice Liddell")
    main.create_user("bob", "bobs-own-password")
    for username, password, full_name in (
        ("alice", PASSWORD, "Alice Liddell"),
        ("bob", "bobs-own-password", None),
    ):
        response = me(client, token_of(client, username, password))
        assert response.status_code == 200, (
            f"GET /users/me with {username}'s fresh token answered {response.status_code}: "
            f"{response.text[:200]}"
        )
        assert response.json() == {"username": username, "full_name": full_name}, (
            f"GET /users/me for {username} answered {response.json()!r}"
        )


@pytest.mark.task(4)
@pytest.mark.points(11)
@pytest.mark.hint(
    "Answer a model without the hash (`response_model=User`, or return a `User`): returning "
    "the stored record sends hashed_password to anyone holding the token."
)
def test_users_me_never_shows_the_hash(main, client):
    record = main.create_user("alice", PASSWORD)
    response = me(client, token_of(client))
    assert response.status_code == 200, f"GET /users/me answered {response.status_code}"
    assert record.hashed_password not in response.text and "hashed_password" not in response.text, (
        f"GET /users/me shows the password hash: {response.text[:200]}"
    )


@pytest.mark.task(4)
@pytest.mark.hint(
    '`oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")`, whose token the dependency of '
    "/users/me takes with `Depends(oauth2_scheme)`."
)
def test_openapi_declares_the_password_flow(main, client):
    schema = client.get("/openapi.json").json()
    schemes = schema.get("components", {}).get("securitySchemes", {})
    password_flows = {
        name: scheme["flows"]["password"]
        for name, scheme in schemes.items()
        if scheme.get("type") == "oauth2" and "password" in scheme.get("flows", {})
    }
    assert any(flow.get("tokenUrl") == "token" for flow in password_flows.values()), (
        f"the OpenAPI securitySchemes are {schemes}: no OAuth2 password flow with tokenUrl 'token'"
    )
    operation = schema.get("paths", {}).get("/users/me", {}).get("get", {})
    required = {name for entry in operation.get("security", []) for name in entry}
    assert required & set(password_flows), (
        f"GET /users/me requires the security schemes {sorted(required)}, not the password flow"
    )


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_no_token_is_401(main, client):
    main.create_user("alice", PASSWORD)
    assert_bearer_401(client.get("/users/me"), "GET /users/me without a token")
    basic = client.get("/users/me", headers={"Authorization": "Basic YWxpY2U6c2VjcmV0"})
    assert_bearer_401(basic, "GET /users/me with Basic credentials instead of a token")


@pytest.mark.task(4)
@pytest.mark.points(11)
@pytest.mark.hint(
    "Decode with `options={'verify_exp': False}` and refuse when `now.timestamp() >= "
    "claims['exp']`, with `now` from `Depends(get_now)`: PyJWT's own check reads the machine's "
    "clock, not the injected one."
)
def test_an_expired_token_is_401(main, client, clock):
    main.create_user("alice", PASSWORD)
    token = token_of(client)
    clock.advance(TTL - 1)
    response = me(client, token)
    assert response.status_code == 200, (
        f"GET /users/me one second before the token's exp answered {response.status_code}: "
        f"{response.text[:200]}"
    )
    clock.advance(1)
    assert_401(me(client, token), "GET /users/me at the token's exp")
    clock.advance(3600)
    assert_401(me(client, token), "GET /users/me an hour after the token's exp")


@pytest.mark.task(4)
@pytest.mark.points(11)
@pytest.mark.hint(
    "`jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM], ...)` checks the signature and "
    "pins the algorithm; never `options={'verify_signature': False}` (it turns off the "
    "signature, not the expiry)."
)
def test_a_forged_token_is_401(main, client, clock):
    main.create_user("alice", PASSWORD)
    main.create_user("bob", "bobs-own-password")
    header, _, signature = token_of(client, "bob", "bobs-own-password").split(".")
    as_alice = jwt.encode(
        {"sub": "alice", "exp": int(clock.time()) + TTL}, OTHER_KEY, algorithm="HS256"
    ).split(".")[1]
    forged = {
        "a token signed with another key": forge(main, clock, key=OTHER_KEY),
        'an unsigned token ("alg": "none")': forge(main, clock, algorithm="none"),
        "bob's token with alice's claims and bob's signature": f"{header}.{as_alice}.{signature}",
    }
    for what, token in forged.items():
        assert_401(me(client, token), f"GET /users/me with {what}")


@pytest.mark.task(4)
@pytest.mark.points(11)
@pytest.mark.hint(
    "After decoding, look the user up in USERS on every request and answer 401 when "
    "`USERS.get(claims['sub'])` is None: a valid signature only says who the token was for."
)
def test_a_token_of_a_user_not_in_users_is_401(main, client, clock):
    main.create_user("alice", PASSWORD)
    token = token_of(client)
    assert_401(
        me(client, forge(main, clock, sub="mallory")), "GET /users/me with a token for 'mallory'"
    )
    del main.USERS["alice"]
    assert_401(me(client, token), "GET /users/me with alice's token after her deletion")


@pytest.mark.task(4)
@pytest.mark.hint(
    "Raise every refusal of a token as `HTTPException(401, ..., headers={'WWW-Authenticate': "
    "'Bearer'})`, one helper for all of them."
)
def test_a_refused_token_has_a_bearer_challenge(main, client, clock):
    main.create_user("alice", PASSWORD)
    token = token_of(client)
    for what, refused in (
        ("a token signed with another key", forge(main, clock, key=OTHER_KEY)),
        ("a token for 'mallory'", forge(main, clock, sub="mallory")),
    ):
        assert_bearer_401(me(client, refused), f"GET /users/me with {what}")
    clock.advance(TTL)
    assert_bearer_401(me(client, token), "GET /users/me with an expired token")


@pytest.mark.task(4)
@pytest.mark.points(1)
@pytest.mark.parametrize(
    "case",
    ["abc", "no exp", "no sub", "numeric sub", "exp not a number"],
)
@pytest.mark.hint(
    "Catch `jwt.InvalidTokenError` (every decoding failure, among them a non-string sub) and "
    "require the claims you read: `options={'require': ['sub', 'exp'], 'verify_exp': False}`."
)
def test_malformed_tokens_are_401(main, client, clock, case):
    main.create_user("alice", PASSWORD)
    token = {
        "abc": lambda: "abc",
        "no exp": lambda: forge(main, clock, exp=None),
        "no sub": lambda: forge(main, clock, sub=None),
        "numeric sub": lambda: forge(main, clock, sub=42),
        "exp not a number": lambda: forge(main, clock, exp="tomorrow"),
    }[case]()
    assert_bearer_401(me(client, token), f"GET /users/me with a token ({case})")


@pytest.mark.task(4)
@pytest.mark.points(11)
@pytest.mark.hint(
    "After finding the user, answer `HTTPException(403)` when `user.disabled` is true (a "
    "second dependency, get_current_active_user, in FastAPI's tutorial). Read `disabled` from "
    "USERS on every request: a flag copied into the token at login stays false after the user "
    "is disabled."
)
def test_a_disabled_user_is_403(main, client, clock):
    main.create_user("bob", PASSWORD, disabled=True)
    response = me(client, forge(main, clock, sub="bob"))
    assert response.status_code == 403, (
        f"GET /users/me with a valid token of the disabled user bob answered "
        f"{response.status_code}, not 403: {response.text[:200]}"
    )
    main.create_user("alice", PASSWORD)
    token = token_of(client)
    assert me(client, token).status_code == 200, "alice's fresh token was refused"
    main.USERS["alice"].disabled = True
    response = me(client, token)
    assert response.status_code == 403, (
        f"GET /users/me with a token alice got before she was disabled answered "
        f"{response.status_code}, not 403"
    )
