"""Hidden tests for 5.2.1: GET /users/me behind HTTP Basic, passwords stored as pwdlib hashes.

Each test starts with an empty `USERS` and a cheap recording `password_hash` of the learner's
kind (Argon2 or bcrypt). The refusals that let a stranger in or tell an attacker something weigh
as much as a whole task each."""

import base64

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

PASSWORD = "correct-horse-battery-staple"
BOB_PASSWORD = "tulip-orbit-marble-42"


class RecordingHash(PasswordHash):
    """A pwdlib PasswordHash at the cheapest cost, of the learner's kind first (so that a
    dummy hash made at import by their own hasher still verifies), recording each call."""

    def __init__(self, bcrypt_first: bool):
        argon2 = Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1)
        bcrypt = BcryptHasher(rounds=4)
        super().__init__((bcrypt, argon2) if bcrypt_first else (argon2, bcrypt))
        self.hashed: list[tuple[str, str]] = []
        self.verified: list[str] = []
        # When set, a verify against a hash that is not in `stored` (the dummy) answers True.
        self.stored: set[str] | None = None

    def hash(self, password, *args, **kwargs):
        made = super().hash(password, *args, **kwargs)
        self.hashed.append((password, made))
        return made

    def says_yes(self, hash) -> bool:
        return self.stored is not None and hash not in self.stored

    def verify(self, password, hash):
        self.verified.append(password)
        if self.says_yes(hash):
            return True
        return super().verify(password, hash)

    def verify_and_update(self, password, hash):
        self.verified.append(password)
        if self.says_yes(hash):
            return True, None
        return super().verify_and_update(password, hash)


def uses_bcrypt(hasher) -> bool:
    return any(isinstance(h, BcryptHasher) for h in getattr(hasher, "hashers", ()))


@pytest.fixture
def main(learner, monkeypatch):
    main = learner.require("main", "app", "USERS", "create_user", "password_hash")
    main.USERS.clear()
    monkeypatch.setattr(main, "password_hash", RecordingHash(uses_bcrypt(main.password_hash)))
    yield main
    main.USERS.clear()


@pytest.fixture
def hasher(main):
    return main.password_hash


@pytest.fixture
def client(main, app_client):
    return app_client(main.app)


@pytest.fixture
def users(main):
    main.create_user("alice", PASSWORD)
    main.create_user("bob", BOB_PASSWORD)


def me(client, username=None, password=None, header=None):
    if header is not None:
        return client.get("/users/me", headers={"Authorization": header})
    if username is None:
        return client.get("/users/me")
    return client.get("/users/me", auth=(username, password))


def basic(raw: bytes) -> bytes:
    return b"Basic " + base64.b64encode(raw)


def short(text, size=200):
    return text if len(text) <= size else text[:size] + "..."


def challenge_scheme(response) -> str:
    return response.headers.get("www-authenticate", "").strip().split(" ")[0].lower()


def assert_basic_401(response, what):
    assert response.status_code == 401, (
        f"GET /users/me {what} answered {response.status_code}, not 401: {short(response.text)}"
    )
    assert challenge_scheme(response) == "basic", (
        f"GET /users/me {what} answered 401 with WWW-Authenticate "
        f"{response.headers.get('www-authenticate')!r}, not a Basic challenge"
    )


# --- Task 1: users with hashed passwords ---------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "In create_user, store `password_hash.hash(password)` in USERS under the username, with "
    "`password_hash` read when the function runs, so that the tests' replacement is the one "
    "used."
)
def test_create_user_stores_the_hash_from_password_hash(main, hasher):
    main.create_user("alice", PASSWORD)
    made = [h for p, h in hasher.hashed if p == PASSWORD]
    assert made, "create_user('alice', password) did not call password_hash.hash(password)"
    stored = main.USERS.get("alice")
    assert stored == made[-1], (
        f"after create_user('alice', ...), USERS['alice'] is {short(repr(stored))}, not the "
        "hash password_hash.hash(password) made"
    )
    assert PasswordHash((Argon2Hasher(), BcryptHasher())).verify(PASSWORD, stored), (
        "USERS['alice'] does not verify alice's password"
    )


@pytest.mark.task(1)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Store `password_hash.hash(password)` and nothing else about the password: no plain copy, "
    "no second dict."
)
def test_the_password_is_stored_nowhere(main):
    main.create_user("alice", PASSWORD)
    shown = repr(main.USERS) + repr(vars(main).get("USERS"))
    assert PASSWORD not in shown, "USERS holds alice's password itself"
    for name, value in vars(main).items():
        if isinstance(value, dict | list | set | tuple) and not name.startswith("__"):
            assert PASSWORD not in repr(value), (
                f"main.{name} holds alice's password itself after create_user"
            )


