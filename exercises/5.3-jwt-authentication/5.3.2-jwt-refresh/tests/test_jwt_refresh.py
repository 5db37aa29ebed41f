"""Hidden tests for 5.3.2: short access tokens, rotated refresh tokens, reuse detection, logout.

`main.py` is imported afresh for every test (REVOKED and whatever else it keeps start empty), so
that one test's revocations never reach another. The kit's fake clock (it starts on 2026-01-01
12:00 UTC, in the machine's past) replaces `main.now` as a module attribute and as a dependency
override; expiry is tested by moving it, never by sleeping.

Every refusal is checked next to its genuine counterpart (a login that works, a token that is
let in), so that an app which refuses everything cannot pass. Each refusal has its own test,
and Task 5's test runs them all again: a submission that lets one of them through loses a whole
task more and cannot reach 90%.
"""

import asyncio
import threading
import warnings

import jwt
import pytest

OTHER_KEY = "an-attacker-chose-this-key-it-is-long-enough!"
PASSWORDS = {"alice": "wonderland", "bob": "builder"}
FIFTEEN_MINUTES = 15 * 60
SEVEN_DAYS = 7 * 24 * 3600


def said(response):
    return f"{response.status_code} {response.text[:200]}"


def sign(claims, key, algorithm="HS256"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jwt.encode(claims, key, algorithm=algorithm)


class Api:
    def __init__(self, main, client, clock):
        self.main = main
        self.client = client
        self.clock = clock

    # --- requests ---------------------------------------------------------------------------

    def login_response(self, username="alice", password=None):
        password = PASSWORDS.get(username, "") if password is None else password
        return self.client.post("/token", json={"username": username, "password": password})

    def login(self, username="alice"):
        response = self.login_response(username)
        assert response.status_code == 200, (
            f"POST /token as {username} with the right password answered {said(response)}"
        )
        pair = response.json()
        assert isinstance(pair, dict) and all(
            isinstance(pair.get(k), str) for k in ("access_token", "refresh_token")
        ), f"POST /token answered {pair}, expected access_token and refresh_token strings"
        return pair

    def me(self, token):
        return self.client.get("/me", headers={"Authorization": f"Bearer {token}"})

    def refresh(self, token):
        return self.client.post("/refresh", json={"refresh_token": token})

    def logout(self, token):
        return self.client.post("/logout", json={"refresh_token": token})

    # --- expectations -----------------------------------------------------------------------

    def let_in(self, token, sub, what):
        response = self.me(token)
        assert response.status_code == 200 and response.json() == {"sub": sub}, (
            f"GET /me with {what} answered {said(response)}, expected 200 {{'sub': {sub!r}}}"
        )

    def rotated(self, token, what):
        response = self.refresh(token)
        assert response.status_code == 200, f"POST /refresh with {what} answered {said(response)}"
        pair = response.json()
        assert isinstance(pair, dict) and all(
            isinstance(pair.get(k), str) for k in ("access_token", "refresh_token")
        ), f"POST /refresh with {what} answered {pair}, expected a new pair of tokens"
        return pair

    def refused(self, response, what, status=401):
        assert response.status_code == status, (
            f"{what} answered {said(response)}: it must be refused with {status}"
        )
        return response

    def claims(self, token, what):
        try:
            return jwt.decode(
                token, self.main.SECRET_KEY, algorithms=["HS256"], options={"verify_exp": False}
            )
        except jwt.InvalidTokenError as exc:
            pytest.fail(f"{what} does not decode with SECRET_KEY and HS256: {exc}")


@pytest.fixture
def api(learner, clock, monkeypatch, overrides, app_client):
    main = learner.require("main", "app", "SECRET_KEY", "ALGORITHM", "REVOKED", "now", fresh=True)
    original = main.now
    monkeypatch.setattr(main, "now", clock.now)
    overrides(main.app, {original: lambda: clock.now()})
    return Api(main, app_client(main.app, lifespan=True), clock)


# --- Task 1: POST /token ---------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.hint(
    "Answer {'access_token': ..., 'refresh_token': ..., 'token_type': 'bearer'}: two different "
    "JWTs, signed with SECRET_KEY (a str of 32 bytes or more) and ALGORITHM 'HS256'."
)
def test_login_answers_two_tokens_of_type_bearer(api):
    pair = api.login()
    assert pair.get("token_type") == "bearer", f"POST /token answered {pair}"
    assert pair["access_token"] != pair["refresh_token"], "the two tokens are the same string"
    key = api.main.SECRET_KEY
    assert isinstance(key, str) and len(key.encode()) >= 32, (
        f"SECRET_KEY is {key!r}, expected a str of at least 32 bytes"
    )
    assert api.main.ALGORITHM == "HS256", f"ALGORITHM is {api.main.ALGORITHM!r}"
    for name in ("access_token", "refresh_token"):
        header = jwt.get_unverified_header(pair[name])
        assert header.get("alg") == "HS256", f"the {name}'s header is {header}"


