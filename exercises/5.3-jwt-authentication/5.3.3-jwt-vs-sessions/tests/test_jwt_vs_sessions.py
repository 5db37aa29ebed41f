"""Hidden tests for 5.3.3: one app with sessions and JWTs, run as several instances side by side.

Each instance is `create_app(name, store, secret, now=clock.now)` with a dict and a secret of
its own, and the kit's fake clock (it starts on 2026-01-01 12:00 UTC, in the machine's past).
Building a FastAPI app is most of a test's cost, so each instance (a name, a store, a secret) is
made once per module, at the first test that asks for it, and reused: before every test its
store is emptied (the same dict, which the app holds) and the clock goes back to its start.

The session id is read from the Set-Cookie header and sent back by hand to whichever instance
the test is about; the client's cookie jar is emptied after every request, so nothing is sent
that the test did not mean to send.

Every refusal is checked next to its genuine counterpart (a session or a token that is let in),
so that an app which refuses everything cannot pass. Each refusal has its own test, and Task 4's
test runs them all again: a submission that lets one of them through loses a whole task more
and cannot reach 90%.
"""

import secrets
import warnings
from contextlib import ExitStack
from datetime import timedelta
from http.cookies import SimpleCookie

import jwt
import pytest

from grader import testing

SECRET = "the-secret-every-instance-shares-in-these-tests"
OTHER_SECRET = "a-secret-that-only-instance-C-has-in-these-tests"
PASSWORDS = {"alice": "wonderland", "bob": "builder"}
FIFTEEN_MINUTES = 15 * 60


def said(response):
    return f"{response.status_code} {response.text[:200]}"


