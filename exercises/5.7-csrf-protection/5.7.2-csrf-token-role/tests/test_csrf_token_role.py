"""Hidden tests for 5.7.2: generate_csrf_token / validate_csrf_token in csrf.py.

The token's format is the learner's: tests only make tokens with generate_csrf_token, change
them character by character, and hand them to validate_csrf_token. The HMAC is watched through
the hmac module (hmac.new, hmac.digest, hmac.HMAC, and any name csrf.py bound them to), and
compare_digest in hmac, secrets and csrf.py."""

import base64
import hashlib
import hmac
import random
import re
import secrets

import pytest

SECRET = b"k" * 16 + bytes(range(16))
OTHER_SECRET = b"another-key-of-32-bytes-00000000"
SESSION = "sess-5Zq8rT1wXy3mK9pL2nB7vC4dF6gH0jA"
OTHER_SESSION = "sess-Hk3Lm9Np2Qr8St5Uv1Wx7Yz4Ab6Cd0E"
NOW = 1_767_225_600  # 2026-01-01T00:00:00Z
URL_SAFE = re.compile(r"[A-Za-z0-9_.~-]+")
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@pytest.fixture
def csrf(learner):
    return learner.require("csrf", "generate_csrf_token", "validate_csrf_token")


@pytest.fixture
def digest_calls(csrf, monkeypatch):
    """Every compare_digest call made while the test runs, whatever name it is called by."""
    original = hmac.compare_digest
    calls = []

    def watched(a, b):
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", watched)
    monkeypatch.setattr(secrets, "compare_digest", watched)
    for name, value in list(vars(csrf).items()):
        if value is original or value is secrets.compare_digest:
            monkeypatch.setattr(csrf, name, watched)
    return calls


def digest_name(digestmod) -> str:
    try:
        if isinstance(digestmod, str):
            return hashlib.new(digestmod).name
        if callable(digestmod):
            return digestmod().name
        return digestmod.new().name  # a PEP 247 module
    except Exception:
        return repr(digestmod)


class HmacCalls(list):
    """The digest names of the HMACs made (a list), and the HMAC-SHA256 values they gave."""

    def __init__(self) -> None:
        super().__init__()
        self.sha256_objects: list = []
        self.sha256_values: list[bytes] = []

    def sha256_digests(self) -> list[bytes]:
        """Each HMAC-SHA256 made so far, as the 32 bytes it gives (an HMAC object as it is
        now: once generate_csrf_token returned, as it was when it was read)."""
        return self.sha256_values + [h.digest() for h in self.sha256_objects]


@pytest.fixture
def hmac_calls(csrf, monkeypatch):
    """The digest name of every HMAC made while the test runs: hmac.new, hmac.digest and
    hmac.HMAC, also under the names csrf.py imported them as; `.sha256_digests()` gives the
    values of the HMAC-SHA256 ones."""
    calls = HmacCalls()
    original_new, original_digest, original_class = hmac.new, hmac.digest, hmac.HMAC

    class WatchedHMAC(original_class):
        def __init__(self, key, msg=None, digestmod=""):
            name = digest_name(digestmod)
            calls.append(name)
            super().__init__(key, msg, digestmod)
            if name == "sha256":
                calls.sha256_objects.append(self)

    def new(key, msg=None, digestmod=""):
        return WatchedHMAC(key, msg, digestmod)

    def digest(key, msg, digest):
        name = digest_name(digest)
        calls.append(name)
        value = original_digest(key, msg, digest)
        if name == "sha256":
            calls.sha256_values.append(value)
        return value

    replacements = {original_new: new, original_digest: digest, original_class: WatchedHMAC}
    monkeypatch.setattr(hmac, "new", new)
    monkeypatch.setattr(hmac, "digest", digest)
    monkeypatch.setattr(hmac, "HMAC", WatchedHMAC)
    for name, value in list(vars(csrf).items()):
        for original, replacement in replacements.items():
            if value is original:
                monkeypatch.setattr(csrf, name, replacement)
    return calls


def short(text, size=120):
    text = str(text)
    return text if len(text) <= size else text[:size] + "..."


def changed(char: str) -> str:
    """Another character: for a base64url character, one that differs in its top bit (so that
    it changes the decoded bytes even in a last, partly padded position)."""
    index = B64.find(char)
    if index >= 0:
        return B64[index ^ 32]
    return "A" if char != "A" else "B"


def validate(csrf, token, **options):
    args = {"session_id": SESSION, "secret": SECRET, "now": NOW}
    args.update(options)
    return csrf.validate_csrf_token(token, args.pop("session_id"), args.pop("secret"), **args)


def call_validate(csrf, token, **options):
    """(result, exception text or None): validate must never raise."""
    try:
        return validate(csrf, token, **options), None
    except Exception as exc:  # noqa: BLE001 - reported to the learner
        return None, f"{type(exc).__name__}: {exc}"