@pytest.mark.task(1)
@pytest.mark.hint(
    "The access token's claims: sub (the username), iat = now(), exp = iat + 15 minutes, "
    "type 'access'. Read now() when the request runs, never the machine's clock."
)
def test_access_token_lives_15_minutes(api):
    api.clock.advance(42)
    claims = api.claims(api.login()["access_token"], "the access token")
    issued = api.clock.time()
    expected = {"sub": "alice", "type": "access", "iat": issued, "exp": issued + FIFTEEN_MINUTES}
    got = {name: claims.get(name) for name in expected}
    assert got == expected, f"the access token of a login carries {got}, expected {expected}"


@pytest.mark.task(1)
@pytest.mark.hint(
    "The refresh token's claims: sub, iat = now(), exp = iat + 7 days, type 'refresh', and a "
    "jti string that no other token has (uuid4().hex or secrets.token_urlsafe())."
)
def test_refresh_token_lives_7_days_and_has_a_jti(api):
    api.clock.advance(42)
    claims = api.claims(api.login()["refresh_token"], "the refresh token")
    issued = api.clock.time()
    expected = {"sub": "alice", "type": "refresh", "iat": issued, "exp": issued + SEVEN_DAYS}
    got = {name: claims.get(name) for name in expected}
    assert got == expected, f"the refresh token of a login carries {got}, expected {expected}"
    jti = claims.get("jti")
    assert isinstance(jti, str) and jti, f"the refresh token's jti is {jti!r}, expected a string"


@pytest.mark.task(1)
@pytest.mark.hint(
    "The jti must be random (uuid4().hex), not made from the username or the time: two logins "
    "in the same second would get the same refresh token, and revoking one revokes both."
)
def test_two_logins_in_the_same_second_get_different_jti(api):
    first = api.claims(api.login()["refresh_token"], "the refresh token")
    second = api.claims(api.login()["refresh_token"], "the refresh token")
    assert first.get("jti") != second.get("jti"), (
        f"two logins of alice at the same second got the same jti {first.get('jti')!r}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Call authenticate(body.username, body.password) and raise HTTPException(401) when it "
    "answers False, before any token is made."
)
@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "builder"), ("mallory", "wonderland")],
    ids=["wrong-password", "unknown-user"],
)
def test_bad_credentials_are_401_without_tokens(api, username, password):
    api.login()
    response = api.refused(
        api.login_response(username, password),
        f"POST /token as {username!r} with the password {password!r}",
    )
    leaked = [name for name in ("access_token", "refresh_token") if name in response.text]
    assert not leaked, f"the 401 of POST /token still carries {leaked}: {said(response)}"