# --- Task 2: GET /users/me behind HTTP Basic -----------------------------------------------


@pytest.mark.task(2)
@pytest.mark.parametrize("who", ["alice", "bob"])
def test_right_credentials_answer_the_username(client, users, who):
    password = PASSWORD if who == "alice" else BOB_PASSWORD
    response = me(client, who, password)
    assert response.status_code == 200, (
        f"GET /users/me as {who} with the right password answered {response.status_code}: "
        f"{short(response.text)}"
    )
    assert response.json() == {"username": who}, (
        f"GET /users/me as {who} answered {short(response.text)}, expected {{'username': {who!r}}}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "`HTTPBasic()` as a dependency answers a request without credentials with 401 and "
    "`WWW-Authenticate: Basic` on its own; with `auto_error=False`, raise that 401 yourself."
)
def test_missing_credentials_get_a_basic_challenge(client, users):
    assert_basic_401(me(client), "without an Authorization header")


@pytest.mark.task(2)
@pytest.mark.hint(
    "Anything that is not `Basic <base64 of user:password>` is no credentials at all: 401 "
    "with the Basic challenge, never a 500. HTTPBasic does this for you."
)
def test_malformed_credentials_are_401(client, users):
    for what, header in [
        ("with Authorization: Bearer <token>", "Bearer abc.def.ghi"),
        ("with Basic and a value that is not base64", "Basic not*base64*at*all"),
        ("with Basic and base64 without a ':'", basic(b"alice").decode()),
        ("with Basic and nothing after it", "Basic"),
    ]:
        assert_basic_401(me(client, header=header), what)


@pytest.mark.task(2)
@pytest.mark.hint(
    "Use `HTTPBasic()` as a dependency (`Depends(security)`) of GET /users/me or of a "
    "dependency it uses; reading the Authorization header with `Header()` declares no scheme."
)
def test_openapi_declares_http_basic_for_users_me(main):
    schema = main.app.openapi()
    schemes = schema.get("components", {}).get("securitySchemes", {})
    basic_names = {
        name
        for name, scheme in schemes.items()
        if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "basic"
    }
    assert basic_names, (
        f"the OpenAPI schema declares no http/basic security scheme; its securitySchemes are "
        f"{schemes!r}"
    )
    operation = schema.get("paths", {}).get("/users/me", {}).get("get", {})
    listed = {name for entry in operation.get("security", []) for name in entry}
    assert listed & basic_names, (
        f"GET /users/me lists the security schemes {sorted(listed)!r}, not the http/basic one"
    )


# --- Task 3: a failed login tells nothing and lets nobody in -------------------------------


@pytest.mark.task(3)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Let a request in only when `password_hash.verify(sent, stored_hash)` is true: check its "
    "result, and compare nothing else (no `==` with the stored hash)."
)
def test_only_the_exact_password_lets_in(main, client, users):
    attempts = {
        "a wrong password": "not-the-password",
        "bob's password": BOB_PASSWORD,
        "the password in upper case": PASSWORD.upper(),
        "the password with a space added": PASSWORD + " ",
        "the password without its last character": PASSWORD[:-1],
        "an empty password": "",
        "alice's stored hash": main.USERS["alice"],
    }
    let_in = []
    for what, password in attempts.items():
        response = me(client, "alice", password)
        if response.status_code != 401 or challenge_scheme(response) != "basic":
            let_in.append(f"{what} answered {response.status_code} {short(response.text, 80)}")
    assert not let_in, (
        "GET /users/me as alice did not answer 401 with a Basic challenge: " + "; ".join(let_in)
    )


@pytest.mark.task(3)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Raise one and the same `HTTPException(401, detail=..., headers={'WWW-Authenticate': "
    "'Basic'})` for an unknown user and for a wrong password: same detail, same headers."
)
def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client, users):
    wrong = me(client, "alice", "not-the-password")
    unknown = me(client, "mallory", "not-the-password")
    assert_basic_401(wrong, "as alice with a wrong password")
    assert_basic_401(unknown, "as the unknown user mallory")
    assert unknown.text == wrong.text, (
        f"an unknown user got the body {short(unknown.text)}, a wrong password "
        f"{short(wrong.text)}: the difference tells which usernames exist"
    )
    assert unknown.headers.get("www-authenticate") == wrong.headers.get("www-authenticate"), (
        f"an unknown user got WWW-Authenticate {unknown.headers.get('www-authenticate')!r}, a "
        f"wrong password {wrong.headers.get('www-authenticate')!r}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Look the username up exactly, `USERS.get(credentials.username)`: no lower-casing, no "
    "casefold(). ALICE is not a user of USERS, even with alice's password."
)
def test_a_username_in_another_case_is_an_unknown_user(client, users):
    wrong = me(client, "alice", "not-the-password")
    let_in = []
    for username in ["ALICE", "Alice"]:
        response = me(client, username, PASSWORD)
        if response.status_code != 401 or response.text != wrong.text:
            let_in.append(
                f"{username!r} with alice's password answered {response.status_code} "
                f"{short(response.text, 80)}"
            )
    assert not let_in, (
        "a username that is not in USERS must answer like a wrong password "
        f"({wrong.status_code} {short(wrong.text, 80)}): " + "; ".join(let_in)
    )