def sign(claims, key, algorithm="HS256"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jwt.encode(claims, key, algorithm=algorithm)


def set_cookies(response):
    """{name: (value, attributes in lower case)} of the response's Set-Cookie headers."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        jar = SimpleCookie()
        try:
            jar.load(header)
        except Exception:
            continue
        for name, morsel in jar.items():
            found[name] = (morsel.value, header.lower())
    return found


def guessable(first, second, username):
    """Why two session ids of logins in a row could be guessed, or None. Random ids of 32+
    characters share a position by chance about once; a counter or a timestamp shares most."""
    if len(first) < 32 or len(second) < 32:
        return "shorter than 32 characters"
    if username in first.lower() or username in second.lower():
        return "made from the username"
    same = sum(x == y for x, y in zip(first, second))
    if first == second or same * 2 >= min(len(first), len(second)):
        return f"alike in {same} positions, as a counter or a timestamp would be"
    return None


class Server:
    def __init__(self, name, store, secret, client, clock):
        self.name = name
        self.store = store
        self.secret = secret
        self.client = client
        self.clock = clock

    def _send(self, method, path, **kwargs):
        try:
            return self.client.request(method, path, **kwargs)
        finally:
            self.client.cookies.clear()

    # --- sessions ---------------------------------------------------------------------------

    def session_login_response(self, username="alice", password=None):
        password = PASSWORDS.get(username, "") if password is None else password
        body = {"username": username, "password": password}
        return self._send("POST", "/session/login", json=body)

    def login_session(self, username="alice"):
        response = self.session_login_response(username)
        assert response.status_code == 200, (
            f"POST /session/login as {username} on {self.name} answered {said(response)}"
        )
        cookie = set_cookies(response).get("sid")
        assert cookie is not None and cookie[0], (
            f"POST /session/login as {username} set no sid cookie: Set-Cookie is "
            f"{response.headers.get_list('set-cookie')}"
        )
        return cookie[0]

    def whoami_sid(self, sid):
        return self._send("GET", "/whoami", headers={"Cookie": f"sid={sid}"})

    def logout(self, sid):
        return self._send("POST", "/session/logout", headers={"Cookie": f"sid={sid}"})

    # --- JWTs -------------------------------------------------------------------------------

    def jwt_login_response(self, username="alice", password=None):
        password = PASSWORDS.get(username, "") if password is None else password
        return self._send("POST", "/jwt/login", json={"username": username, "password": password})

    def login_jwt(self, username="alice"):
        response = self.jwt_login_response(username)
        assert response.status_code == 200, (
            f"POST /jwt/login as {username} on {self.name} answered {said(response)}"
        )
        token = response.json().get("access_token") if isinstance(response.json(), dict) else None
        assert isinstance(token, str), f"POST /jwt/login answered {response.json()}"
        return token

    def whoami_jwt(self, token):
        return self._send("GET", "/whoami", headers={"Authorization": f"Bearer {token}"})

    def claims(self, token):
        try:
            return jwt.decode(
                token, self.secret, algorithms=["HS256"], options={"verify_exp": False}
            )
        except jwt.InvalidTokenError as exc:
            pytest.fail(f"the JWT of {self.name} does not decode with its secret and HS256: {exc}")

    # --- expectations -----------------------------------------------------------------------

    def let_in(self, response, username, via, what):
        expected = {"username": username, "via": via, "server": self.name}
        assert response.status_code == 200 and response.json() == expected, (
            f"GET /whoami on {self.name} with {what} answered {said(response)}, expected 200 "
            f"{expected}"
        )

    def refused(self, response, what):
        assert response.status_code == 401, (
            f"{what} answered {said(response)}: it must be refused with 401"
        )
        return response


@pytest.fixture
def main(learner):
    return learner.require("main", "create_app", "ALGORITHM", "authenticate")


class Instances:
    """The instances of this module: `get(name, store, secret)` makes one with create_app the
    first time it is asked for and hands back the same one afterwards. `store` names a dict:
    by default the instance's own (its name), or one that several instances share."""

    def __init__(self, main):
        self.main = main
        self.clock = testing.FakeClock()
        self.stores = {}
        self.servers = {}
        self.stack = ExitStack()

    def get(self, name, store, secret):
        key = (name, store, secret)
        if key not in self.servers:
            session_store = self.stores.setdefault(store, {})
            app = self.main.create_app(name, session_store, secret, now=self.clock.now)
            client = testing.client_for(app)
            self.stack.callback(client.close)
            self.stack.enter_context(client)  # runs the app's lifespan, one event loop
            self.servers[key] = Server(name, session_store, secret, client, self.clock)
        return self.servers[key]

    def reset(self):
        for session_store in self.stores.values():
            session_store.clear()
        self.clock.elapsed = 0.0
        self.clock.sleeps.clear()


@pytest.fixture(scope="module")
def instances(learner):
    made = Instances(learner.require("main", "create_app", "ALGORITHM", "authenticate"))
    with made.stack:
        yield made


@pytest.fixture
def fresh(instances):
    """Every store empty, the clock at its start: what a test begins with."""
    instances.reset()
    return instances


@pytest.fixture
def clock(fresh):
    return fresh.clock


@pytest.fixture
def server(fresh):
    def make(name="A", store=None, secret=SECRET):
        return fresh.get(name, name if store is None else store, secret)

    return make


# --- Task 1: sessions ------------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "On success: sid = secrets.token_urlsafe(32); session_store[sid] = username; "
    "response.set_cookie('sid', sid, httponly=True, samesite='lax'); return {'username': ...}."
)
def test_session_login_sets_an_httponly_lax_cookie_backed_by_the_store(server):
    a = server()
    response = a.session_login_response("alice")
    assert response.status_code == 200 and response.json() == {"username": "alice"}, (
        f"POST /session/login as alice answered {said(response)}, expected 200 "
        "{'username': 'alice'}"
    )
    cookie = set_cookies(response).get("sid")
    assert cookie is not None, (
        f"POST /session/login set no sid cookie: {response.headers.get_list('set-cookie')}"
    )
    sid, header = cookie
    assert "httponly" in header and "samesite=lax" in header, (
        f"the sid cookie is set as {header!r}: it needs HttpOnly and SameSite=Lax"
    )
    assert list(a.store) == [sid], (
        f"after one login, session_store's keys are {list(a.store)}, expected [the sid {sid!r}]"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "GET /whoami: read the cookie with `sid: Annotated[str | None, Cookie()] = None`, look it up "
    "in session_store and answer {'username', 'via': 'session', 'server': name}."
)
@pytest.mark.parametrize("username", ["alice", "bob"])
def test_whoami_with_the_session_cookie(server, username):
    a = server("A")
    sid = a.login_session(username)
    a.let_in(a.whoami_sid(sid), username, "session", f"{username}'s sid")


