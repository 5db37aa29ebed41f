"""Hidden tests for 5.7.3: CSRFMiddleware (csrf_middleware.py) wired into main.app.

Every request is sent with exactly the cookies the test names (an explicit Cookie header, the
client's jar emptied first), over https://testserver. Parameters (cookie and header names,
exempt paths) are tested on a small app of the tests' own, wrapped in the learner's class.
Every security test ends with a positive control, so that refusing everything fails it."""

import hmac
import re
import secrets

import pytest
from fastapi import FastAPI, Response

BASE = "https://testserver"
DETAIL = {"detail": "CSRF token missing or invalid"}
URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "SESSIONS", "API_TOKENS", "NOTES")


@pytest.fixture
def mw(learner):
    return learner.require("csrf_middleware", "CSRFMiddleware")


@pytest.fixture
def client(main, app_client):
    return app_client(main.app, base_url=BASE)


@pytest.fixture
def session(main):
    """The cookies of alice's browser session."""
    return {"session": next(iter(main.SESSIONS))}


@pytest.fixture
def api_token(main):
    return next(iter(main.API_TOKENS))


@pytest.fixture
def token(client, session):
    """A csrftoken cookie value, as the middleware hands it out on a GET."""
    response = send(client, "GET", "/api/notes", cookies=session)
    value = set_cookies(response).get("csrftoken", {}).get("value")
    assert value, (
        "GET /api/notes without a csrftoken cookie got no Set-Cookie for csrftoken "
        f"(it answered {response.status_code}, Set-Cookie: "
        f"{response.headers.get_list('set-cookie')})"
    )
    return value


@pytest.fixture
def custom(mw, app_client):
    """custom(**options) -> a client of a small app of the tests, wrapped in CSRFMiddleware."""

    def make(**options):
        app = FastAPI()

        @app.get("/page")
        def page() -> dict:
            return {"ok": True}

        @app.get("/theme")
        def theme(response: Response) -> dict:
            response.set_cookie("theme", "dark")
            return {"ok": True}

        for path in ["/do", "/hooks", "/hooks/a", "/hooks/a/", "/hooks/ab", "/hooks/a/x"]:
            app.add_api_route(path, lambda: {"ok": True}, methods=["POST"])

        app.add_middleware(mw.CSRFMiddleware, **options)
        return app_client(app, base_url=BASE)

    return make


@pytest.fixture
def digest_calls(mw, monkeypatch):
    """Every call of compare_digest made while the test runs, whatever name it is called by."""
    original = hmac.compare_digest
    calls = []

    def watched(a, b):
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", watched)
    monkeypatch.setattr(secrets, "compare_digest", watched)
    for name, value in list(vars(mw).items()):
        if value is original or value is secrets.compare_digest:
            monkeypatch.setattr(mw, name, watched)
    return calls


# --- helpers ---------------------------------------------------------------------------


def send(client, method, path, cookies=None, headers=None, **options):
    """One request with exactly `cookies` (none if None) and `headers`."""
    client.cookies.clear()
    all_headers = dict(headers or {})
    if cookies is not None:
        all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return client.request(method, path, headers=all_headers, **options)


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


