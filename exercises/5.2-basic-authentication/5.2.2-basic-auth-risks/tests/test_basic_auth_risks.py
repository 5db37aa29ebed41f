"""Hidden tests for 5.2.2: decode_basic (credentials are only base64) and a brute-force guard.

decode_basic is called directly. The guard is tested through GET /users/me on a freshly imported
main.py (so that its module-level state starts empty), with a cheap recording pwdlib hasher and
the kit's fake clock in place of get_now, through one client for the module that each test
points at its own app. Time moves only by clock.advance."""

import base64

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

from grader import testing

PASSWORD = "correct-horse-battery-staple"
BOB_PASSWORD = "tulip-orbit-marble-42"
WINDOW = 15 * 60
DETAIL = "Too many failed attempts"


def b64(text: str, encoding: str = "utf-8") -> str:
    return base64.b64encode(text.encode(encoding)).decode("ascii")


# --- Task 1: decode_basic ------------------------------------------------------------------


@pytest.fixture
def decode_basic(learner):
    return learner.require("basic", "decode_basic").decode_basic


def call(decode_basic, header):
    """decode_basic(header), or the exception it raised, for the assertion messages."""
    try:
        return decode_basic(header)
    except Exception as exc:  # noqa: BLE001 - reported to the learner
        return exc


def refusals(decode_basic, cases: dict[str, str]) -> list[str]:
    """The cases that did not raise ValueError, described."""
    wrong = []
    for what, header in cases.items():
        got = call(decode_basic, header)
        if not isinstance(got, ValueError):
            shown = type(got).__name__ if isinstance(got, Exception) else f"returned {got!r}"
            wrong.append(f"{what} ({header!r}): {shown}")
    return wrong


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Basic YWxpY2U6c2VjcmV0", ("alice", "secret")),
        ("basic " + b64("bob:hunter2"), ("bob", "hunter2")),
        ("BASIC " + b64("carol:Tr0ub4dor&3"), ("carol", "Tr0ub4dor&3")),
    ],
    ids=["Basic", "basic", "BASIC"],
)
def test_decodes_username_and_password(decode_basic, header, expected):
    got = call(decode_basic, header)
    assert got == expected and isinstance(got, tuple), (
        f"decode_basic({header!r}) gave {got!r}, expected the tuple {expected!r}"
    )


@pytest.mark.task(1)
@pytest.mark.hint("Decode the bytes with `.decode('utf-8')`: RFC 7617's charset for Basic.")
def test_decodes_utf8_credentials(decode_basic):
    header = "Basic " + b64("zoë:pässwörd")
    got = call(decode_basic, header)
    assert got == ("zoë", "pässwörd"), (
        f"decode_basic of the base64 of 'zoë:pässwörd' (UTF-8) gave {got!r}"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Split at the first colon only: `text.partition(':')` or `text.split(':', 1)`. A password "
    "may contain colons and may be empty."
)
def test_splits_at_the_first_colon(decode_basic):
    for text, expected in [("a:b:c", ("a", "b:c")), ("alice:", ("alice", ""))]:
        got = call(decode_basic, "Basic " + b64(text))
        assert got == expected, f"decode_basic of the base64 of {text!r} gave {got!r}"


@pytest.mark.task(1)
@pytest.mark.hint(
    "Check the scheme before decoding: `scheme, _, token = header.partition(' ')`, then "
    "`scheme.lower() == 'basic'` and a non-empty token, else raise ValueError. Indexing "
    "`header.split()[1]` raises IndexError for 'Basic' alone."
)
def test_wrong_or_missing_scheme_raises_value_error(decode_basic):
    wrong = refusals(
        decode_basic,
        {
            "an empty value": "",
            "the scheme alone": "Basic",
            "the base64 without the scheme": "YWxpY2U6c2VjcmV0",
            "a Bearer token": "Bearer YWxpY2U6c2VjcmV0",
            "a Digest value": 'Digest username="alice", realm="api"',
        },
    )
    assert not wrong, "decode_basic did not raise ValueError for " + "; ".join(wrong)