@pytest.mark.task(1)
@pytest.mark.hint(
    "secrets.token_urlsafe(32) gives 43 random characters. An id made from the username, a "
    "counter or the time can be guessed, and whoever guesses it is logged in."
)
def test_session_ids_are_random_and_long(server):
    a = server()
    first, second = a.login_session("alice"), a.login_session("alice")
    why = guessable(first, second, "alice")
    assert why is None, (
        f"two logins of alice in a row got the sids {first!r} and {second!r}: {why}. A sid "
        "must be random, 32 characters or more"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Call authenticate() first and raise HTTPException(401) when it answers False, before any "
    "id is made, stored or set as a cookie."
)
@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "builder"), ("mallory", "wonderland")],
    ids=["wrong-password", "unknown-user"],
)
def test_bad_credentials_at_session_login_are_401_without_a_session(server, username, password):
    a = server()
    response = a.refused(
        a.session_login_response(username, password),
        f"POST /session/login as {username!r} with the password {password!r}",
    )
    assert "sid" not in set_cookies(response), (
        f"the refused login set a sid cookie: {response.headers.get_list('set-cookie')}"
    )
    assert a.store == {}, f"the refused login left session_store with the keys {list(a.store)}"
    a.login_session("alice")


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Only an id that is a key of session_store logs anyone in: answer 401 when "
    "session_store.get(sid) is None."
)
def test_made_up_sid_is_401(server):
    a = server()
    sid = a.login_session("alice")
    a.let_in(a.whoami_sid(sid), "alice", "session", "alice's sid")
    for fake in (secrets.token_urlsafe(32), "alice"):
        a.refused(a.whoami_sid(fake), f"GET /whoami with the made-up sid {fake!r}")


@pytest.mark.task(1)
@pytest.mark.hint(
    "POST /session/logout: session_store.pop(sid, None), then a Response(status_code=204) on "
    "which you call delete_cookie('sid')."
)
def test_session_logout_answers_204_and_deletes_the_cookie_and_the_entry(server):
    a = server()
    sid = a.login_session("alice")
    response = a.logout(sid)
    assert response.status_code == 204 and response.content == b"", (
        f"POST /session/logout answered {said(response)}, expected 204 with no body"
    )
    cookie = set_cookies(response).get("sid")
    deleted = cookie is not None and (cookie[0] == "" or "max-age=0" in cookie[1])
    assert deleted, (
        f"POST /session/logout did not delete the sid cookie: Set-Cookie is "
        f"{response.headers.get_list('set-cookie')}"
    )
    assert sid not in a.store, f"after the logout, session_store still holds the sid {sid!r}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Logging out must delete the id from session_store: deleting the browser's cookie only is "
    "not enough, since whoever copied the id can still send it."
)
def test_logged_out_sid_is_401(server):
    a = server()
    sid = a.login_session("alice")
    other = a.login_session("bob")
    a.logout(sid)
    a.refused(a.whoami_sid(sid), "GET /whoami with a sid after its logout")
    a.let_in(a.whoami_sid(other), "bob", "session", "bob's sid, after alice's logout")


# --- Task 2: JWTs ----------------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.hint(
    "jwt.encode({'sub': username, 'iat': now(), 'exp': now() + timedelta(minutes=15)}, secret, "
    "algorithm=ALGORITHM), answered as {'access_token': token, 'token_type': 'bearer'}."
)
def test_jwt_login_answers_a_15_minute_token_signed_with_the_secret(server, main, clock):
    a = server()
    clock.advance(42)
    response = a.jwt_login_response("alice")
    assert response.status_code == 200, f"POST /jwt/login answered {said(response)}"
    body = response.json()
    assert isinstance(body, dict) and body.get("token_type") == "bearer", (
        f"POST /jwt/login answered {body}, expected token_type 'bearer'"
    )
    assert main.ALGORITHM == "HS256", f"ALGORITHM is {main.ALGORITHM!r}"
    token = body.get("access_token")
    assert isinstance(token, str), f"POST /jwt/login answered {body}"
    header = jwt.get_unverified_header(token)
    assert header.get("alg") == "HS256", f"the token's header is {header}"
    claims = a.claims(token)
    issued = clock.time()
    expected = {"sub": "alice", "iat": issued, "exp": issued + FIFTEEN_MINUTES}
    got = {name: claims.get(name) for name in expected}
    assert got == expected, f"the token carries {got}, expected {expected}"


