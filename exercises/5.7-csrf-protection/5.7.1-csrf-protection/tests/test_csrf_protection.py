"""Hidden tests for 5.7.1: a cookie-session bank protected against CSRF.

Each browser is its own TestClient on https://testserver with its own cookie jar. Forged
requests are built by hand: they carry the browser's own cookies (its session) except
`csrftoken`, whose value the test chooses, as a cookie-tossing attacker would. Money is
watched in the learner's BALANCES. Every security test ends with a positive control (the
browser's own token still works), so that refusing everything does not pass it."""

import hmac
import secrets
from html.parser import HTMLParser

import pytest

BASE = "https://testserver"
DETAIL = "CSRF check failed"
COOKIE = "csrftoken"
FIELD = "csrf_token"
KEEP = object()  # "send the browser's own csrftoken cookie"


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "USERS", "BALANCES", "TRUSTED_ORIGIN")


@pytest.fixture
def browser(main, app_client):
    """browser() -> a new browser (TestClient with its own cookie jar) on https://testserver."""

    def make():
        return app_client(main.app, base_url=BASE)

    return make


@pytest.fixture
def log_in(main):
    def do(client, user):
        response = client.post("/login", data={"username": user, "password": main.USERS[user]})
        assert response.status_code == 200, (
            f"POST /login as {user!r} answered {response.status_code}: {short(response.text)}"
        )
        return response

    return do


@pytest.fixture
def alice(browser, log_in):
    """A browser logged in as alice that has loaded GET /form: (client, its token)."""
    client = browser()
    log_in(client, "alice")
    return client, form_token(client)


@pytest.fixture
def digest_calls(main, monkeypatch):
    """Every call of compare_digest made while the test runs, whatever name it is called by."""
    original = hmac.compare_digest
    calls = []

    def watched(a, b):
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", watched)
    monkeypatch.setattr(secrets, "compare_digest", watched)
    for name, value in list(vars(main).items()):
        if value is original or value is secrets.compare_digest:
            monkeypatch.setattr(main, name, watched)
    return calls


# --- helpers ---------------------------------------------------------------------------


def short(text, size=200):
    return text if len(text) <= size else text[:size] + "..."


class Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append({k: v or "" for k, v in attrs})


def hidden_fields(page: str) -> list[dict]:
    parser = Inputs()
    parser.feed(page)
    return [i for i in parser.inputs if i.get("name") == FIELD]


def set_cookies(response) -> dict[str, dict]:
    """Each Set-Cookie of a response: name -> {"value", "attrs" (lower-case keys), "raw"}."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        first, *attrs = [part.strip() for part in header.split(";")]
        name, _, value = first.partition("=")
        flags = {}
        for attr in attrs:
            key, _, val = attr.partition("=")
            flags[key.strip().lower()] = val.strip()
        found[name.strip()] = {"value": value.strip().strip('"'), "attrs": flags, "raw": header}
    return found


def form_token(client) -> str:
    response = client.get("/form")
    assert response.status_code == 200, (
        f"GET /form (logged in) answered {response.status_code}: {short(response.text)}"
    )
    fields = hidden_fields(response.text)
    assert fields and fields[0].get("value"), (
        f"GET /form rendered no <input name={FIELD!r} value=...> holding the token: "
        f"{short(response.text, 400)}"
    )
    return fields[0]["value"]


def jar(client) -> dict:
    return {c.name: c.value for c in client.cookies.jar}


def post_transfer(client, token=KEEP, cookie=KEEP, headers=None, to="bob", amount=1):
    """POST /transfer from `client`. token: the csrf_token field (None: no field; KEEP: the
    browser's csrftoken cookie). cookie: the csrftoken cookie sent (None: none; KEEP: the
    browser's own)."""
    own = jar(client)
    if token is KEEP:
        token = own.get(COOKIE)
    data = {"to": to, "amount": str(amount)}
    if token is not None:
        data[FIELD] = token
    sent = {name: value for name, value in own.items() if name != COOKIE}
    if cookie is KEEP:
        cookie = own.get(COOKIE)
    if cookie is not None:
        sent[COOKIE] = cookie
    all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in sent.items())} if sent else {}
    all_headers.update(headers or {})
    return client.post("/transfer", data=data, headers=all_headers)