def refused(csrf, cases):
    """The cases (what -> kwargs for validate) that did not give False."""
    wrong = []
    for what, (token, options) in cases.items():
        result, error = call_validate(csrf, token, **options)
        if error is not None:
            wrong.append(f"{what} raised {error}")
        elif result is not False:
            wrong.append(f"{what} gave {result!r}")
    return wrong


def assert_round_trip(csrf, token):
    result, error = call_validate(csrf, token)
    assert error is None and result is True, (
        f"validate_csrf_token on a fresh token of the same session and secret gave "
        f"{error or repr(result)}, not True (the refusals above only count when good tokens pass)"
    )


# --- Task 1: generate ---------------------------------------------------------------------


@pytest.mark.task(1)
def test_token_is_url_safe_text(csrf):
    tokens = [csrf.generate_csrf_token(SESSION, SECRET, NOW + i) for i in range(20)]
    bad = [t for t in tokens if not isinstance(t, str) or not URL_SAFE.fullmatch(t)]
    assert not bad, (
        "generate_csrf_token returned tokens that are not made only of A-Z a-z 0-9 - _ . ~: "
        f"{short(bad[0])!r}"
    )


@pytest.mark.task(1)
def test_tokens_for_the_same_input_differ(csrf):
    tokens = [csrf.generate_csrf_token(SESSION, SECRET, NOW) for _ in range(50)]
    assert len(set(tokens)) == len(tokens), (
        f"50 tokens for the same session, secret and time hold only {len(set(tokens))} "
        "different values: each token needs a fresh random nonce"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The nonce must come from `secrets` (`secrets.token_urlsafe(16)`): `random` is a "
    "predictable generator, and the same seed gives the same 'random' nonce."
)
def test_nonce_does_not_come_from_random(csrf):
    random.seed(2026)
    first = csrf.generate_csrf_token(SESSION, SECRET, NOW)
    random.seed(2026)
    second = csrf.generate_csrf_token(SESSION, SECRET, NOW)
    random.seed()
    assert first != second, (
        "after random.seed(2026), generate_csrf_token gave the same token twice: the nonce "
        "comes from the predictable `random` module"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Sign with `hmac.new(secret, message, hashlib.sha256)` (or `hmac.digest(..., "
    "'sha256')`). `hashlib.sha256(secret + message)` is not an HMAC (it can be extended "
    "without the key), and itsdangerous's Signer uses SHA-1 unless you pass "
    "`digest_method=hashlib.sha256`."
)
def test_token_is_signed_with_hmac_sha256(csrf, hmac_calls):
    csrf.generate_csrf_token(SESSION, SECRET, NOW)
    assert "sha256" in hmac_calls, (
        "generate_csrf_token computed no HMAC-SHA256 through the hmac module "
        f"(HMACs seen: {hmac_calls or 'none'})"
    )


def written_in(token: str, digest: bytes) -> str | None:
    """How the token holds all 32 bytes of `digest`: as hex, or as base64url, alone or at any
    offset inside a larger base64url text (only the characters that depend on the digest
    alone are looked for). None when it does not hold them whole."""
    if digest.hex() in token.lower():
        return "hex"
    for shift in range(3):
        text = base64.urlsafe_b64encode(b"\0" * shift + digest).decode()
        start, end = -(-8 * shift // 6), 8 * (shift + len(digest)) // 6
        if text[start:end] in token:
            return "base64url"
    return None


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Put the whole HMAC-SHA256 in the token, all 32 bytes (64 hex or 43 base64url "
    "characters): a signature cut to a few characters is guessed by trying tokens (24 bits "
    "fall in a few million tries)."
)
def test_token_holds_the_whole_signature(csrf, hmac_calls):
    token = csrf.generate_csrf_token(SESSION, SECRET, NOW)
    digests = hmac_calls.sha256_digests()
    assert digests, (
        "generate_csrf_token computed no HMAC-SHA256 through the hmac module "
        f"(HMACs seen: {list(hmac_calls) or 'none'})"
    )
    assert any(written_in(token, digest) for digest in digests), (
        f"the token {short(token)!r} does not hold any of the {len(digests)} HMAC-SHA256 "
        "values generate_csrf_token computed whole (32 bytes, as hex or base64url): a "
        "shortened signature can be guessed"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Sign the session id, don't write it: the token goes into pages and cookies that scripts "
    "can read, the session id must not. validate_csrf_token receives the session id anyway."
)
def test_session_id_is_not_in_the_token(csrf):
    token = csrf.generate_csrf_token(SESSION, SECRET, NOW)
    raw = SESSION.encode()
    forms = {"the session id": SESSION, "its hex": raw.hex()}
    for pad in range(3):  # base64 of the id, wherever it starts in an encoded block
        for name, encode in [
            ("base64url", base64.urlsafe_b64encode),
            ("base64", base64.b64encode),
        ]:
            forms[f"its {name} (at offset {pad})"] = encode(b"\0" * pad + raw).decode()[4:-4]
    found = [what for what, form in forms.items() if form and form in token]
    assert not found, f"the token {short(token)!r} contains {found[0]}"


# --- Task 2: validate ---------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_fresh_token_validates(csrf):
    token = csrf.generate_csrf_token(SESSION, SECRET, NOW)
    for what, options in [
        ("at once", {}),
        ("10 minutes later", {"now": NOW + 600}),
        ("for a session id with unusual characters", None),
    ]:
        if options is None:
            session = "a.b|c \u00e9"
            token_for = csrf.generate_csrf_token(session, SECRET, NOW)
            result, error = call_validate(csrf, token_for, session_id=session)
        else:
            result, error = call_validate(csrf, token, **options)
        assert error is None and result is True, (
            f"validate_csrf_token on a fresh token of the same session and secret, {what}, "
            f"gave {error or repr(result)}, not True"
        )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Valid while `now - issued <= max_age`: at exactly max_age seconds it still passes, one "
    "second later it fails. Use the max_age argument, 3600 by default."
)
def test_max_age_boundaries(csrf):
    token = csrf.generate_csrf_token(SESSION, SECRET, NOW)
    cases = [
        ("3600 s later (default max_age)", {"now": NOW + 3600}, True),
        ("3601 s later (default max_age)", {"now": NOW + 3601}, False),
        ("60 s later with max_age=60", {"now": NOW + 60, "max_age": 60}, True),
        ("61 s later with max_age=60", {"now": NOW + 61, "max_age": 60}, False),
        ("2 hours later with max_age=7200", {"now": NOW + 7200, "max_age": 7200}, True),
    ]
    wrong = []
    for what, options, expected in cases:
        result, error = call_validate(csrf, token, **options)
        if error is not None or result is not expected:
            wrong.append(f"{what}: {error or repr(result)} (expected {expected})")
    assert not wrong, "validate_csrf_token: " + "; ".join(wrong)


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Wrap the whole parse in `try: ... except Exception: return False`; compare bytes "
    "(compare_digest raises TypeError for a non-ASCII str); a token is attacker input."
)
def test_garbage_gives_false_and_never_raises(csrf):
    token = csrf.generate_csrf_token(SESSION, SECRET, NOW)
    garbage = [
        "",
        "abc",
        ".",
        "..",
        "...",
        "a.b.c",
        "1.2.3",
        "-1.x.y",
        "nan.x.y",
        "\u00e9\u00e9\u00e9",
        "\U0001f642",
        "\x00",
        "x" * 10_000,
        "." * 1000,
        token[:-1] + "\u00e9",
        "\u00e9" + token,
    ]
    cases = {f"the token {short(g, 40)!r}": (g, {}) for g in garbage}
    wrong = refused(csrf, cases)
    assert not wrong, "validate_csrf_token must answer False: " + "; ".join(wrong)