@pytest.mark.task(2)
@pytest.mark.hint(
    "With a Bearer header, decode the token with this instance's secret, "
    "algorithms=[ALGORITHM] and options={'verify_exp': False}, compare exp with now(), and "
    "answer {'username': claims['sub'], 'via': 'jwt', 'server': name}."
)
@pytest.mark.parametrize("username", ["alice", "bob"])
def test_whoami_with_the_jwt(server, username):
    a = server()
    a.let_in(a.whoami_jwt(a.login_jwt(username)), username, "jwt", f"{username}'s JWT")


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "POST /jwt/login stores nothing: a JWT that needs a lookup is a session id in disguise."
)
def test_jwt_login_stores_nothing(server):
    a = server()
    a.login_jwt("alice")
    assert a.store == {}, f"POST /jwt/login wrote the keys {list(a.store)} to session_store"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint("Check the password with authenticate() and answer 401 before signing anything.")
@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "builder"), ("mallory", "wonderland")],
    ids=["wrong-password", "unknown-user"],
)
def test_bad_credentials_at_jwt_login_are_401_without_a_token(server, username, password):
    a = server()
    response = a.refused(
        a.jwt_login_response(username, password),
        f"POST /jwt/login as {username!r} with the password {password!r}",
    )
    assert "access_token" not in response.text, f"the 401 carries a token: {said(response)}"
    a.login_jwt("alice")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "PyJWT's exp check reads the machine's clock, so with verify_exp off your own comparison "
    "is the only one: refuse the token from the moment now() reaches exp."
)
def test_jwt_expires_after_15_minutes(server, clock):
    a = server()
    token = a.login_jwt("alice")
    clock.advance(FIFTEEN_MINUTES - 1)
    a.let_in(a.whoami_jwt(token), "alice", "jwt", "a JWT 14:59 minutes old")
    clock.advance(1)
    a.refused(a.whoami_jwt(token), "GET /whoami with a JWT 15 minutes old")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Decode with the signature check on, with this instance's own secret: never "
    "options={'verify_signature': False}."
)
def test_jwt_signed_with_another_secret_is_401(server):
    a = server()
    token = a.login_jwt("alice")
    a.let_in(a.whoami_jwt(token), "alice", "jwt", "alice's JWT")
    forged = sign(a.claims(token), OTHER_SECRET)
    a.refused(a.whoami_jwt(forged), "GET /whoami with a JWT signed with another secret")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint("Pin the algorithm, algorithms=[ALGORITHM]: alg 'none' means no signature.")
def test_unsigned_jwt_is_401(server):
    a = server()
    token = a.login_jwt("alice")
    a.let_in(a.whoami_jwt(token), "alice", "jwt", "alice's JWT")
    unsigned = jwt.encode(a.claims(token), None, algorithm="none")
    a.refused(a.whoami_jwt(unsigned), "GET /whoami with an unsigned JWT (alg 'none')")


@pytest.mark.task(2)
@pytest.mark.hint(
    "Pass algorithms=[ALGORITHM], one entry: a token in another algorithm is refused even "
    "when it is signed with the right secret."
)
def test_jwt_in_another_algorithm_is_401(server):
    a = server()
    token = a.login_jwt("alice")
    a.let_in(a.whoami_jwt(token), "alice", "jwt", "alice's JWT")
    other = sign(a.claims(token), SECRET, algorithm="HS512")
    a.refused(a.whoami_jwt(other), "GET /whoami with a JWT signed with the secret but HS512")


@pytest.mark.task(2)
@pytest.mark.hint("Catch jwt.InvalidTokenError (every PyJWT decoding error) and answer 401.")
def test_malformed_token_is_401_not_500(server):
    a = server()
    issued = a.clock.now()
    numeric_sub = sign({"sub": 42, "iat": issued, "exp": issued + timedelta(minutes=15)}, SECRET)
    for what, token in {"'abc'": "abc", "'a.b.c'": "a.b.c", "a numeric sub": numeric_sub}.items():
        a.refused(a.whoami_jwt(token), f"GET /whoami with the token {what}")
    a.let_in(a.whoami_jwt(a.login_jwt("alice")), "alice", "jwt", "alice's JWT")


# --- Task 3: two instances -------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Keep sessions in the session_store that create_app received, never in a module-level dict "
    "or a default argument: B has its own store and has never seen A's id."
)
def test_session_of_a_is_refused_by_b_with_its_own_store(server):
    a, b = server("A"), server("B")
    sid = a.login_session("alice")
    a.let_in(a.whoami_sid(sid), "alice", "session", "alice's sid")
    b.refused(b.whoami_sid(sid), "GET /whoami on B (a store of its own) with a sid made by A")


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "GET /whoami checks a JWT with the secret alone: no lookup in session_store or anywhere "
    "else, so B accepts a token that only A has seen."
)
def test_jwt_of_a_is_accepted_by_b(server):
    a, b = server("A"), server("B")
    token = a.login_jwt("bob")
    b.let_in(b.whoami_jwt(token), "bob", "jwt", "a JWT made by A (same secret, another store)")