@pytest.mark.task(1)
@pytest.mark.hint(
    "The scheme and the token are separated by exactly one space, with nothing before or after "
    "them: `header.partition(' ')` keeps the rest in the token, where `b64decode(..., "
    "validate=True)` refuses any blank. `header.split()` accepts any run of whitespace."
)
def test_other_whitespace_raises_value_error(decode_basic):
    token = "YWxpY2U6c2VjcmV0"  # alice:secret
    wrong = refusals(
        decode_basic,
        {
            "a tab between the scheme and the token": "Basic\t" + token,
            "two spaces between the scheme and the token": "Basic  " + token,
            "a space before the scheme": " Basic " + token,
            "a space after the token": "Basic " + token + " ",
            "a newline after the token": "Basic " + token + "\n",
        },
    )
    assert not wrong, "decode_basic did not raise ValueError for " + "; ".join(wrong)


@pytest.mark.task(1)
@pytest.mark.hint(
    "`base64.b64decode(token, validate=True)`: without validate=True, characters outside the "
    "alphabet are silently dropped, and so is a '=' inside the token, even when you checked "
    "the characters yourself. It raises binascii.Error, a ValueError, for bad input."
)
def test_invalid_base64_raises_value_error(decode_basic):
    wrong = refusals(
        decode_basic,
        {
            "a character outside the alphabet": "Basic YWxpY2U6c2VjcmV0!",
            "a '*' inside the token": "Basic YWxp*Y2U6c2VjcmV0",
            "the URL-safe alphabet": "Basic " + base64.urlsafe_b64encode(b"ab?:>>>").decode(),
            "a missing padding": "Basic " + b64("alice:pw").rstrip("="),
            "a padding inside the token": "Basic YWxp=Y2U6c2VjcmV0",
            "a padding before the token": "Basic =YWxpY2U6c2VjcmV0",
        },
    )
    assert not wrong, "decode_basic did not raise ValueError for " + "; ".join(wrong)


@pytest.mark.task(1)
def test_no_colon_or_not_utf8_raises_value_error(decode_basic):
    wrong = refusals(
        decode_basic,
        {
            "base64 of 'alice' (no colon)": "Basic " + b64("alice"),
            "base64 of an empty string": "Basic " + b64("") + "====",
            "base64 of Latin-1 bytes (not UTF-8)": "Basic " + b64("zoë:pässwörd", "latin-1"),
        },
    )
    assert not wrong, "decode_basic did not raise ValueError for " + "; ".join(wrong)


# --- Task 2: the brute-force guard ---------------------------------------------------------


class RecordingHash(PasswordHash):
    """A pwdlib PasswordHash at the cheapest cost that records each verify: Argon2id with one
    pass over the least memory it takes (8 KiB: ~0.03 ms a hash, against ~0.5 ms with 1 MiB),
    bcrypt with 4 rounds."""

    def __init__(self, bcrypt_first: bool):
        argon2 = Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1)
        bcrypt = BcryptHasher(rounds=4)
        super().__init__((bcrypt, argon2) if bcrypt_first else (argon2, bcrypt))
        self.verified: list[str] = []

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
        "main", "app", "USERS", "create_user", "password_hash", "get_now", fresh=True
    )
    main.USERS.clear()
    monkeypatch.setattr(main, "password_hash", RecordingHash(uses_bcrypt(main.password_hash)))

    async def now():  # async: FastAPI calls it on the event loop, not through a worker thread
        return clock.monotonic()

    overrides(main.app, {main.get_now: now})
    main.create_user("alice", PASSWORD)
    main.create_user("bob", BOB_PASSWORD)
    return main


@pytest.fixture(scope="module")
def module_client():
    """One client for the module, its requests on one event loop: each test points it at the
    app of its own freshly imported main.py."""
    current = testing.CurrentApp()
    with testing.looped_client(current) as client:
        yield client, current


@pytest.fixture
def client(main, module_client):
    client, current = module_client
    current.app = main.app
    yield client
    current.app = None