@pytest.mark.task(2)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Put the session id into the signed message; validate recomputes the signature with the "
    "session id it is given, so a token issued to another session fails."
)
def test_token_of_another_session_is_refused(csrf):
    token = csrf.generate_csrf_token(OTHER_SESSION, SECRET, NOW)
    mine = csrf.generate_csrf_token(SESSION, SECRET, NOW)
    wrong = refused(
        csrf,
        {
            "a token issued to another session": (token, {}),
            "a token issued to a session whose id is a prefix of this one": (
                csrf.generate_csrf_token(SESSION[:-1], SECRET, NOW),
                {},
            ),
            "this session's token, checked for the empty session id": (mine, {"session_id": ""}),
        },
    )
    assert not wrong, "validate_csrf_token must answer False: " + "; ".join(wrong)
    assert_round_trip(csrf, mine)


@pytest.mark.task(2)
@pytest.mark.points(4)
@pytest.mark.hint(
    "The signature is an HMAC keyed with `secret`: validate recomputes it with the secret it "
    "is given; a hard-coded key, or none, lets anyone make tokens."
)
def test_token_signed_with_another_secret_is_refused(csrf):
    token = csrf.generate_csrf_token(SESSION, OTHER_SECRET, NOW)
    wrong = refused(csrf, {"a token signed with another secret": (token, {})})
    assert not wrong, "validate_csrf_token must answer False: " + "; ".join(wrong)
    assert_round_trip(csrf, csrf.generate_csrf_token(SESSION, SECRET, NOW))


