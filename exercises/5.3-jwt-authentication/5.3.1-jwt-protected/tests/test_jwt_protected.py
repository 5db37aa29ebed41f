"""Hidden tests for 5.3.1: GET /me behind an access token signed with PyJWT.

The clock is the kit's fake clock (it starts on 2026-01-01 12:00 UTC, in the machine's past):
the tests override the dependency `auth.get_now` and set the name `get_now` in `auth` and in
`main` (where it was imported) to it. Expiry is tested by moving that clock, never by sleeping.

Every attack test first shows that the genuine token of the same shape is let in, so that an
app which refuses everything cannot pass them; each attack is worth a whole task, so a
submission that lets one forged, expired or wrong-type token in cannot reach 90%.
"""

import warnings
from datetime import datetime, timedelta

import jwt
import pytest

OTHER_KEY = "an-attacker-chose-this-key-it-is-long-enough!"
FIFTEEN_MINUTES = timedelta(minutes=15)


@pytest.fixture
def auth(learner):
    return learner.require("auth", "SECRET_KEY", "ALGORITHM", "get_now", "create_access_token")


@pytest.fixture
def faked_time(learner, auth, clock, monkeypatch):
    """`get_now` replaced by the fake clock wherever a solution may read it by name; returns
    the clock and the learner's own `get_now` (the key of the dependency override)."""
    try:  # imported before anything is patched: `from auth import get_now` gets the real one
        main = learner("main")
    except Exception:  # a broken main.py: the tests that need it say so through `api`
        main = None
    original = auth.get_now
    monkeypatch.setattr(auth, "get_now", clock.now)
    if getattr(main, "get_now", None) is original:
        monkeypatch.setattr(main, "get_now", clock.now)
    return clock, original


class Api:
    def __init__(self, client, auth, clock):
        self.client = client
        self.auth = auth
        self.clock = clock

    def me(self, token):
        return self.client.get("/me", headers={"Authorization": f"Bearer {token}"})

    def claims(self, sub="alice", lifetime=FIFTEEN_MINUTES, **changes):
        issued = self.clock.now()
        claims = {"sub": sub, "iat": issued, "exp": issued + lifetime, "type": "access"}
        claims.update(changes)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(self, claims, key=None, algorithm="HS256"):
        with warnings.catch_warnings():  # a short key for HS512 warns; the test means it
            warnings.simplefilter("ignore")
            return jwt.encode(
                claims, self.auth.SECRET_KEY if key is None else key, algorithm=algorithm
            )

    def genuine(self, sub="alice", **changes):
        return self.sign(self.claims(sub, **changes))

    def let_in(self, token, sub="alice", what=None):
        what = what or (
            f"a genuine access token for {sub!r} (signed HS256 with SECRET_KEY at the fake "
            "clock's time)"
        )
        response = self.me(token)
        assert response.status_code == 200 and response.json() == {"sub": sub}, (
            f"GET /me with {what} answered {said(response)}, expected 200 {{'sub': {sub!r}}}"
        )

    def refused(self, token, what):
        response = self.me(token)
        assert response.status_code == 401, (
            f"GET /me with {what} answered {said(response)}: it must be refused with 401"
        )
        return response


@pytest.fixture
def api(learner, auth, faked_time, app_client, overrides):
    clock, original_get_now = faked_time
    main = learner.require("main", "app")
    overrides(main.app, {original_get_now: lambda: clock.now()})
    return Api(app_client(main.app, lifespan=True), auth, clock)


def said(response):
    return f"{response.status_code} {response.text[:200]}"


def decoded(auth, token):
    return jwt.decode(token, auth.SECRET_KEY, algorithms=["HS256"], options={"verify_exp": False})


# --- Task 1: the key, the algorithm and create_access_token --------------------------------


@pytest.mark.task(1)
@pytest.mark.hint(
    "SECRET_KEY is a str of at least 32 bytes (PyJWT warns about shorter HMAC keys: "
    "`secrets.token_urlsafe(32)` makes one), and ALGORITHM is the string 'HS256'."
)
def test_secret_key_has_32_bytes_and_algorithm_is_hs256(auth):
    key = auth.SECRET_KEY
    size = len(key.encode() if isinstance(key, str) else key)
    assert isinstance(key, str) and size >= 32, (
        f"SECRET_KEY is {type(key).__name__} of {size} bytes, expected a str of at least 32"
    )
    assert auth.ALGORITHM == "HS256", f"ALGORITHM is {auth.ALGORITHM!r}, expected 'HS256'"