class Login:
    """GET /users/me as one user, with the assertion messages saying what was sent when."""

    def __init__(self, client, clock, username):
        self.client, self.clock, self.username = client, clock, username

    def __call__(self, password):
        return self.client.get("/users/me", auth=(self.username, password))

    def at(self):
        return f"t={self.clock.elapsed:g}s"

    def fail(self, times=1, strict=False):
        """`times` wrong passwords; `strict`: each must answer 401 with the Basic challenge
        (elsewhere they only set the scene, and the test's own assertions decide)."""
        for n in range(times):
            response = self(f"wrong-guess-{n}")
            if not strict:
                continue
            assert response.status_code == 401, (
                f"at {self.at()}, a wrong password for {self.username!r} answered "
                f"{response.status_code}, not 401: {response.text[:200]}"
            )
            challenge = response.headers.get("www-authenticate", "")
            assert challenge.lower().startswith("basic"), (
                f"at {self.at()}, the 401 for a wrong password of {self.username!r} had "
                f"WWW-Authenticate {challenge!r}, not the starter's Basic challenge"
            )

    def expect(self, password, status, what):
        response = self(password)
        assert response.status_code == status, (
            f"at {self.at()}, {what} for {self.username!r} answered {response.status_code}, "
            f"not {status}: {response.text[:200]}"
        )
        return response

    def locked(self, retry_after, what="the right password"):
        response = self.expect(PASSWORD if self.username == "alice" else "x", 429, what)
        assert response.headers.get("retry-after") == str(retry_after), (
            f"at {self.at()}, the 429 for {self.username!r} had Retry-After "
            f"{response.headers.get('retry-after')!r}, expected '{retry_after}'"
        )
        return response


@pytest.fixture
def alice(client, clock):
    return Login(client, clock, "alice")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Keep the starter's answers for the first failures: 401 with `WWW-Authenticate: Basic` "
    "for a wrong password, 200 `{'username': ...}` for the right one."
)
def test_wrong_passwords_are_401_until_the_fifth(alice):
    alice.fail(4, strict=True)
    response = alice.expect(PASSWORD, 200, "the right password after 4 wrong ones")
    assert response.json() == {"username": "alice"}, (
        f"GET /users/me as alice answered {response.text[:200]}, expected {{'username': 'alice'}}"
    )
    alice.fail(5, strict=True)


@pytest.mark.task(2)
@pytest.mark.points(6)
@pytest.mark.hint(
    "Check the lock first, before the password: while the username has 5 failures that count, "
    "raise the 429 whatever password was sent. Otherwise the attacker's right guess is "
    "answered 200 and the lock stops nothing."
)
def test_the_sixth_attempt_is_refused_even_with_the_right_password(alice):
    alice.fail(5)
    alice.expect(PASSWORD, 429, "the right password after 5 wrong ones")
    alice.expect("another-guess", 429, "a 7th attempt")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`HTTPException(429, detail='Too many failed attempts', headers={'Retry-After': "
    "str(seconds)})`, the seconds rounded up with `math.ceil` (not `round`, which rounds "
    "298.5 down to 298) and computed from the oldest of the failures that still count."
)
def test_429_has_the_detail_and_a_retry_after(alice, clock):
    alice.fail(5)
    response = alice.locked(WINDOW)
    assert response.json() == {"detail": DETAIL}, (
        f"the 429 answered {response.text[:200]}, expected {{'detail': {DETAIL!r}}}"
    )
    clock.advance(600)
    alice.locked(300)
    clock.advance(0.5)
    alice.locked(300, "the right password (Retry-After 299.5 s rounds up to 300)")
    clock.advance(1)
    alice.locked(299, "the right password (Retry-After 298.5 s rounds up to 299)")