# --- Task 2: GET /me -------------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.hint(
    "Decode the Bearer token with jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM], "
    "options={'verify_exp': False}) and answer {'sub': claims['sub']}. PyJWT's own exp check "
    "reads the machine's clock, for which the tests' tokens (made on 2026-01-01) are expired."
)
@pytest.mark.parametrize("username", ["alice", "bob"])
def test_me_answers_the_sub_of_the_access_token(api, username):
    api.let_in(api.login(username)["access_token"], username, f"{username}'s access token")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Compare exp with now() at every request: the token is valid while now() is before exp, "
    "and refused from the moment now() reaches it. An access token that lives longer than "
    "15 minutes is one that a thief can use longer."
)
def test_access_token_expires_after_15_minutes(api):
    token = api.login()["access_token"]
    api.clock.advance(FIFTEEN_MINUTES - 1)
    api.let_in(token, "alice", "an access token 14:59 minutes old")
    api.clock.advance(1)
    api.refused(api.me(token), "GET /me with an access token 15 minutes old")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "GET /me must check claims['type'] == 'access': a refresh token is signed with the same "
    "key and would otherwise open the API for 7 days."
)
def test_refresh_token_is_refused_at_me(api):
    pair = api.login()
    api.let_in(pair["access_token"], "alice", "alice's access token")
    api.refused(api.me(pair["refresh_token"]), "GET /me with a refresh token")


@pytest.mark.task(2)
@pytest.mark.hint(
    "Catch jwt.InvalidTokenError and raise HTTPException(401, headers={'WWW-Authenticate': "
    "'Bearer'}) for every refusal, the expired token's too; let HTTPBearer() answer the "
    "request without credentials."
)
def test_me_refusals_are_401_with_www_authenticate(api):
    pair = api.login()
    cases = {
        "no Authorization header": api.client.get("/me"),
        "the token 'abc'": api.me("abc"),
        "a refresh token": api.me(pair["refresh_token"]),
        "a token signed with another key": api.me(
            sign(api.claims(pair["access_token"], "the access token"), OTHER_KEY)
        ),
    }
    api.clock.advance(FIFTEEN_MINUTES)
    cases["an expired access token"] = api.me(pair["access_token"])
    for what, response in cases.items():
        api.refused(response, f"GET /me with {what}")
        challenge = response.headers.get("www-authenticate", "")
        assert challenge.lower().startswith("bearer"), (
            f"GET /me with {what} answered 401 with WWW-Authenticate {challenge!r}, "
            "expected 'Bearer'"
        )


# --- Task 3: POST /refresh -------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Answer a new pair made like the login's: a new access token for the same sub, a new "
    "refresh token with a new jti, and token_type 'bearer'."
)
def test_refresh_answers_a_new_pair_that_works(api):
    pair = api.login("bob")
    new = api.rotated(pair["refresh_token"], "bob's refresh token")
    assert new.get("token_type") == "bearer", f"POST /refresh answered {new}"
    api.let_in(new["access_token"], "bob", "the access token of a refresh")
    assert new["refresh_token"] != pair["refresh_token"], (
        "POST /refresh handed back the refresh token it received: rotation hands out a new one"
    )
    old = api.claims(pair["refresh_token"], "the first refresh token")
    fresh = api.claims(new["refresh_token"], "the refresh token of a refresh")
    assert fresh.get("jti") != old.get("jti"), (
        f"the new refresh token has the jti of the old one ({old.get('jti')!r})"
    )
    assert fresh.get("type") == "refresh" and fresh.get("sub") == "bob", (
        f"the new refresh token carries {fresh}, expected type 'refresh' and sub 'bob'"
    )
    api.rotated(new["refresh_token"], "the refresh token of a refresh")