@pytest.mark.task(3)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Refuse a username that is not in USERS because it is not there, whatever the verify "
    "against the dummy hash returns: `if stored is None or not matches`. A dummy made from a "
    "known password otherwise lets that password in under any unknown name."
)
def test_an_unknown_user_is_refused_whatever_the_dummy_verify_says(main, client, users, hasher):
    wrong = me(client, "alice", "not-the-password")
    hasher.stored = set(main.USERS.values())
    hasher.verified.clear()
    unknown = me(client, "mallory", "not-the-password")
    assert "not-the-password" in hasher.verified, (
        "GET /users/me as the unknown user mallory did not call password_hash.verify on the "
        "sent password"
    )
    assert unknown.status_code == 401, (
        f"GET /users/me as the unknown user mallory answered {unknown.status_code} "
        f"{short(unknown.text, 80)} when the verify against the dummy hash returned True: the "
        "dummy's password lets anyone in under a name that is not in USERS"
    )
    assert unknown.text == wrong.text, (
        f"an unknown user got the body {short(unknown.text)}, a wrong password "
        f"{short(wrong.text)}, when the verify against the dummy hash returned True"
    )
    assert unknown.headers.get("www-authenticate") == wrong.headers.get("www-authenticate"), (
        f"an unknown user got WWW-Authenticate {unknown.headers.get('www-authenticate')!r}, a "
        f"wrong password {wrong.headers.get('www-authenticate')!r}, when the verify against the "
        "dummy hash returned True"
    )


@pytest.mark.task(3)
@pytest.mark.points(4)
@pytest.mark.hint(
    "When the username is not in USERS, still call `password_hash.verify(sent_password, "
    "dummy_hash)`, with a dummy hash made by password_hash, so that the answer takes as long "
    "as for a wrong password."
)
def test_every_login_costs_one_verify(client, users, hasher):
    for what, username, password, expected in [
        ("alice with the right password", "alice", PASSWORD, 200),
        ("alice with a wrong password", "alice", "guess-1", 401),
        ("the unknown user mallory", "mallory", "guess-2", 401),
    ]:
        hasher.verified.clear()
        response = me(client, username, password)
        assert response.status_code == expected, (
            f"GET /users/me as {what} answered {response.status_code}: {short(response.text)}"
        )
        assert password in hasher.verified, (
            f"GET /users/me as {what} answered {response.status_code} without calling "
            "password_hash.verify on the sent password"
        )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Call `password_hash.verify` for every request with Basic credentials, before any other "
    "refusal: a long or empty password, an empty username, go through it too (catch bcrypt's "
    "ValueError rather than skipping the verify)."
)
def test_odd_credentials_cost_a_verify_too(client, users, hasher):
    skipped = []
    for what, username, password in [
        ("alice with a password of 100 bytes", "alice", "p" * 100),
        ("the unknown user mallory with a password of 100 bytes", "mallory", "q" * 100),
        ("alice with an empty password", "alice", ""),
        ("an empty username", "", "guess-3"),
    ]:
        hasher.verified.clear()
        response = me(client, username, password)
        if response.status_code != 401:
            skipped.append(f"{what} answered {response.status_code}, not 401")
        elif password not in hasher.verified:
            skipped.append(f"{what} answered 401 without password_hash.verify on the password")
    assert not skipped, "GET /users/me: " + "; ".join(skipped)


@pytest.mark.task(3)
@pytest.mark.hint(
    "bcrypt 5 raises ValueError for a password over 72 bytes: catch it around verify and "
    "treat it as a wrong password. HTTPBasic itself refuses credentials that are not ASCII."
)
def test_no_credentials_make_the_app_fail(client, users):
    for what, header in [
        ("with a password of 100 bytes", basic(b"alice:" + b"p" * 100)),
        ("with a UTF-8 password", basic("alice:pässwörd".encode())),
        ("with a UTF-8 username", basic("zoë:pässwörd".encode())),
        ("with a Latin-1 password", basic("alice:pässwörd".encode("latin-1"))),
    ]:
        assert_basic_401(me(client, header=header), what)