@pytest.mark.task(1)
@pytest.mark.hint(
    "jwt.encode({'sub': sub, 'iat': now, 'exp': now + expires_delta, 'type': 'access'}, "
    "SECRET_KEY, algorithm=ALGORITHM): PyJWT turns the datetimes into NumericDate seconds."
)
@pytest.mark.parametrize("minutes", [15, 90])
def test_token_carries_sub_iat_exp_and_type(auth, clock, minutes):
    clock.advance(42)
    token = auth.create_access_token("alice", timedelta(minutes=minutes), now=clock.now())
    assert isinstance(token, str), f"create_access_token returned {type(token).__name__}"
    header = jwt.get_unverified_header(token)
    assert header.get("alg") == "HS256", f"the token's header is {header}, expected alg HS256"
    try:
        claims = decoded(auth, token)
    except jwt.InvalidTokenError as exc:
        pytest.fail(f"the token does not verify with SECRET_KEY and HS256: {exc}")
    issued = clock.now().timestamp()
    expected = {"sub": "alice", "type": "access", "iat": issued, "exp": issued + minutes * 60}
    got = {name: claims.get(name) for name in expected}
    assert got == expected, (
        f"create_access_token('alice', timedelta(minutes={minutes}), now=<{clock.now()}>) "
        f"carries {got}, expected {expected}"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Give `now` the default None and call get_now() inside the function when it is None. "
    "A default written as `now=get_now()` is evaluated once, when Python defines the function."
)
def test_now_defaults_to_get_now_at_call_time(auth, faked_time):
    clock, _ = faked_time
    first = decoded(auth, auth.create_access_token("alice", FIFTEEN_MINUTES))
    clock.advance(600)
    second = decoded(auth, auth.create_access_token("alice", FIFTEEN_MINUTES))
    stamps = [first.get("iat"), second.get("iat")]
    expected = [clock.time() - 600, clock.time()]
    assert stamps == expected, (
        "create_access_token without `now`, called twice 600 s apart on the fake clock "
        f"(get_now), gave the iat values {stamps}, expected {expected}"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Keep the starter's get_now(): datetime.now(UTC) is aware and in UTC, while "
    "datetime.utcnow() and datetime.now() are naive, and .timestamp() reads a naive datetime "
    "as the machine's local time."
)
def test_get_now_is_aware_utc(auth):
    now = auth.get_now()
    assert isinstance(now, datetime), f"get_now() returned {type(now).__name__}"
    offset = now.utcoffset()
    assert offset == timedelta(0), (
        f"get_now() returned {now!r}, whose UTC offset is {offset}: expected an aware UTC "
        "datetime (offset 0)"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Check `isinstance(sub, str)` first and raise TypeError: PyJWT refuses to decode a token "
    "whose sub is a number, so fail where the mistake is made (pass str(user.id))."
)
def test_non_string_sub_raises_type_error(auth, clock):
    with pytest.raises(TypeError):
        auth.create_access_token(42, FIFTEEN_MINUTES, now=clock.now())


# --- Task 2: GET /me -------------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.hint(
    "Read the token with HTTPBearer (or OAuth2PasswordBearer), decode it with "
    "jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM], options={'verify_exp': False}) and "
    "answer {'sub': claims['sub']}. PyJWT's own exp check uses the machine's clock, for which "
    "the tests' tokens (made on 2026-01-01) are long expired: compare exp with get_now()."
)
@pytest.mark.parametrize("sub", ["alice", "bob"])
def test_valid_token_answers_its_sub(api, sub):
    api.let_in(api.genuine(sub), sub)


@pytest.mark.task(2)
@pytest.mark.hint(
    "A token from create_access_token(sub, timedelta(minutes=15)) must open GET /me: sign and "
    "check with the same SECRET_KEY and ALGORITHM, and mark it type 'access'."
)
def test_token_from_create_access_token_opens_me(api):
    token = api.auth.create_access_token("carol", FIFTEEN_MINUTES, now=api.clock.now())
    api.let_in(token, "carol", "the token of create_access_token('carol', 15 minutes)")


@pytest.mark.task(2)
@pytest.mark.hint(
    "Compare exp with the time of get_now() at each request: the token is valid while "
    "get_now() is before exp, and expired from the moment get_now() reaches exp (exp <= now)."
)
def test_token_works_until_its_exp_and_not_at_it(api):
    token = api.genuine()
    api.clock.advance(15 * 60 - 1)
    api.let_in(token, what="a genuine access token 1 s before its exp")
    api.clock.advance(1)
    api.refused(token, "an access token whose exp is exactly the current time")


@pytest.mark.task(2)
@pytest.mark.hint(
    "Let FastAPI's HTTPBearer() or OAuth2PasswordBearer(tokenUrl=...) read the header: with "
    "no Bearer credentials they answer 401 with WWW-Authenticate: Bearer before your code runs."
)
@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Basic YWxpY2U6c2VjcmV0"}], ids=["none", "basic"]
)
def test_missing_bearer_token_is_401_with_www_authenticate(api, headers):
    response = api.client.get("/me", headers=headers)
    assert response.status_code == 401, f"GET /me with {headers} answered {said(response)}"
    challenge = response.headers.get("www-authenticate", "")
    assert challenge.lower().startswith("bearer"), (
        f"GET /me with {headers} answered 401 with WWW-Authenticate {challenge!r}, "
        "expected 'Bearer'"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Only the Bearer scheme carries a token: HTTPBearer() and OAuth2PasswordBearer refuse "
    "'Basic <token>' with 401 for you. Reading the header by hand and dropping its first word "
    "lets a genuine token in under any scheme."
)
@pytest.mark.parametrize("scheme", ["Basic", "Token"])
def test_genuine_token_under_another_scheme_is_401(api, scheme):
    token = api.genuine()
    api.let_in(token)
    response = api.client.get("/me", headers={"Authorization": f"{scheme} {token}"})
    assert response.status_code == 401, (
        f"GET /me with 'Authorization: {scheme} <a genuine access token>' answered "
        f"{said(response)}: only a Bearer token counts, expected 401"
    )
    challenge = response.headers.get("www-authenticate", "")
    assert challenge.lower().startswith("bearer"), (
        f"GET /me with 'Authorization: {scheme} <token>' answered 401 with WWW-Authenticate "
        f"{challenge!r}, expected 'Bearer'"
    )