@pytest.mark.task(3)
@pytest.mark.hint(
    "Read now() in /refresh too: the new access token lives 15 minutes and the new refresh "
    "token 7 days from the refresh, not from the login."
)
def test_new_tokens_count_from_the_refresh(api):
    pair = api.login()
    api.clock.advance(3600)
    new = api.rotated(pair["refresh_token"], "a refresh token one hour old")
    issued = api.clock.time()
    access = api.claims(new["access_token"], "the access token of a refresh")
    refresh = api.claims(new["refresh_token"], "the refresh token of a refresh")
    got = [access.get("iat"), access.get("exp"), refresh.get("iat"), refresh.get("exp")]
    expected = [issued, issued + FIFTEEN_MINUTES, issued, issued + SEVEN_DAYS]
    assert got == expected, (
        "after a refresh one hour after the login, [access iat, access exp, refresh iat, "
        f"refresh exp] are {got}, expected {expected}"
    )


@pytest.mark.task(3)
@pytest.mark.hint("REVOKED.add(claims['jti']) once the refresh token has been checked.")
def test_rotated_jti_goes_into_revoked(api):
    token = api.login()["refresh_token"]
    jti = api.claims(token, "the refresh token").get("jti")
    api.rotated(token, "alice's refresh token")
    assert jti in api.main.REVOKED, (
        f"after POST /refresh, REVOKED is {api.main.REVOKED!r}: the rotated jti {jti!r} is missing"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Write `REVOKED` in the handlers, the module's own name, so that each request reads the set "
    "main.REVOKED is at that moment; a second name bound to it once (`revoked = REVOKED`) keeps "
    "the old set when the tests put another one in its place."
)
def test_revoked_is_read_by_its_module_name_at_each_request(api):
    first = api.login()["refresh_token"]
    second = api.login()["refresh_token"]
    jti = api.claims(first, "the refresh token").get("jti")
    api.main.REVOKED = set(api.main.REVOKED) | {jti}  # another set in its place, as below
    api.refused(
        api.refresh(first),
        "POST /refresh with a refresh token whose jti is in main.REVOKED (a new set the test "
        "put in the place of the old one)",
    )
    other = api.claims(second, "the refresh token").get("jti")
    api.rotated(second, "the refresh token of another login")
    assert other in api.main.REVOKED, (
        f"after POST /refresh, main.REVOKED (a new set the test put in place) is "
        f"{api.main.REVOKED!r}: the rotated jti {other!r} is missing"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Before rotating, refuse a jti that is already in REVOKED: a refresh token is used once."
)
def test_rotated_refresh_token_is_refused(api):
    token = api.login()["refresh_token"]
    api.rotated(token, "alice's refresh token")
    api.refused(api.refresh(token), "POST /refresh with a refresh token that was already rotated")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Check claims['type'] == 'refresh' at /refresh: an access token is signed with the same "
    "key, and accepting it lets a 15-minute token live forever."
)
def test_access_token_is_refused_at_refresh(api):
    pair = api.login()
    api.refused(api.refresh(pair["access_token"]), "POST /refresh with an access token")
    api.rotated(pair["refresh_token"], "alice's refresh token")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Compare the refresh token's exp with now(): it is refused from the moment now() reaches "
    "iat + 7 days."
)
def test_refresh_token_expires_after_7_days(api):
    first = api.login()["refresh_token"]
    second = api.login()["refresh_token"]
    api.clock.advance(SEVEN_DAYS - 1)
    api.rotated(first, "a refresh token 1 s before its 7 days are over")
    api.clock.advance(1)
    api.refused(api.refresh(second), "POST /refresh with a refresh token exactly 7 days old")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Decode with the signature check on and algorithms=[ALGORITHM]: a token signed with "
    "another key, or with alg 'none', never verifies."
)
@pytest.mark.parametrize("forgery", ["other-key", "alg-none"])
def test_forged_refresh_token_is_refused(api, forgery):
    token = api.login()["refresh_token"]
    claims = api.claims(token, "the refresh token")
    if forgery == "other-key":
        forged, what = sign(claims, OTHER_KEY), "a refresh token signed with another key"
    else:
        forged, what = jwt.encode(claims, None, algorithm="none"), "an unsigned refresh token"
    api.refused(api.refresh(forged), f"POST /refresh with {what}")
    api.rotated(token, "the genuine refresh token the forgery copied")