@pytest.mark.task(2)
@pytest.mark.hint(
    "The password is not checked while the username is locked: answer the 429 before calling "
    "authenticate, so that an attacker cannot make the server run one slow hash per guess."
)
def test_a_locked_attempt_runs_no_verify(main, alice):
    alice.fail(5)
    main.password_hash.verified.clear()
    alice.expect(PASSWORD, 429, "the right password after 5 wrong ones")
    assert not main.password_hash.verified, (
        "the 429 for a locked username still called password_hash.verify"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A failure counts while `now < t + WINDOW_SECONDS`: at exactly 900 s after the oldest of "
    "the five, the username is free again."
)
def test_the_lock_lifts_when_the_oldest_failure_is_15_minutes_old(alice, clock):
    alice.fail(5)
    clock.advance(WINDOW - 1)
    alice.locked(1)
    clock.advance(1)
    alice.expect(PASSWORD, 200, "the right password 15 minutes after the 5 failures")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Keep the time of each failure and count only those of the last 15 minutes; a counter "
    "that only a success resets remembers failures forever."
)
def test_failures_older_than_15_minutes_stop_counting(alice, clock):
    for _ in range(4):
        alice.fail()
        clock.advance(100)
    clock.advance(WINDOW - 400)  # now t=900: the first failure (t=0) no longer counts
    alice.fail()  # four failures count: t=100, 200, 300, 900
    alice.expect(PASSWORD, 200, "the right password with 4 failures of the last 15 minutes")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The window slides: at any moment, count the failures of the last 15 minutes. A lock of a "
    "fixed 15 minutes from the 5th failure, or a count reset every 15 minutes, is not that."
)
def test_the_window_slides(alice, clock):
    alice.fail()  # t=0
    clock.advance(850)
    alice.fail(4)  # t=850: five failures count
    alice.locked(50)  # until the one of t=0 is 900 s old
    clock.advance(50)  # t=900: four failures count
    alice.fail()  # five again: t=850 x4 and t=900
    alice.locked(850)


@pytest.mark.task(2)
@pytest.mark.hint(
    "Answer the 429 without recording anything: only a checked and refused password is a "
    "failure. Otherwise an attacker keeps the lock on forever."
)
def test_refused_attempts_do_not_extend_the_lock(alice, clock):
    alice.fail(5)  # t=0
    clock.advance(600)
    for _ in range(5):
        alice.locked(300, "an attempt during the lock")
    clock.advance(300)
    alice.expect(PASSWORD, 200, "the right password once the 5 failures of t=0 expired")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint("On a successful login, delete the username's recorded failures.")
def test_a_success_forgets_the_failures(alice):
    alice.fail(4)
    alice.expect(PASSWORD, 200, "the right password after 4 wrong ones")
    alice.fail(4)
    alice.expect(PASSWORD, 200, "the right password after 4 more wrong ones")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint("Keep the failures in a dict keyed by the username, not in one counter.")
def test_each_username_has_its_own_count(alice, client, clock):
    bob = Login(client, clock, "bob")
    alice.fail(5)
    bob.expect(BOB_PASSWORD, 200, "the right password while alice is locked")
    bob.fail(4)
    bob.expect(BOB_PASSWORD, 200, "the right password after 4 wrong ones")
    alice.locked(WINDOW)


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Key the failures by the username exactly as sent, without `.lower()`: `Alice` is not "
    "`alice` (USERS tells them apart), so each has its own count."
)
def test_usernames_that_differ_in_case_have_their_own_counts(alice, client, clock):
    upper = Login(client, clock, "Alice")
    upper.fail(5)  # 'Alice' is not in USERS: five failures of an unknown username
    alice.expect(PASSWORD, 200, "the right password while 'Alice' is locked")
    Login(client, clock, "ALICE").expect("a-guess", 401, "a first wrong password")
    upper.locked(WINDOW, "an attempt after alice's success")
    alice.fail(5)
    Login(client, clock, "aLiCe").expect("a-guess", 401, "a first wrong password")


@pytest.mark.task(2)
@pytest.mark.points(6)
@pytest.mark.hint(
    "Record a failure for the username as sent, whether or not it is in USERS: a lock that "
    "only real usernames get tells an attacker which ones exist."
)
def test_unknown_usernames_are_locked_too(client, clock):
    mallory = Login(client, clock, "mallory")
    mallory.fail(4, strict=True)  # answered like a known user's wrong password
    mallory.fail()
    mallory.expect("another-guess", 429, "a 6th attempt")