@pytest.mark.task(2)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Everything in the token must be covered by the signature (the timestamp and the nonce "
    "too), and every part must be checked: a later timestamp written into an old token must "
    "fail, not extend its life."
)
def test_tampered_token_is_refused(csrf):
    token = csrf.generate_csrf_token(SESSION, SECRET, NOW)
    cases = {}
    for i, char in enumerate(token):
        forged = token[:i] + changed(char) + token[i + 1 :]
        cases[f"the token with character {i} ({char!r}) changed"] = (forged, {})
    cases["the token without its last character"] = (token[:-1], {})
    cases["the token with a character added"] = (token + "A", {})
    later = NOW + 7200
    for name, old, new in [
        ("decimal", str(NOW), str(later)),
        ("hex", format(NOW, "x"), format(later, "x")),
        ("HEX", format(NOW, "X"), format(later, "X")),
    ]:
        if token.count(old) == 1:
            what = f"the token with its issue time ({name} {old}) moved 2 hours later, at that time"
            cases[what] = (token.replace(old, new), {"now": later + 60})
    wrong = refused(csrf, cases)
    assert not wrong, (
        f"validate_csrf_token must answer False (token {short(token, 80)!r}): "
        + "; ".join(wrong[:5])
    )
    assert_round_trip(csrf, token)


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A base64 text has spare bits in its last character: several spellings decode to the same "
    "bytes. Compare the text of the signature (or check that the token re-encodes to exactly "
    "itself) rather than what it decodes to, and the same for every part you decode."
)
def test_every_replacement_of_any_character_is_refused(csrf):
    token = csrf.generate_csrf_token(SESSION, SECRET, NOW)
    wrong = []
    for i, char in enumerate(token):
        for other in B64:
            if other != char:
                forged = token[:i] + other + token[i + 1 :]
                result, error = call_validate(csrf, forged)
                if error is not None or result is not False:
                    wrong.append(
                        f"character {i} ({char!r}) replaced by {other!r} gave {error or result!r}"
                    )
    assert not wrong, (
        f"validate_csrf_token must answer False for every one-character change of the token "
        f"{short(token, 80)!r} ({len(wrong)} did not): " + "; ".join(wrong[:5])
    )
    assert_round_trip(csrf, token)


ADDED = B64 + ".~+ "


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Parse strictly: `int()` accepts `'01000'`, `'+1000'`, `' 1000'` and `'1_000'` for the "
    "same number. Sign the parts as the text the token holds, or check that each part is the "
    "one spelling your generator writes (`str(int(text)) == text`, a re-encoding equal to the "
    "text)."
)
def test_a_character_added_anywhere_is_refused(csrf):
    token = csrf.generate_csrf_token(SESSION, SECRET, NOW)
    wrong = []
    for i in range(len(token) + 1):
        for added in ADDED:
            forged = token[:i] + added + token[i:]
            result, error = call_validate(csrf, forged)
            if error is not None or result is not False:
                wrong.append(f"{added!r} added at position {i} gave {error or result!r}")
    assert not wrong, (
        f"validate_csrf_token must answer False for the token {short(token, 80)!r} with one "
        f"character added ({len(wrong)} did not): " + "; ".join(wrong[:5])
    )
    assert_round_trip(csrf, token)


@pytest.mark.task(2)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Read the issue time from the (signed) token and refuse when `now - issued > max_age`."
)
def test_expired_token_is_refused(csrf):
    token = csrf.generate_csrf_token(SESSION, SECRET, NOW)
    wrong = refused(
        csrf,
        {
            "a token 2 hours old": (token, {"now": NOW + 7200}),
            "a token 10 minutes old with max_age=300": (token, {"now": NOW + 600, "max_age": 300}),
            "a token a year old": (token, {"now": NOW + 365 * 86400}),
        },
    )
    assert not wrong, "validate_csrf_token must answer False: " + "; ".join(wrong)
    assert_round_trip(csrf, token)


# --- Task 3: constant time ----------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(4)
@pytest.mark.hint(
    "`hmac.compare_digest(given.encode(), expected.encode())`: `==` or `!=` stops at the first "
    "differing character, and a check like that before compare_digest skips it for wrong "
    "signatures."
)
def test_signatures_are_compared_with_compare_digest(csrf, digest_calls):
    forged = csrf.generate_csrf_token(SESSION, OTHER_SECRET, NOW)
    digest_calls.clear()
    result, error = call_validate(csrf, forged)
    assert error is None and result is False, (
        f"validate_csrf_token on a token signed with another secret gave {error or repr(result)}"
    )
    assert digest_calls, (
        "validate_csrf_token refused a token with a wrong signature without calling "
        "compare_digest: the signature was compared some other way"
    )
    assert_round_trip(csrf, csrf.generate_csrf_token(SESSION, SECRET, NOW))