@pytest.mark.task(3)
@pytest.mark.hint("Catch jwt.InvalidTokenError (every PyJWT decoding error) and answer 401.")
def test_malformed_refresh_token_is_401_not_500(api):
    for token in ("abc", "a.b.c", ""):
        api.refused(api.refresh(token), f"POST /refresh with the token {token!r}")
    api.rotated(api.login()["refresh_token"], "alice's refresh token")


# --- Task 4: reuse detection and logout ------------------------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Carry a family id (the jti of the login's first refresh token) in every refresh token of "
    "a login. When a jti already in REVOKED comes back, revoke its family, and refuse every "
    "refresh token of a revoked family, including the newest one."
)
@pytest.mark.parametrize("rotations", [1, 2], ids=["child", "grandchild"])
def test_reused_refresh_token_revokes_its_family(api, rotations):
    stolen = api.login()["refresh_token"]
    newest = stolen
    for _ in range(rotations):
        newest = api.rotated(newest, "the newest refresh token of the login")["refresh_token"]
    api.refused(api.refresh(stolen), "POST /refresh with the login's first, rotated token")
    api.refused(
        api.refresh(newest),
        f"after the login's first refresh token came back, POST /refresh with the token of "
        f"rotation {rotations} of the same login (its family)",
    )


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Revoke the family of the reused token only: another login of the same user is another "
    "family, and so is every login of another user."
)
def test_reuse_leaves_other_logins_working(api):
    victim = api.login("alice")["refresh_token"]
    other_login = api.login("alice")["refresh_token"]
    bob = api.login("bob")["refresh_token"]
    api.rotated(victim, "alice's refresh token")
    api.refused(api.refresh(victim), "POST /refresh with a rotated refresh token")
    api.rotated(other_login, "the refresh token of alice's other login, after a reuse")
    api.rotated(bob, "bob's refresh token, after a reuse in alice's family")


@pytest.mark.task(4)
@pytest.mark.hint(
    "POST /logout reads the refresh token like /refresh, adds its jti to REVOKED and answers "
    "Response(status_code=204): no body."
)
def test_logout_answers_204_and_revokes_the_jti(api):
    token = api.login()["refresh_token"]
    jti = api.claims(token, "the refresh token").get("jti")
    response = api.logout(token)
    assert response.status_code == 204 and response.content == b"", (
        f"POST /logout with a valid refresh token answered {said(response)}, expected 204 "
        "with no body"
    )
    assert jti in api.main.REVOKED, (
        f"after POST /logout, REVOKED is {api.main.REVOKED!r}: the jti {jti!r} is missing"
    )


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "/refresh must refuse a jti that is in REVOKED, whoever put it there: a rotation or a logout."
)
def test_logged_out_refresh_token_is_refused(api):
    token = api.login()["refresh_token"]
    other = api.login()["refresh_token"]
    api.logout(token)
    api.refused(api.refresh(token), "POST /refresh with a refresh token after its logout")
    api.rotated(other, "the refresh token of another login, after a logout")


@pytest.mark.task(4)
@pytest.mark.hint(
    "/logout checks its token exactly as /refresh does (signature, type 'refresh', exp) and "
    "answers 401 otherwise."
)
def test_logout_with_an_invalid_token_is_401(api):
    pair = api.login()
    claims = api.claims(pair["refresh_token"], "the refresh token")
    cases = {
        "an access token": pair["access_token"],
        "a refresh token signed with another key": sign(claims, OTHER_KEY),
        "'abc'": "abc",
    }
    for what, token in cases.items():
        api.refused(api.logout(token), f"POST /logout with {what}")
    api.clock.advance(SEVEN_DAYS)
    api.refused(api.logout(pair["refresh_token"]), "POST /logout with an expired refresh token")