# --- Task 3: every other token is refused ---------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(6)
@pytest.mark.hint(
    "With PyJWT's exp check off (it reads the machine's clock), your own comparison of exp "
    "with get_now() is all that stands between a stolen token and your API: refuse the token "
    "once get_now() has reached exp."
)
def test_expired_token_is_refused(api):
    token = api.genuine()
    api.let_in(token)
    api.clock.advance(3600)
    api.refused(token, "an access token that expired 45 minutes ago (the fake clock moved)")


@pytest.mark.task(3)
@pytest.mark.points(6)
@pytest.mark.hint(
    "Decode with the signature check on: jwt.decode(token, SECRET_KEY, algorithms=[...]). "
    "`options={'verify_signature': False}` lets anyone sign their own tokens."
)
def test_token_signed_with_another_key_is_refused(api):
    api.let_in(api.genuine())
    forged = api.sign(api.claims(), key=OTHER_KEY)
    api.refused(forged, "a token signed with another key")


@pytest.mark.task(3)
@pytest.mark.points(6)
@pytest.mark.hint(
    "A token whose header says alg 'none' has no signature at all. Pin the algorithm "
    "(algorithms=[ALGORITHM]) and never turn the signature check off."
)
def test_alg_none_token_is_refused(api):
    api.let_in(api.genuine())
    unsigned = jwt.encode(api.claims(), None, algorithm="none")
    api.refused(unsigned, "an unsigned token (alg 'none')")


@pytest.mark.task(3)
@pytest.mark.points(6)
@pytest.mark.hint(
    "Pass algorithms=[ALGORITHM] (one entry, HS256) to jwt.decode: never a list of every "
    "algorithm, and never the alg read from the token's own header."
)
def test_token_signed_with_another_algorithm_is_refused(api):
    api.let_in(api.genuine())
    other = api.sign(api.claims(), algorithm="HS512")
    api.refused(other, "a token signed with SECRET_KEY but with HS512 instead of HS256")


@pytest.mark.task(3)
@pytest.mark.points(6)
@pytest.mark.hint(
    "Accept only claims['type'] == 'access'. Checking `!= 'refresh'` lets in a token with no "
    "type at all, or any other kind of token the same key signs."
)
@pytest.mark.parametrize("kind", ["refresh", None], ids=["refresh", "no-type"])
def test_token_that_is_not_an_access_token_is_refused(api, kind):
    api.let_in(api.genuine())
    token = api.sign(api.claims(type=kind))
    what = "a token without a type claim" if kind is None else f"a token of type {kind!r}"
    api.refused(token, f"{what} (signed with SECRET_KEY)")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Compare the type claim as it is: `claims.get('type') == 'access'`. Lower-casing or "
    "stripping it first lets in types the server never writes ('ACCESS', ' access ')."
)
def test_type_must_be_exactly_access(api):
    api.let_in(api.genuine())
    for kind in ["ACCESS", "Access", " access ", "access\n"]:
        api.refused(
            api.sign(api.claims(type=kind)), f"a token of type {kind!r} (signed with SECRET_KEY)"
        )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Catch jwt.InvalidTokenError (the base of every PyJWT decoding error: DecodeError, "
    "InvalidSubjectError...) and answer 401, never a 500."
)
@pytest.mark.parametrize("kind", ["abc", "a.b.c", "numeric-sub"])
def test_malformed_token_is_401_not_500(api, kind):
    token = api.sign(api.claims(sub=42)) if kind == "numeric-sub" else kind
    what = "a token whose sub is the number 42" if kind == "numeric-sub" else repr(kind)
    api.refused(token, what)


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "raise HTTPException(401, detail=..., headers={'WWW-Authenticate': 'Bearer'}): the "
    "header tells the client which scheme to authenticate with (RFC 6750)."
)
def test_refused_tokens_answer_www_authenticate_bearer(api):
    expired = api.genuine(lifetime=timedelta(seconds=-1))
    cases = {
        "an expired token": expired,
        "a token signed with another key": api.sign(api.claims(), key=OTHER_KEY),
        "a refresh token": api.sign(api.claims(type="refresh")),
        "'abc'": "abc",
    }
    for what, token in cases.items():
        response = api.refused(token, what)
        challenge = response.headers.get("www-authenticate", "")
        assert challenge.lower().startswith("bearer"), (
            f"GET /me with {what} answered 401 with WWW-Authenticate {challenge!r}, "
            "expected 'Bearer'"
        )