@pytest.mark.task(3)
@pytest.mark.hint(
    "An instance that was given the same dict finds A's sessions in it: look the id up in "
    "session_store at each request."
)
def test_instances_sharing_a_store_share_sessions(server):
    a, b = server("A", "shared"), server("B", "shared")
    sid = a.login_session("alice")
    b.let_in(b.whoami_sid(sid), "alice", "session", "a sid made by A, in the store B shares")


@pytest.mark.task(3)
@pytest.mark.hint("Verify with the secret this instance was given, not a module-level one.")
def test_instance_with_another_secret_refuses_the_jwt(server):
    a, c = server("A"), server("C", secret=OTHER_SECRET)
    token = a.login_jwt("alice")
    c.refused(c.whoami_jwt(token), "GET /whoami on C (another secret) with A's JWT")
    c.let_in(c.whoami_jwt(c.login_jwt("alice")), "alice", "jwt", "C's own JWT")


@pytest.mark.task(3)
@pytest.mark.hint(
    "Logout deletes the id from the shared store, so every instance refuses it at once."
)
def test_logout_on_a_ends_the_session_on_b_at_once(server):
    a, b = server("A", "shared"), server("B", "shared")
    sid = a.login_session("alice")
    b.let_in(b.whoami_sid(sid), "alice", "session", "A's sid, before the logout")
    a.logout(sid)
    b.refused(b.whoami_sid(sid), "GET /whoami on B with a sid logged out on A")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A session logout touches the session store only: a JWT has nothing stored to delete and "
    "keeps working until its exp. That is the trade-off this exercise shows."
)
def test_jwt_outlives_the_session_logout_until_its_exp(server, clock):
    a = server()
    sid = a.login_session("alice")
    token = a.login_jwt("alice")
    a.logout(sid)
    a.refused(a.whoami_sid(sid), "GET /whoami with a sid after its logout")
    clock.advance(FIFTEEN_MINUTES - 1)
    a.let_in(a.whoami_jwt(token), "alice", "jwt", "a JWT got before the session's logout")
    clock.advance(1)
    a.refused(a.whoami_jwt(token), "GET /whoami with that JWT once its exp is reached")


# --- Task 4: nothing else gets in ------------------------------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(8)
@pytest.mark.hint(
    "One of the refusals of Task 4 answered a success: the message names it, and its own test "
    "says more."
)
def test_no_stranger_gets_in(server, clock):
    breaches = []

    def never(response, what):
        if response.status_code < 300:
            breaches.append(f"{what} answered {said(response)}")

    a, b, c = server("A"), server("B"), server("C", secret=OTHER_SECRET)
    sid = a.login_session("alice")
    a.let_in(a.whoami_sid(sid), "alice", "session", "alice's sid")
    next_sid = a.login_session("alice")
    why = guessable(sid, next_sid, "alice")
    if why is not None:
        breaches.append(f"the sids {sid!r} and {next_sid!r} can be guessed: {why}")
    token = a.login_jwt("alice")
    a.let_in(a.whoami_jwt(token), "alice", "jwt", "alice's JWT")

    logins = {
        "POST /session/login": a.session_login_response,
        "POST /jwt/login": a.jwt_login_response,
    }
    for path, login in logins.items():
        never(login("alice", "builder"), f"{path} with alice's wrong password")
        never(login("mallory", "wonderland"), f"{path} as an unknown user")
    never(a.whoami_sid(secrets.token_urlsafe(32)), "GET /whoami with a made-up sid")
    never(b.whoami_sid(sid), "GET /whoami on B (its own store) with A's sid")
    claims = a.claims(token)
    never(a.whoami_jwt(sign(claims, OTHER_SECRET)), "GET /whoami with a JWT of another secret")
    never(a.whoami_jwt(jwt.encode(claims, None, algorithm="none")), "GET /whoami with alg none")
    never(c.whoami_jwt(token), "GET /whoami on C (another secret) with A's JWT")

    a.logout(sid)
    never(a.whoami_sid(sid), "GET /whoami with a sid after its logout")
    clock.advance(FIFTEEN_MINUTES)
    never(a.whoami_jwt(token), "GET /whoami with a JWT 15 minutes old")

    assert not breaches, "a stranger got in: " + "; ".join(breaches)