# --- Task 5: nothing else gets in ------------------------------------------------------------


@pytest.mark.task(5)
@pytest.mark.points(8)
@pytest.mark.hint(
    "One of the refusals of Task 5 answered a success: the message names it, and its own test "
    "says more."
)
def test_no_stranger_gets_in(api):
    breaches = []

    def never(response, what):
        if response.status_code < 300:
            breaches.append(f"{what} answered {said(response)}")

    pair = api.login()
    access, refresh = pair["access_token"], pair["refresh_token"]
    api.let_in(access, "alice", "alice's access token")
    never(api.login_response("alice", "builder"), "POST /token with alice's wrong password")
    never(api.login_response("mallory", "x"), "POST /token as an unknown user")
    never(api.me(refresh), "GET /me with a refresh token")
    never(api.refresh(access), "POST /refresh with an access token")
    access_claims = api.claims(access, "the access token")
    refresh_claims = api.claims(refresh, "the refresh token")
    never(api.me(sign(access_claims, OTHER_KEY)), "GET /me with a token signed with another key")
    never(api.me(jwt.encode(access_claims, None, algorithm="none")), "GET /me with alg none")
    never(
        api.refresh(sign(refresh_claims, OTHER_KEY)),
        "POST /refresh with a token signed with another key",
    )
    never(
        api.refresh(jwt.encode(refresh_claims, None, algorithm="none")),
        "POST /refresh with alg none",
    )

    second = api.rotated(refresh, "alice's refresh token")["refresh_token"]
    third = api.rotated(second, "the refresh token of alice's first refresh")["refresh_token"]
    never(api.refresh(refresh), "POST /refresh with a rotated refresh token")
    never(
        api.refresh(third),
        "POST /refresh with the newest token of a family whose first token was reused",
    )

    bob = api.login("bob")["refresh_token"]
    api.logout(bob)
    never(api.refresh(bob), "POST /refresh with a refresh token after its logout")

    late = api.login()
    api.clock.advance(FIFTEEN_MINUTES)
    never(api.me(late["access_token"]), "GET /me with an access token 15 minutes old")
    api.clock.advance(SEVEN_DAYS - FIFTEEN_MINUTES)
    never(api.refresh(late["refresh_token"]), "POST /refresh with a refresh token 7 days old")

    assert not breaches, "a stranger got in: " + "; ".join(breaches)


# Two requests meet inside the check: REVOKED is replaced with a set whose membership test, once
# it has its answer, waits until a second request has one too. Without mutual exclusion both
# requests pass the check before either adds the jti, and both get a 200; with a lock (or an async
# handler with no await between check and add) the second request cannot arrive while the first
# waits, and the first goes on alone. It goes on as soon as waiting longer cannot bring the other
# request: that one is queued on the event loop that the waiting check holds (an async handler),
# or it waits for a lock that the waiting request holds (a lock of main's module, watched for
# this); for any other design, after MEETING_WAIT seconds.
MEETING_WAIT = 0.3
LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