def other_token(token: str) -> str:
    """The token with its last character changed: same length, not the same value."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def refusal_problem(main, response, what, before) -> str | None:
    """Why `response` to a forged transfer is not a proper refusal, or None."""
    moved = dict(main.BALANCES) != before
    if response.status_code != 403:
        problem = f"{what} answered {response.status_code}: {short(response.text, 120)}"
    else:
        try:
            body = response.json()
        except ValueError:
            body = response.text
        problem = (
            None if body == {"detail": DETAIL} else f"{what} answered 403 with {short(str(body))}"
        )
    if moved:
        problem = f"{what} moved money (balances {before} -> {dict(main.BALANCES)})"
    return problem


def assert_own_token_still_works(main, client, token, what="its own token"):
    before = dict(main.BALANCES)
    response = post_transfer(client, token=token, cookie=token)
    assert response.status_code == 200, (
        f"POST /transfer with {what} (field and cookie) answered {response.status_code} after "
        f"the refusals: {short(response.text)}; a CSRF check must refuse forged requests only"
    )
    assert dict(main.BALANCES) != before, f"POST /transfer with {what} moved no money"


# --- Task 1: the token --------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    'In GET /form, make the token, render `<input type="hidden" name="csrf_token" '
    'value="...">` inside the form, and `response.set_cookie("csrftoken", token, ...)` on the '
    "same HTMLResponse you return."
)
def test_form_puts_the_same_token_in_a_hidden_field_and_the_cookie(browser, log_in):
    client = browser()
    log_in(client, "alice")
    response = client.get("/form")
    assert response.status_code == 200, (
        f"GET /form answered {response.status_code}: {short(response.text)}"
    )
    fields = hidden_fields(response.text)
    assert fields, f"GET /form rendered no <input name={FIELD!r}>: {short(response.text, 400)}"
    field = fields[0]
    assert field.get("type", "").lower() == "hidden", (
        f"the csrf_token input of GET /form has type {field.get('type')!r}, not 'hidden'"
    )
    cookies = set_cookies(response)
    assert COOKIE in cookies, f"GET /form set no {COOKIE!r} cookie; it set {sorted(cookies)}"
    assert field.get("value") and field["value"] == cookies[COOKIE]["value"], (
        f"GET /form put {field.get('value')!r} in the hidden field and "
        f"{cookies[COOKIE]['value']!r} in the cookie: they must be the same token"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`secrets.token_urlsafe(32)` gives 43 characters of randomness; make a new one for each "
    "session (a new login starts a new session), never one derived from the user name."
)
def test_tokens_are_long_random_and_differ_per_session(browser, log_in):
    tokens = {}
    for label, user in [("alice", "alice"), ("bob", "bob"), ("alice in a 2nd browser", "alice")]:
        client = browser()
        log_in(client, user)
        tokens[label] = form_token(client)
        if label == "alice":
            client.post("/logout")
            log_in(client, "alice")
            tokens["alice after logging in again"] = form_token(client)
    short_ones = {k: v for k, v in tokens.items() if len(v) < 32}
    assert not short_ones, f"tokens shorter than 32 characters: {short_ones}"
    assert len(set(tokens.values())) == len(tokens), f"two sessions got the same token: {tokens}"


# --- Task 2: the token check --------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A request with the field csrf_token equal to the csrftoken cookie that GET /form set, in "
    "the session it was issued to, goes through to move_money, as often as the page sends it: "
    "don't pop the token from the session when it is used."
)
def test_the_right_token_moves_money(main, alice):
    client, token = alice
    before = dict(main.BALANCES)
    response = client.post("/transfer", data={"to": "bob", "amount": "3", FIELD: token})
    assert response.status_code == 200, (
        f"POST /transfer with the token of GET /form answered {response.status_code}: "
        f"{short(response.text)}"
    )
    expected = {"from": "alice", "to": "bob", "amount": 3, "balance": before["alice"] - 3}
    assert response.json() == expected, (
        f"POST /transfer answered {short(response.text)}, expected {expected}"
    )
    assert main.BALANCES["bob"] == before["bob"] + 3, "bob's balance did not grow by 3"
    again = client.post("/transfer", data={"to": "bob", "amount": "2", FIELD: token})
    assert again.status_code == 200 and main.BALANCES["bob"] == before["bob"] + 5, (
        f"a second POST /transfer with the same token answered {again.status_code}: "
        f"{short(again.text)}; using a token does not spend it"
    )


@pytest.mark.task(2)
@pytest.mark.points(5)
@pytest.mark.hint(
    "Declare the field with a default, `csrf_token: Annotated[str | None, Form()] = None`, so "
    "that a missing field is your 403 and not FastAPI's 422; refuse an empty or missing field "
    "or cookie before comparing; compare bytes, `compare_digest(field.encode(), "
    "cookie.encode())`, and check that the cookie is the token issued to this session."
)
def test_missing_or_mismatched_token_is_refused(main, alice):
    client, token = alice
    made_up = secrets.token_urlsafe(32)
    attempts = {
        "no csrf_token field": {"token": None},
        "an empty csrf_token field": {"token": ""},
        "no csrftoken cookie": {"cookie": None},
        "a field that differs from the cookie": {"token": other_token(token)},
        "a cookie that differs from the field": {"cookie": other_token(token)},
        "an empty field and an empty cookie": {"token": "", "cookie": ""},
        "a made-up token in both the field and the cookie": {"token": made_up, "cookie": made_up},
        "a non-ASCII field": {"token": "\u00fc" * len(token)},
    }
    problems = []
    for what, options in attempts.items():
        before = dict(main.BALANCES)
        response = post_transfer(client, **options)
        problem = refusal_problem(main, response, f"POST /transfer with {what}", before)
        if problem:
            problems.append(problem)
    assert not problems, f"expected 403 {{'detail': {DETAIL!r}}} and no money moved: " + "; ".join(
        problems
    )
    assert_own_token_still_works(main, client, token)


@pytest.mark.task(2)
@pytest.mark.points(5)
@pytest.mark.hint(
    "A token is good only in the session it was issued to: keep it in `request.session` and "
    "check the cookie against that copy (or sign the session's own id into it). Equal field "
    "and cookie prove nothing when an attacker can set the cookie."
)
def test_token_from_another_session_is_refused(main, alice, browser, log_in):
    client, token = alice
    others = {}
    for label, user in [("bob's session", "bob"), ("another session of alice", "alice")]:
        other = browser()
        log_in(other, user)
        others[label] = form_token(other)
    problems = []
    for label, foreign in others.items():
        before = dict(main.BALANCES)
        response = post_transfer(client, token=foreign, cookie=foreign)
        what = f"POST /transfer from alice's browser with the token of {label} (field and cookie)"
        problem = refusal_problem(main, response, what, before)
        if problem:
            problems.append(problem)
    assert not problems, "; ".join(problems)
    assert_own_token_still_works(main, client, token)


@pytest.mark.task(2)
@pytest.mark.points(5)
@pytest.mark.hint(
    "A token dies with its session: logging out clears request.session, and every login "
    "starts a new one. Check the token against the current session's copy, not against the "
    "user."
)
def test_token_replayed_after_logout_or_new_login_is_refused(main, browser, log_in):
    problems = []
    for scenario in ["after a logout and a new login", "after a new login"]:
        client = browser()
        log_in(client, "alice")
        old = form_token(client)
        if scenario.startswith("after a logout"):
            client.post("/logout")
        log_in(client, "alice")
        before = dict(main.BALANCES)
        response = post_transfer(client, token=old, cookie=old)
        what = f"POST /transfer with alice's token from before, {scenario},"
        problem = refusal_problem(main, response, what, before)
        if problem:
            problems.append(problem)
        new = form_token(client)
        assert_own_token_still_works(
            main, client, new, f"the token of the new session ({scenario})"
        )
    assert not problems, "; ".join(problems)


@pytest.mark.task(2)
@pytest.mark.points(5)
@pytest.mark.hint(
    "Compare the field with the cookie with `secrets.compare_digest(field.encode(), "
    "cookie.encode())`; `==` or `!=` stops at the first differing character, and a check "
    "like that before compare_digest skips it for wrong tokens."
)
def test_field_is_compared_with_the_cookie_by_compare_digest(main, alice, digest_calls):
    client, token = alice
    forged = other_token(token)
    response = post_transfer(client, token=forged, cookie=token)
    assert response.status_code == 403, (
        f"POST /transfer with a field that differs from the cookie in its last character "
        f"answered {response.status_code}"
    )

    def text(value):
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else value

    pairs = [{text(a), text(b)} for a, b in digest_calls]
    assert {forged, token} in pairs, (
        "POST /transfer with a wrong field made no compare_digest call comparing the field "
        f"with the cookie ({len(digest_calls)} compare_digest calls, none on those two values)"
    )
    assert_own_token_still_works(main, client, token)


# --- Task 3: Origin and Referer -----------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.hint(
    "Origin, when present, must equal TRUSTED_ORIGIN; without Origin, the scheme://host[:port] "
    "of the Referer must; with neither, the token decides."
)
def test_same_origin_requests_pass(main, alice):
    client, token = alice
    for what, headers in [
        ("Origin: https://testserver", {"Origin": "https://testserver"}),
        ("Referer: https://testserver/form (no Origin)", {"Referer": "https://testserver/form"}),
    ]:
        response = post_transfer(client, headers=headers)
        assert response.status_code == 200, (
            f"POST /transfer with the right token and {what} answered {response.status_code}: "
            f"{short(response.text)}"
        )


@pytest.mark.task(3)
@pytest.mark.points(5)
@pytest.mark.hint(
    "Compare the whole origin, `origin == TRUSTED_ORIGIN`; for the Referer, rebuild "
    '`f"{parts.scheme}://{parts.netloc}"` from `urllib.parse.urlsplit(referer)` and compare '
    "that. `startswith` lets https://testserver.evil.example and "
    "https://testserver@evil.example in; a present Origin decides, whatever the Referer says."
)
def test_foreign_origin_or_referer_is_refused(main, alice):
    client, token = alice
    attempts = {
        "Origin: https://evil.example": {"Origin": "https://evil.example"},
        "Origin: null": {"Origin": "null"},
        "Origin: http://testserver": {"Origin": "http://testserver"},
        "Origin: https://testserver.evil.example": {"Origin": "https://testserver.evil.example"},
        "Origin: https://testserver:8443": {"Origin": "https://testserver:8443"},
        "Origin: https://evil.example and Referer: https://testserver/form": {
            "Origin": "https://evil.example",
            "Referer": "https://testserver/form",
        },
        "Referer: https://evil.example/pay": {"Referer": "https://evil.example/pay"},
        "Referer: https://testserver.evil.example/form": {
            "Referer": "https://testserver.evil.example/form"
        },
        "Referer: https://testserver@evil.example/form": {
            "Referer": "https://testserver@evil.example/form"
        },
        "Referer: http://testserver/form": {"Referer": "http://testserver/form"},
        "Referer: https://testserver:8443/form": {"Referer": "https://testserver:8443/form"},
    }
    problems = []
    for what, headers in attempts.items():
        before = dict(main.BALANCES)
        response = post_transfer(client, headers=headers)
        problem = refusal_problem(
            main, response, f"POST /transfer with the right token and {what}", before
        )
        if problem:
            problems.append(problem)
    assert not problems, f"expected 403 {{'detail': {DETAIL!r}}} and no money moved: " + "; ".join(
        problems
    )
    assert_own_token_still_works(main, client, token)


# --- Task 4: cookies and safe methods -----------------------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    'SessionMiddleware(app, secret_key=SECRET_KEY, same_site="lax", https_only=True): '
    "HttpOnly is always on; https_only adds Secure."
)
def test_session_cookie_is_httponly_lax_and_secure(main, browser, log_in):
    response = log_in(browser(), "alice")
    cookies = {k: v for k, v in set_cookies(response).items() if k != COOKIE}
    assert cookies, "POST /login set no session cookie"
    for name, cookie in cookies.items():
        attrs = cookie["attrs"]
        missing = [
            flag
            for flag, ok in [
                ("HttpOnly", "httponly" in attrs),
                ("SameSite=Lax", attrs.get("samesite", "").lower() == "lax"),
                ("Secure", "secure" in attrs),
            ]
            if not ok
        ]
        assert not missing, (
            f"the session cookie {name!r} set by POST /login lacks {', '.join(missing)}: "
            f"{cookie['raw']}"
        )


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    'response.set_cookie("csrftoken", token, path="/", secure=True, samesite="strict") '
    "(httponly=True too, if you like: the page carries the token)."
)
def test_csrf_cookie_is_secure_strict_and_site_wide(browser, log_in):
    client = browser()
    log_in(client, "alice")
    response = client.get("/form")
    cookies = set_cookies(response)
    assert COOKIE in cookies, f"GET /form set no {COOKIE!r} cookie"
    attrs = cookies[COOKIE]["attrs"]
    missing = [
        flag
        for flag, ok in [
            ("Secure", "secure" in attrs),
            ("SameSite=Strict", attrs.get("samesite", "").lower() == "strict"),
            ("Path=/", attrs.get("path") == "/"),
        ]
        if not ok
    ]
    assert not missing, (
        f"the {COOKIE} cookie set by GET /form lacks {', '.join(missing)}: {cookies[COOKIE]['raw']}"
    )


@pytest.mark.task(4)
@pytest.mark.hint(
    "Check the token on POST /transfer only (a dependency of that route), never on GET "
    "routes: GET /form is how a browser gets its token in the first place."
)
def test_get_requests_need_no_token(browser, log_in):
    client = browser()
    log_in(client, "alice")
    for path in ["/balance", "/form", "/balance"]:
        response = client.get(path)
        assert response.status_code == 200, (
            f"GET {path} (logged in, no token sent) answered {response.status_code}: "
            f"{short(response.text)}"
        )


@pytest.mark.task(4)
@pytest.mark.points(5)
@pytest.mark.hint(
    "Delete the GET /transfer route: SameSite=Lax sends the session cookie on a top-level GET "
    "navigation (a link, an <img>'s page, window.location), and no token is checked on GET. "
    "Moving money is a POST, always."
)
def test_get_never_moves_money(main, alice):
    client, token = alice
    before = dict(main.BALANCES)
    response = client.get("/transfer", params={"to": "bob", "amount": "5", FIELD: token})
    assert dict(main.BALANCES) == before, (
        f"GET /transfer?to=bob&amount=5&csrf_token=<the right token> answered "
        f"{response.status_code} and moved money: {before} -> {dict(main.BALANCES)}"
    )
    assert_own_token_still_works(main, client, token)