def other_token(token: str) -> str:
    """The token with its last character changed: same length, not the same value."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def short(text, size=160):
    text = str(text)
    return text if len(text) <= size else text[:size] + "..."


def refusal_problem(response, what) -> str | None:
    if response.status_code != 403:
        return f"{what} answered {response.status_code}: {short(response.text, 100)}"
    try:
        body = response.json()
    except ValueError:
        body = response.text
    if body != DETAIL:
        return f"{what} answered 403 with {short(body, 100)!r}"
    if not response.headers.get("content-type", "").startswith("application/json"):
        return f"{what} answered 403 with Content-Type {response.headers.get('content-type')!r}"
    return None


def create_note(client, session, token, text="a note", header="X-CSRFToken"):
    return send(
        client,
        "POST",
        "/api/notes",
        cookies={**session, "csrftoken": token},
        headers={header: token},
        json={"text": text},
    )


def assert_token_still_works(client, session, token):
    response = create_note(client, session, token, "control")
    assert response.status_code == 201, (
        f"POST /api/notes with a csrftoken cookie and an equal X-CSRFToken header answered "
        f"{response.status_code} after the refusals: {short(response.text)}; the middleware "
        "must refuse forged requests only"
    )


# --- Task 1: the token cookie -------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "On a GET, HEAD, OPTIONS or TRACE request without the cookie, add a `set-cookie` header "
    "to the response's `http.response.start` message (wrap `send`), with "
    "`secrets.token_urlsafe(32)` as the value."
)
def test_safe_request_without_cookie_gets_a_token(client, session):
    response = send(client, "GET", "/api/notes", cookies=session)
    assert response.status_code == 200, (
        f"GET /api/notes (alice's session) answered {response.status_code}: {short(response.text)}"
    )
    cookie = set_cookies(response).get("csrftoken")
    assert cookie, (
        "GET /api/notes without a csrftoken cookie set no csrftoken cookie; Set-Cookie: "
        f"{response.headers.get_list('set-cookie')}"
    )
    value = cookie["value"]
    assert len(value) >= 32 and URL_SAFE.fullmatch(value), (
        f"the csrftoken cookie holds {value!r}: expected at least 32 URL-safe characters "
        "(secrets.token_urlsafe(32))"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Every safe method hands out the cookie, not only GET: HEAD, OPTIONS and TRACE too "
    "(whatever the app answers them), for a page whose first request is not a GET."
)
def test_every_safe_method_gets_a_token(client, session):
    missing = []
    for method in ["HEAD", "OPTIONS", "TRACE"]:
        response = send(client, method, "/api/notes", cookies=session)
        if not set_cookies(response).get("csrftoken", {}).get("value"):
            missing.append(
                f"{method} /api/notes (answered {response.status_code}, Set-Cookie: "
                f"{response.headers.get_list('set-cookie')})"
            )
    assert not missing, (
        "a safe request without a csrftoken cookie must get one; these got none: "
        + "; ".join(missing)
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`csrftoken=<token>; Path=/; SameSite=Strict; Secure`, and no HttpOnly: the page's "
    "JavaScript must read the cookie to copy it into the X-CSRFToken header."
)
def test_token_cookie_is_secure_strict_site_wide_and_readable_by_scripts(client, session):
    response = send(client, "GET", "/api/notes", cookies=session)
    cookie = set_cookies(response).get("csrftoken")
    assert cookie, "GET /api/notes without a csrftoken cookie set no csrftoken cookie"
    attrs = cookie["attrs"]
    problems = [
        problem
        for problem, wrong in [
            ("lacks Secure", "secure" not in attrs),
            ("lacks SameSite=Strict", attrs.get("samesite", "").lower() != "strict"),
            ("lacks Path=/", attrs.get("path") != "/"),
            ("is HttpOnly, so the page's script cannot read it", "httponly" in attrs),
        ]
        if wrong
    ]
    assert not problems, f"the csrftoken cookie {', '.join(problems)}: {cookie['raw']}"


@pytest.mark.task(1)
@pytest.mark.hint(
    "Set the cookie only when the request has none: a new token on every GET would break the "
    "header that another tab is about to send."
)
def test_cookie_is_not_replaced_when_present(client, session, token):
    response = send(client, "GET", "/api/notes", cookies={**session, "csrftoken": token})
    assert response.status_code == 200, f"GET /api/notes answered {response.status_code}"
    assert "csrftoken" not in set_cookies(response), (
        "GET /api/notes with a csrftoken cookie set a new one: "
        f"{set_cookies(response)['csrftoken']['raw']}"
    )


@pytest.mark.task(1)
def test_each_browser_gets_its_own_token(client, session):
    values = []
    for _ in range(3):
        response = send(client, "GET", "/api/notes", cookies=session)
        values.append(set_cookies(response).get("csrftoken", {}).get("value"))
    assert None not in values and len(set(values)) == 3, (
        f"three GETs without a csrftoken cookie were handed the tokens {values}: each needs a "
        "fresh random one"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Append your Set-Cookie to the response's headers (`MutableHeaders(scope=message)"
    ".append(...)` or `response.set_cookie`); assigning `headers['set-cookie'] = ...` "
    "replaces the app's own cookie."
)
def test_the_apps_own_cookies_are_kept(custom):
    client = custom()
    response = send(client, "GET", "/theme")
    cookies = set_cookies(response)
    assert "theme" in cookies and "csrftoken" in cookies, (
        "GET /theme, a route that sets its own cookie theme=dark, answered the Set-Cookie "
        f"headers {response.headers.get_list('set-cookie')}: expected both theme and csrftoken"
    )


# --- Task 2: unsafe requests --------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "An unsafe request whose X-CSRFToken header equals its csrftoken cookie goes through to "
    "the app untouched. Header names are case-insensitive: read the header in lower case."
)
def test_matching_header_and_cookie_pass(client, session, token):
    for header in ["X-CSRFToken", "x-csrftoken"]:
        response = create_note(client, session, token, f"via {header}", header=header)
        assert response.status_code == 201, (
            f"POST /api/notes with {header}: <token> equal to the csrftoken cookie answered "
            f"{response.status_code}: {short(response.text)}"
        )
        assert response.json().get("text") == f"via {header}", (
            f"POST /api/notes answered {short(response.text)}"
        )
    note_id = response.json()["id"]
    response = send(
        client,
        "DELETE",
        f"/api/notes/{note_id}",
        cookies={**session, "csrftoken": token},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 204, (
        f"DELETE /api/notes/{note_id} with a matching token answered {response.status_code}: "
        f"{short(response.text)}"
    )


@pytest.mark.task(2)
@pytest.mark.hint("GET, HEAD, OPTIONS and TRACE go through without any token.")
def test_safe_methods_need_no_token(client, session):
    response = send(client, "GET", "/api/notes", cookies=session)
    assert response.status_code == 200, (
        f"GET /api/notes without a token answered {response.status_code}: {short(response.text)}"
    )
    for method in ["HEAD", "OPTIONS", "TRACE"]:
        response = send(client, method, "/api/notes", cookies=session)
        assert response.status_code != 403, (
            f"{method} /api/notes without a token answered 403: safe methods need none"
        )


@pytest.mark.task(2)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Refuse, without calling the app, unless both the cookie and the header are there, not "
    "empty, and equal: "
    "`None == None` and `'' == ''` are equal too. Every method but GET, HEAD, OPTIONS and "
    "TRACE is unsafe (PATCH, DELETE and methods such as PURGE or PROPFIND included): list the "
    "safe ones, not the unsafe ones. Check on every path, whether a route exists or not. "
    "Only the header counts: a token in a form field of the body is no header. "
    "Compare bytes, so that a non-ASCII header is a 403, not a 500."
)
def test_unsafe_requests_without_a_matching_token_are_refused(main, client, session, token):
    other = send(client, "GET", "/api/notes", cookies=session)
    others_token = set_cookies(other).get("csrftoken", {}).get("value", "x" * 43)
    with_cookie = {**session, "csrftoken": token}
    note = {"json": {"text": "forged"}}
    attempts = {
        "POST /api/notes without cookie or header": ("POST", "/api/notes", session, {}, note),
        "POST /api/notes with the cookie, without the header": (
            "POST", "/api/notes", with_cookie, {}, note,
        ),
        "POST /api/notes with the header, without the cookie": (
            "POST", "/api/notes", session, {"X-CSRFToken": token}, note,
        ),
        "POST /api/notes with a header that differs from the cookie": (
            "POST", "/api/notes", with_cookie, {"X-CSRFToken": other_token(token)}, note,
        ),
        "POST /api/notes with another browser's token in the header": (
            "POST", "/api/notes", with_cookie, {"X-CSRFToken": others_token}, note,
        ),
        "POST /api/notes with an empty cookie and an empty header": (
            "POST", "/api/notes", {**session, "csrftoken": ""}, {"X-CSRFToken": ""}, note,
        ),
        "POST /api/notes with a non-ASCII header": (
            "POST", "/api/notes", with_cookie, {"X-CSRFToken": "\u00fc".encode("latin-1") * 43},
            note,
        ),
        "POST /api/notes/form with the token in a csrf_token form field, without the header": (
            "POST", "/api/notes/form", with_cookie, {},
            {"data": {"text": "forged", "csrf_token": token}},
        ),
        "PUT /api/notes/1 without a header": ("PUT", "/api/notes/1", with_cookie, {}, note),
        "PATCH /api/notes/1 without a header": ("PATCH", "/api/notes/1", with_cookie, {}, note),
        "DELETE /api/notes/1 without a header": ("DELETE", "/api/notes/1", with_cookie, {}, {}),
        "PURGE /api/notes/1 without a header": ("PURGE", "/api/notes/1", with_cookie, {}, {}),
        "PROPFIND /api/notes without a header": ("PROPFIND", "/api/notes", with_cookie, {}, {}),
        "POST /nowhere (no such route) without a header": ("POST", "/nowhere", session, {}, {}),
    }  # fmt: skip
    problems = []
    for what, (method, path, cookies, headers, options) in attempts.items():
        notes_before = [dict(note) for note in main.NOTES]
        response = send(client, method, path, cookies=cookies, headers=headers, **options)
        problem = refusal_problem(response, what)
        if main.NOTES != notes_before:
            problem = f"{what} reached the app: NOTES changed ({problem or 'answered 403'})"
        if problem:
            problems.append(problem)
    assert not problems, f"expected 403 {DETAIL}, the app untouched: " + "; ".join(problems)
    assert_token_still_works(client, session, token)


@pytest.mark.task(2)
@pytest.mark.points(4)
@pytest.mark.hint(
    "`secrets.compare_digest(header.encode(), cookie.encode())`; `==` or `!=` stops at the "
    "first differing character, and a check like that before compare_digest skips it for "
    "wrong tokens."
)
def test_header_is_compared_with_the_cookie_by_compare_digest(client, session, token, digest_calls):
    forged = other_token(token)
    digest_calls.clear()
    response = send(
        client,
        "POST",
        "/api/notes",
        cookies={**session, "csrftoken": token},
        headers={"X-CSRFToken": forged},
        json={"text": "forged"},
    )
    assert response.status_code == 403, (
        f"POST /api/notes with a header that differs from the cookie answered "
        f"{response.status_code}"
    )

    def text(value):
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else value

    pairs = [{text(a), text(b)} for a, b in digest_calls]
    assert {forged, token} in pairs, (
        "POST /api/notes with a wrong header made no compare_digest call comparing the header "
        f"with the cookie ({len(digest_calls)} compare_digest calls, none on those two values)"
    )
    assert_token_still_works(client, session, token)


@pytest.mark.task(2)
@pytest.mark.hint(
    "Use `self.cookie_name` and `self.header_name` everywhere, never the literal "
    "'csrftoken' or 'x-csrftoken'."
)
def test_cookie_and_header_names_are_parameters(custom):
    client = custom(cookie_name="xsrf", header_name="X-XSRF-TOKEN")
    response = send(client, "GET", "/page")
    value = set_cookies(response).get("xsrf", {}).get("value")
    assert value, (
        "with cookie_name='xsrf', GET /page set no xsrf cookie: "
        f"{response.headers.get_list('set-cookie')}"
    )
    good = send(client, "POST", "/do", cookies={"xsrf": value}, headers={"X-XSRF-TOKEN": value})
    assert good.status_code == 200, (
        "with cookie_name='xsrf' and header_name='X-XSRF-TOKEN', POST /do with both equal "
        f"answered {good.status_code}: {short(good.text)}"
    )
    wrong = send(
        client, "POST", "/do", cookies={"csrftoken": value}, headers={"X-CSRFToken": value}
    )
    assert wrong.status_code == 403, (
        "with cookie_name='xsrf' and header_name='X-XSRF-TOKEN', POST /do with the default "
        f"csrftoken cookie and X-CSRFToken header answered {wrong.status_code}, not 403"
    )


# --- Task 3: exemptions -------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.hint(
    'main.py: `app.add_middleware(CSRFMiddleware, exempt_paths={"/webhooks/stripe"})`, and '
    "let an unsafe request whose path is in exempt_paths through untouched."
)
def test_stripe_webhook_is_exempt(client):
    response = send(client, "POST", "/webhooks/stripe", json={"type": "charge.succeeded"})
    assert response.status_code == 200 and response.json() == {"received": "charge.succeeded"}, (
        f"POST /webhooks/stripe (no cookies, no token) answered {response.status_code}: "
        f"{short(response.text)}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "A request whose Authorization scheme is Bearer and that carries no Cookie header at all "
    "goes through: the app checks the token itself (a wrong one is its 401, not your 403)."
)
def test_bearer_only_request_is_exempt(client, api_token):
    for scheme in ["Bearer", "bearer"]:
        response = send(
            client,
            "POST",
            "/api/notes",
            headers={"Authorization": f"{scheme} {api_token}"},
            json={"text": f"from a program ({scheme})"},
        )
        assert response.status_code == 201, (
            f"POST /api/notes with Authorization: {scheme} <token> and no cookies answered "
            f"{response.status_code}: {short(response.text)}"
        )
    response = send(
        client,
        "POST",
        "/api/notes",
        headers={"Authorization": "Bearer not-a-real-token"},
        json={"text": "x"},
    )
    assert response.status_code == 401, (
        "POST /api/notes with an unknown bearer token and no cookies answered "
        f"{response.status_code}: the middleware lets it through and the app answers 401"
    )


@pytest.mark.task(3)
@pytest.mark.points(4)
@pytest.mark.hint(
    "`scope['path'] in self.exempt_paths`: the exact path, never `startswith` and never "
    "with a trailing slash stripped, so that /hooks/a/, /hooks/ab, /hooks/a/x and /hooks "
    "stay protected when only /hooks/a is exempt."
)
def test_exempt_paths_match_exactly(custom):
    client = custom(exempt_paths={"/hooks/a"})
    exempt = send(client, "POST", "/hooks/a")
    assert exempt.status_code == 200, (
        f"with exempt_paths={{'/hooks/a'}}, POST /hooks/a answered {exempt.status_code}: "
        f"{short(exempt.text)}"
    )
    problems = []
    for path in ["/hooks/a/", "/hooks/ab", "/hooks/a/x", "/hooks"]:
        problem = refusal_problem(
            send(client, "POST", path), f"with exempt_paths={{'/hooks/a'}}, POST {path}"
        )
        if problem:
            problems.append(problem)
    assert not problems, f"expected 403 {DETAIL}: " + "; ".join(problems)


@pytest.mark.task(3)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Exempt only `Authorization: Bearer <token>` (the scheme, a space, a token that is not "
    "empty) with no Cookie header at all, even an empty one: test for the header, not for the "
    "cookies parsed from it. A browser adds cookies (and cached Basic credentials) by itself, "
    "so a request that carries any is CSRF-prone whatever else it holds."
)
def test_bearer_exemption_needs_no_cookies_and_the_bearer_scheme(client, session, token, api_token):
    attempts = {
        "Authorization: Bearer <token> and the session cookie": (
            {"Authorization": f"Bearer {api_token}"},
            session,
        ),
        "Authorization: Bearer <token> and only a csrftoken cookie": (
            {"Authorization": f"Bearer {api_token}"},
            {"csrftoken": token},
        ),
        "Authorization: Basic <credentials> and no cookies": (
            {"Authorization": "Basic YWxpY2U6d29uZGVybGFuZA=="},
            None,
        ),
        "Authorization: Token <token> and no cookies": (
            {"Authorization": f"Token {api_token}"},
            None,
        ),
        "Authorization: Bearer (no token) and the session cookie": (
            {"Authorization": "Bearer"},
            session,
        ),
        "Authorization: Bearer (no token) and no cookies": ({"Authorization": "Bearer"}, None),
        "Authorization: Bearerxyz (no space, no token) and no cookies": (
            {"Authorization": "Bearerxyz"},
            None,
        ),
        "Authorization: Bearer <token> and an empty Cookie header": (
            {"Authorization": f"Bearer {api_token}"},
            {},
        ),
        "Authorization: Bearer <token> and the Cookie header ';'": (
            {"Authorization": f"Bearer {api_token}", "Cookie": ";"},
            None,
        ),
    }
    problems = []
    for what, (headers, cookies) in attempts.items():
        response = send(
            client, "POST", "/api/notes", cookies=cookies, headers=headers, json={"text": "x"}
        )
        problem = refusal_problem(response, f"POST /api/notes with {what}, no X-CSRFToken,")
        if problem:
            problems.append(problem)
    assert not problems, f"expected 403 {DETAIL}: " + "; ".join(problems)
    control = send(
        client,
        "POST",
        "/api/notes",
        headers={"Authorization": f"Bearer {api_token}"},
        json={"text": "control"},
    )
    assert control.status_code == 201, (
        f"POST /api/notes with Authorization: Bearer <token> and no cookies answered "
        f"{control.status_code} after the refusals: {short(control.text)}"
    )


# --- Task 4: a good ASGI citizen ----------------------------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Read only the scope's headers (the cookie and the header); never call receive(), "
    "`request.body()` or `request.form()` in the middleware: the body can be read once, and "
    "the route needs it."
)
def test_form_endpoint_still_reads_its_body(client, session, token):
    response = send(
        client,
        "POST",
        "/api/notes/form",
        cookies={**session, "csrftoken": token},
        headers={"X-CSRFToken": token},
        data={"text": "from a form"},
    )
    assert response.status_code == 201, (
        f"POST /api/notes/form (form body, matching token) answered {response.status_code}: "
        f"{short(response.text)}"
    )
    assert response.json().get("text") == "from a form", (
        f"POST /api/notes/form answered {short(response.text)}: the route lost its body"
    )


@pytest.mark.task(4)
@pytest.mark.hint(
    "Start `__call__` with `if scope['type'] != 'http': await self.app(scope, receive, send); "
    "return`: lifespan and websocket scopes have no method and no HTTP response."
)
def test_lifespan_and_websocket_pass_through(main, app_client):
    client = app_client(main.app, lifespan=True, base_url=BASE)
    response = send(client, "GET", "/health")
    assert response.status_code == 200 and response.json() == {"ready": True}, (
        f"with the lifespan run, GET /health answered {response.status_code}: "
        f"{short(response.text)}; the app's startup did not run"
    )
    with client.websocket_connect("/ws") as websocket:
        websocket.send_text("ping")
        assert websocket.receive_text() == "ping", "the /ws echo did not answer ping"