class Meeting:
    """threading.Barrier(2, timeout=MEETING_WAIT) for the checks of the two requests, which the
    waiting party also leaves when the other request can no longer reach the check before it
    goes on (it is then broken, as after a timeout, and nobody waits again)."""

    def __init__(self, senders):
        self.senders = senders  # thread ids of the test's two senders
        self.condition = threading.Condition()
        self.waiting = None  # thread id of the party that waits for the other
        self.meetings = 0
        self.broken = False
        self.loop_thread = None  # the event loop's thread, once the requests go out
        self.queued = set()  # senders whose request was handed to the event loop
        self.waits_for_waiting = False  # a request waits for a lock the waiting party holds

    def wait(self):
        with self.condition:
            if self.broken:
                return
            if self.waiting is not None:  # the other party waits: both go on
                self.waiting = None
                self.meetings += 1
                self.condition.notify_all()
                return
            meetings, self.waiting = self.meetings, threading.get_ident()
            self.waits_for_waiting = False
            self.condition.wait_for(
                lambda: self.meetings != meetings or self.other_cannot_come(), MEETING_WAIT
            )
            if self.meetings == meetings:  # the other request never came: go on alone
                self.waiting, self.broken = None, True

    def other_cannot_come(self):
        if self.waits_for_waiting:
            return True
        # A check on the event loop's thread holds the loop: once both requests are on its
        # queue, nothing of the other one runs until this check returns.
        return self.waiting == self.loop_thread and self.queued >= set(self.senders)

    def handed_to_loop(self):
        if threading.get_ident() in self.senders:
            with self.condition:
                self.queued.add(threading.get_ident())
                self.condition.notify_all()

    def lock_wait(self, owner):
        with self.condition:
            if owner is not None and owner == self.waiting:
                self.waits_for_waiting = True
                self.condition.notify_all()


class WatchedLock:
    """A lock of main's module, unchanged, that tells the meeting when a thread has to wait for
    it and which thread holds it."""

    def __init__(self, lock, meeting):
        self._lock = lock
        self._meeting = meeting
        self._owner = None

    def acquire(self, blocking=True, timeout=-1):
        got = self._lock.acquire(False)
        if not got and blocking:
            self._meeting.lock_wait(self._owner)
            got = self._lock.acquire(True, timeout)
        if got:
            self._owner = threading.get_ident()
        return got

    def release(self):
        self._lock.release()
        if not getattr(self._lock, "_is_owned", lambda: False)():
            self._owner = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()

    def __getattr__(self, name):
        return getattr(self._lock, name)


class MeetingSet(set):
    """A real set (the items of REVOKED) whose `in` first waits for a second caller."""

    def __init__(self, items, meeting):
        super().__init__(items)
        self.meeting = meeting

    def __contains__(self, item):
        # The answer is read first, then held back: the wait only delays a request after its
        # check, which is an order of events that can happen anyway.
        found = super().__contains__(item)
        self.meeting.wait()
        return found


@pytest.mark.task(5)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Two POST /refresh with the same token arrived together and both got a 200. A `def` endpoint "
    "runs in a thread pool: hold a threading.Lock from the REVOKED check to REVOKED.add, or make "
    "the endpoint `async def` with no await between them."
)
def test_simultaneous_refreshes_of_one_token_give_one_200(api, monkeypatch):
    token = api.login()["refresh_token"]
    start = threading.Barrier(2, timeout=5)
    statuses = []

    meeting = Meeting(senders=set())

    def send():
        meeting.senders.add(threading.get_ident())
        try:
            start.wait()
        except threading.BrokenBarrierError:
            pass
        statuses.append(api.refresh(token).status_code)

    threads = [threading.Thread(target=send, daemon=True) for _ in range(2)]
    api.main.REVOKED = MeetingSet(api.main.REVOKED, meeting)
    for name, value in list(vars(api.main).items()):
        if isinstance(value, LOCK_TYPES):
            monkeypatch.setattr(api.main, name, WatchedLock(value, meeting))
    portal = api.client.portal
    meeting.loop_thread = portal.call(threading.get_ident)
    loop = portal.call(asyncio.get_running_loop)
    to_loop = loop.call_soon_threadsafe

    def handed(*args, **kwargs):
        handle = to_loop(*args, **kwargs)
        meeting.handed_to_loop()
        return handle

    loop.call_soon_threadsafe = handed
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    finally:
        del loop.call_soon_threadsafe
    assert not any(thread.is_alive() for thread in threads), (
        "two simultaneous POST /refresh did not answer within 10 seconds"
    )
    assert sorted(statuses) == [200, 401], (
        f"two simultaneous POST /refresh with the same refresh token answered {sorted(statuses)}: "
        "a refresh token is used once, so exactly one of them gets a 200 and the other a 401"
    )
